"""The migrations build exactly the tables the models declare (the audit log included)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.models import metadata


def test_the_migrated_schema_matches_the_models(sqlite_template: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{sqlite_template}")
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert {"audit_log", "proposals"} <= tables
