"""The migrations build exactly the tables the models declare (the audit log included)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.db import utcnow
from service.migrate import downgrade, upgrade
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


def test_migration_0010_structures_recorded_account_changes_and_reverts(tmp_path: Path) -> None:
    path = tmp_path / "intake.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url, "0009")
    engine = sa.create_engine(f"sqlite:///{path}")
    details = {
        "created": "role: REVIEWER; agency: BKHCN",
        "changed": "role: REVIEWER → AGENCY_ADMIN; agency: BKHCN → —",
        "deactivated": "",
    }
    try:
        with engine.begin() as connection:
            users = sa.Table("users", sa.MetaData(), autoload_with=connection)
            changes = sa.Table("account_changes", sa.MetaData(), autoload_with=connection)
            connection.execute(
                users.insert().values(
                    id=1,
                    email="lan@most.gov.vn",
                    name="Lan",
                    password_hash="x",
                    role="REVIEWER",
                    language="vi",
                    is_active=True,
                    failed_logins=0,
                )
            )
            for number, (action, detail) in enumerate(details.items(), start=1):
                connection.execute(
                    changes.insert().values(
                        id=number, user_id=1, action=action, actor="cli", at=utcnow(), detail=detail
                    )
                )
        upgrade(url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT action, changes FROM account_changes ORDER BY id")
            ).all()
        assert [(action, json.loads(text)) for action, text in rows] == [
            (
                "created",
                [
                    {"field": "role", "before": None, "after": "REVIEWER"},
                    {"field": "agency", "before": None, "after": "BKHCN"},
                ],
            ),
            (
                "changed",
                [
                    {"field": "role", "before": "REVIEWER", "after": "AGENCY_ADMIN"},
                    {"field": "agency", "before": "BKHCN", "after": None},
                ],
            ),
            ("deactivated", []),
        ]
        downgrade(url, "0009")
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("account_changes")}
            events = {c["name"] for c in sa.inspect(connection).get_columns("proposal_events")}
            kept = connection.execute(sa.text("SELECT detail FROM account_changes")).scalars()
            assert list(kept) == list(details.values())
        assert "changes" not in columns
        assert "reasons" not in events
    finally:
        engine.dispose()
