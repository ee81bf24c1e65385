"""The curl examples of README.md and docs/: each body is JSON, each operation valid against the
schema, and the README's own submit-then-follow example answers as it says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from service.api.schema import schema

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A body in single quotes after -d or -F name=, as a shell reads it (it may span lines).
_BODY = re.compile(r"(?:-d |-F (?:operations)=)'([^']*)'")


def _curl_bodies(document: Path) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", document.read_text(encoding="utf-8"), re.S)
    return [body for block in blocks if "curl" in block for body in _BODY.findall(block)]


def _examples() -> list[tuple[str, str]]:
    return [
        (f"{document.name}:{number}", body)
        for document in DOCUMENTS
        for number, body in enumerate(_curl_bodies(document), start=1)
    ]


def test_the_documents_hold_curl_examples() -> None:
    names = {name.split(":")[0] for name, _ in _examples()}
    assert {"README.md", "api.md"} <= names


@pytest.mark.parametrize(("name", "body"), _examples(), ids=[name for name, _ in _examples()])
def test_every_curl_body_is_json_with_a_valid_operation(name: str, body: str) -> None:
    request = json.loads(body)  # a raw line break inside a string is not JSON
    errors = validate(schema._schema, parse(request["query"]))
    assert errors == [], name


async def test_the_readme_submits_then_follows_as_it_shows(client: httpx.AsyncClient) -> None:
    submit, follow = _curl_bodies(ROOT / "README.md")[:2]
    answer = await client.post(
        "/graphql", content=submit, headers={"content-type": "application/json"}
    )
    submitted = answer.json()["data"]["submitProposal"]
    assert submitted["proposal"] == {"status": "SUBMITTED"}
    code = submitted["trackingCode"]
    followed = await client.post(
        "/graphql",
        content=follow.replace("7KQ2MXH9PD", code),
        headers={"content-type": "application/json"},
    )
    tracked = followed.json()["data"]["trackProposal"]
    assert tracked["status"] == "SUBMITTED"
    assert [event["status"] for event in tracked["events"]] == ["SUBMITTED"]
