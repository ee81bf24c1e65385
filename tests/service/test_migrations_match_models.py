"""The migrations build exactly the tables the models declare (the audit log included), and
migration 0010 converts the rows written before it, both ways."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import utcnow
from service.migrate import downgrade, upgrade
from service.models import metadata
from service.routing import reasons as why

T = TypeVar("T")


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


LEGACY_REASONS = [
    "confidence 0.47 is below 0.50: the secretariat decides",
    "rule 3: a local matter",
    "rule 4",
    "keywords: giấy phép lao động",
    "keywords: hoàn thuế, thuế",
    "competent for TAX",
    "subject of the title: hoàn thuế",
    "precedent: AB12 (0.83), CD34 (0.50)",
    "BTC: confidence 0.55",
    "near-duplicate of AB12",
    "BTC: decided by user:3",
    "declined by BTC (user:3): Không thuộc thẩm quyền: chuyển Bộ khác.",
    "no rule, competence or precedent points at any agency",
    "Một ghi chú: do Ban thư ký gõ",
]
STRUCTURED = [
    {"code": "below_threshold", "args": {"confidence": 0.47, "threshold": 0.5}},
    {"code": "rule", "args": {"position": 3, "note": "a local matter"}},
    {"code": "rule", "args": {"position": 4, "note": ""}},
    {"code": "keywords", "args": {"keywords": ["giấy phép lao động"]}},
    {"code": "keywords", "args": {"keywords": ["hoàn thuế", "thuế"]}},
    {"code": "competence", "args": {"category": "TAX"}},
    {"code": "title_subject", "args": {"keyword": "hoàn thuế"}},
    {
        "code": "precedent",
        "args": {
            "cases": [{"code": "AB12", "similarity": 0.83}, {"code": "CD34", "similarity": 0.5}]
        },
    },
    {"code": "confidence", "args": {"agency": "BTC", "confidence": 0.55}},
    {"code": "near_duplicate", "args": {"code": "AB12"}},
    {"code": "decided", "args": {"agency": "BTC", "actor": "user:3"}},
    {
        "code": "declined",
        "args": {
            "agency": "BTC",
            "actor": "user:3",
            "reason": "Không thuộc thẩm quyền: chuyển Bộ khác.",
        },
    },
    {"code": "none", "args": {}},
]


def english(reasons: list[Any]) -> list[str]:
    """As the API renders them (a single keyword now reads "keyword:")."""
    return [text.replace("keyword: ", "keywords: ") for text in why.english(reasons)]


def _on(url: str, work: Callable[[sa.Connection], T]) -> T:
    """`work` on a connection to `url`, in a transaction (migrations run their own loop)."""

    async def run() -> T:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _table(connection: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=connection)


DETAILS = {
    "created": "role: REVIEWER; agency: BKHCN",
    "changed": "role: REVIEWER → AGENCY_ADMIN; agency: BKHCN → —",
    "deactivated": "",
}


def _write_rows_of_0009(connection: sa.Connection) -> None:
    """Rows as the code before 0010 wrote them (foreign keys aside: no proposal is needed)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
    connection.execute(
        _table(connection, "users")
        .insert()
        .values(
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
    connection.execute(
        _table(connection, "routing_decisions")
        .insert()
        .values(
            id=1,
            proposal_id=1,
            method="TRIAGE",
            confidence=0.47,
            reasons=LEGACY_REASONS,
            suggestions=[{"agency": "BTC", "score": 3.0, "reasons": LEGACY_REASONS[1:]}],
            excluded=[],
            stood=True,
            actor="system",
            created_at=utcnow(),
        )
    )
    events = _table(connection, "proposal_events")
    for number, note in enumerate(("; ".join(LEGACY_REASONS[:-1]), "rule 1: a; b"), start=1):
        connection.execute(
            events.insert().values(
                id=number,
                proposal_id=1,
                status="TRIAGE",
                actor="system",
                action="",
                note=note,
                at=utcnow(),
            )
        )
    changes = _table(connection, "account_changes")
    for number, (action, detail) in enumerate(DETAILS.items(), start=1):
        connection.execute(
            changes.insert().values(
                id=number, user_id=1, action=action, actor="cli", at=utcnow(), detail=detail
            )
        )


def _read(connection: sa.Connection) -> dict[str, Any]:
    decisions = _table(connection, "routing_decisions")
    events = _table(connection, "proposal_events")
    changes = _table(connection, "account_changes")
    decision = connection.execute(sa.select(decisions.c.reasons, decisions.c.suggestions)).one()
    found: dict[str, Any] = {
        "reasons": decision[0],
        "suggested": decision[1][0]["reasons"],
        "details": list(
            connection.execute(sa.select(changes.c.detail).order_by(changes.c.id)).scalars()
        ),
    }
    if "changes" in changes.c:
        rows = connection.execute(
            sa.select(changes.c.action, changes.c.changes).order_by(changes.c.id)
        )
        found["changes"] = [tuple(row) for row in rows]
    if "reasons" in events.c:
        found["events"] = list(
            connection.execute(sa.select(events.c.reasons).order_by(events.c.id)).scalars()
        )
    return found


def test_migration_0010_structures_recorded_reasons_and_account_changes_and_reverts(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    upgrade(url, "0009")
    _on(url, _write_rows_of_0009)
    upgrade(url)
    after = _on(url, _read)
    assert after["changes"] == [
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
    typed = "Một ghi chú: do Ban thư ký gõ"
    assert after["reasons"] == [*STRUCTURED, typed]
    assert after["suggested"] == [*STRUCTURED[1:], typed]
    assert english(after["reasons"]) == LEGACY_REASONS
    assert after["events"] == [STRUCTURED, []]  # the second: "; " inside a rule's note
    downgrade(url, "0009")
    before = _on(url, _read)
    assert before == {
        "reasons": LEGACY_REASONS,
        "suggested": LEGACY_REASONS[1:],
        "details": list(DETAILS.values()),
    }
