"""A rule's id is never given to another rule, so that its history is its own: `intake rules
load` replaces every rule, and migration 0014 stops SQLite from reusing the deleted ids."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from service.accounts.models import Role
from service.cli import main
from service.db import Database, utcnow
from service.migrate import downgrade, upgrade
from service.routing import repository as routing
from service.routing.loader import RULES_FILE
from service.settings import Settings
from tests.fixtures.api import bearer
from tests.graphql_client import execute

T = TypeVar("T")


def _rules_file_with_weights_doubled(path: Path) -> Path:
    rows = list(csv.DictReader(io.StringIO(RULES_FILE.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "weight": str(float(row["weight"]) * 2)})
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


async def _rules_and_histories(url: str) -> list[tuple[int, list[str], float]]:
    """(id, the actions of its history, weight) of each rule in force."""
    db = Database(url)
    try:
        async with db.session() as session:
            return [
                (
                    rule.id or 0,
                    [c.action for c in await routing.rule_changes(session, rule.id)],
                    rule.weight,
                )
                for rule in await routing.list_rules(session)
            ]
    finally:
        await db.dispose()


async def test_rules_loaded_anew_get_new_ids_and_each_history_is_its_rules_own(
    client: httpx.AsyncClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = settings.resolved_database_url
    before = await _rules_and_histories(url)
    assert [actions for _, actions, _ in before] == [["created"]] * 7  # the shipped rules
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    changed = _rules_file_with_weights_doubled(tmp_path / "rules.csv")
    args = ["rules", "load", "--data-dir", str(settings.data_dir), "--path", str(changed)]
    assert await asyncio.to_thread(main, args) == 0

    after = await _rules_and_histories(url)
    old_ids = [rule_id for rule_id, _, _ in before]
    assert [actions for _, actions, _ in after] == [["created"]] * 7
    assert [weight for _, _, weight in after] == [2 * weight for _, _, weight in before]
    assert [rule_id for rule_id, _, _ in after] == [max(old_ids) + n for n in range(1, 8)]

    db = Database(url)
    secretariat = await bearer(db, Role.SECRETARIAT, None, "secretariat")
    await db.dispose()
    first = str(old_ids[0])
    history = await execute(client, "RoutingRuleChanges", {"ruleId": first}, headers=secretariat)
    assert [(c["ruleId"], c["action"]) for c in history["routingRuleChanges"]] == [
        (first, "created"),
        (first, "deleted"),
    ]


def _on(url: str, work: Callable[[sa.Connection], T]) -> T:
    async def run() -> T:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _rule(**values: object) -> dict[str, object]:
    return {
        "position": 1,
        "kinds": [],
        "categories": [],
        "keywords_vi": [],
        "keywords_en": [],
        "lead": "BTC",
        "cooperating": [],
        "weight": 1.0,
        "active": True,
        "note": "",
        "updated_by": "cli",
        "updated_at": utcnow(),
    } | values


def _write_rules_of_0013(connection: sa.Connection) -> None:
    """Rules 2 and 5 in force; rule 9 deleted earlier, named only by its history."""
    rules = sa.Table("routing_rules", sa.MetaData(), autoload_with=connection)
    changes = sa.Table("routing_rule_changes", sa.MetaData(), autoload_with=connection)
    connection.execute(rules.insert(), [_rule(id=2, lead="BTC"), _rule(id=5, lead="BYT")])
    connection.execute(
        changes.insert().values(rule_id=9, action="deleted", actor="cli", at=utcnow())
    )


def _replace_the_rules(connection: sa.Connection) -> list[tuple[int, str]]:
    """Delete every rule and add one, as `intake rules load` does; the rules then."""
    rules = sa.Table("routing_rules", sa.MetaData(), autoload_with=connection)
    connection.execute(rules.delete())
    connection.execute(rules.insert().values(_rule(lead="BCA")))
    return [tuple(row) for row in connection.execute(sa.select(rules.c.id, rules.c.lead))]


def _rules(connection: sa.Connection) -> list[tuple[int, str]]:
    rules = sa.Table("routing_rules", sa.MetaData(), autoload_with=connection)
    query = sa.select(rules.c.id, rules.c.lead).order_by(rules.c.id)
    return [tuple(row) for row in connection.execute(query)]


def test_migration_0014_keeps_the_rules_and_their_ids_and_never_reuses_one(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    upgrade(url, "0013")
    _on(url, _write_rules_of_0013)
    if url.startswith("postgresql"):  # the rows above gave their ids: the sequence is behind
        _on(url, lambda c: c.execute(sa.text("SELECT setval('routing_rules_id_seq', 9)")))
    upgrade(url)
    assert _on(url, _rules) == [(2, "BTC"), (5, "BYT")]
    assert _on(url, _replace_the_rules) == [(10, "BCA")]  # past 9, the history's
    assert _on(url, _replace_the_rules) == [(11, "BCA")]
    downgrade(url, "0013")
    assert _on(url, _rules) == [(11, "BCA")]
