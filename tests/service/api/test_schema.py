"""The contract: graphql/schema.graphql is generated, and every operation we ship is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from service.api.schema import schema
from service.cli import SCHEMA_PATH, main
from tests.graphql_client import OPERATIONS_DIR

OPERATIONS = sorted(OPERATIONS_DIR.rglob("*.graphql"))
TESTS_DIR = Path(__file__).resolve().parents[2]


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "graphql/schema.graphql is out of date: run `intake export-schema`"
    )


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"
    main(["export-schema", "--output", str(output)])
    assert output.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_schema(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text(encoding="utf-8")))
    assert errors == []


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_used_by_a_test(path: Path) -> None:
    uses = [
        test
        for test in TESTS_DIR.rglob("test_*.py")
        if f'"{path.stem}"' in test.read_text(encoding="utf-8")
    ]
    assert uses, f"no test sends graphql/operations/{path.relative_to(OPERATIONS_DIR)}"
