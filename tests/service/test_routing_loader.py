"""Reading a rules file: a file with no rule is refused; the shipped rules go only into a rule
table that never held any (the deploy's `intake rules load --if-empty`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.cli import main
from service.db import Database
from service.directory.loader import InvalidDirectory, read_directory
from service.directory.service import load_directory
from service.migrate import upgrade
from service.routing import repository as routing
from service.routing import service
from service.routing.loader import RULES_FILE, Known, load_rules_if_empty, parse_rules, read_rules
from service.settings import Settings

HEADER = "kind,category,province,keywords_vi,keywords_en,lead,cooperating,weight,active,note\n"


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n,,,,,,,,,\n\n"])
def test_a_rules_file_without_a_rule_is_refused_at_line_2(content: str) -> None:
    with pytest.raises(InvalidDirectory) as invalid:
        parse_rules(content.encode(), Known({"BCA"}, {"OTHER"}, {"HUE"}), "f.csv")
    assert [str(e) for e in invalid.value.errors] == [
        "f.csv line 2: no rules: the file has its header and no rule below it"
    ]


async def _rule_leads(url: str) -> list[str]:
    db = Database(url)
    try:
        async with db.session() as session:
            return [r.lead for r in await routing.list_rules(session)]
    finally:
        await db.dispose()


def test_rules_load_refuses_a_header_only_file_and_keeps_the_rules(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "f.csv"
    empty.write_text(HEADER, encoding="utf-8")
    before = asyncio.run(_rule_leads(settings.resolved_database_url))
    assert before  # the demo data holds the shipped rules
    monkeypatch.setenv("INTAKE_DATABASE_URL", settings.resolved_database_url)
    args = ["rules", "load", "--data-dir", str(settings.data_dir), "--path", str(empty)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-2:] == [  # after the log lines of the revision check, if any
        f"The rules in {empty} have 1 error; nothing was loaded and the rules in force stay:",
        "  f.csv line 2: no rules: the file has its header and no rule below it",
    ]
    assert asyncio.run(_rule_leads(settings.resolved_database_url)) == before


@pytest.fixture
def fresh_database(empty_database_url: str) -> str:
    """A migrated database holding the shipped directory and nothing else: no rule, no user."""
    upgrade(empty_database_url)
    return empty_database_url


async def _load_if_empty(db: Database) -> bool:
    async with db.transaction() as session:
        return await load_rules_if_empty(session)


async def test_shipped_rules_load_into_a_fresh_table_and_never_over_the_secretariats(
    fresh_database: str,
) -> None:
    db = Database(fresh_database)
    try:
        async with db.transaction() as session:
            await load_directory(session, read_directory(), actor="cli")
        async with db.session() as session:
            shipped = read_rules(await service.known_directory(session), RULES_FILE)
        assert await _load_if_empty(db) is True
        async with db.session() as session:
            rules = await routing.list_rules(session)
            assert [(r.position, r.lead, r.weight) for r in rules] == [
                (r.position, r.lead, r.weight) for r in shipped
            ]
            first_id = rules[0].id
            assert first_id is not None
            changes = len(await routing.rule_changes(session))
        assert changes == len(shipped)
        async with db.transaction() as session:
            await service.save_rule(
                session,
                "secretariat@x",
                {"kind": "PROPOSAL", "keywords_vi": "xe buýt điện", "lead": "BXD", "weight": "6"},
                "en",
                first_id,
            )
        assert await _load_if_empty(db) is False  # a re-deploy
        async with db.session() as session:
            edited = await routing.get_rule(session, first_id)
            assert edited is not None
            assert (edited.lead, edited.weight) == ("BXD", 6.0)
            assert len(await routing.list_rules(session)) == len(shipped)
            assert len(await routing.rule_changes(session)) == changes + 1
        async with db.transaction() as session:
            for rule in await routing.list_rules(session):
                assert rule.id is not None
                await service.delete_rule(session, "secretariat@x", rule.id)
        assert await _load_if_empty(db) is False  # emptied on purpose: stays empty
        async with db.session() as session:
            assert list(await routing.list_rules(session)) == []
    finally:
        await db.dispose()
