"""`intake directory load` tells and records every change it makes: places removed, the aliases
of a province that goes; a places file emptied down to its header is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import col, select

from service.cli import main
from service.db import Database
from service.directory import repository
from service.directory.loader import read_directory
from service.directory.models import DirectoryChange
from service.directory.service import Change, load_directory
from tests.service.directory.directory_files import copy_directory, drop_places, drop_row


def _load(directory: Path, data_dir: Path) -> int:
    return main(["directory", "load", "--data-dir", str(data_dir), "--path", str(directory)])


async def _places_and_changes(url: str) -> tuple[int, list[tuple[str, str, str, str | None]]]:
    """How many places there are; the changes recorded by loads after the seed's."""
    db = Database(url)
    try:
        async with db.session() as session:
            places = len(await repository.list_places(session))
            changes = (
                await session.exec(
                    select(DirectoryChange)
                    .where(DirectoryChange.version_id > 1)
                    .order_by(col(DirectoryChange.id))
                )
            ).all()
    finally:
        await db.dispose()
    return places, [(c.entity, c.code, c.field, c.new) for c in changes]


def test_a_place_removed_is_counted_in_the_summary_and_recorded(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    directory = copy_directory(tmp_path)
    path = directory / "places.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Hoàn Kiếm,HA-NOI,district\n", ""),
        encoding="utf-8",
    )

    assert _load(directory, tmp_path / "data") == 0

    assert capsys.readouterr().out == (
        f"Directory 2025.07.1 loaded from {directory}:\n"
        "  agencies:    0 added, 0 changed, 0 deactivated\n"
        "  provinces:   0 added, 0 changed, 0 deactivated\n"
        "  categories:  0 added, 0 changed, 0 deactivated\n"
        "  places:      0 added, 0 changed, 1 removed\n"
    )
    assert asyncio.run(_places_and_changes(database_url)) == (
        340,
        [("place", "Hoàn Kiếm", "province", None)],
    )


def test_a_places_file_with_only_its_header_is_refused_and_no_place_is_deleted(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    directory = copy_directory(tmp_path)
    (directory / "places.csv").write_text("name,province,kind\n", encoding="utf-8")

    assert _load(directory, tmp_path / "data") == 1

    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        f"The directory in {directory} has 1 error; nothing was loaded and the current "
        "directory stays in force:\n"
        "  places.csv line 2: no rows: the file has its header and no row below it\n",
    )
    assert asyncio.run(_places_and_changes(database_url)) == (341, [])


async def test_a_province_that_goes_loses_its_aliases_on_the_record(
    database_url: str, tmp_path: Path
) -> None:
    directory = copy_directory(tmp_path)
    drop_row(directory, "provinces.csv", "HUE")
    drop_places(directory, "HUE")
    db = Database(database_url)
    async with db.transaction() as session:
        summary = await load_directory(session, read_directory(directory), actor="cli")
    async with db.session() as session:
        aliases = [a.name for a in await repository.list_province_aliases(session)]
    await db.dispose()

    province_changes = [c for c in summary.changes if c.entity == "province"]
    assert province_changes == [
        Change("province", "HUE", "is_active", "true", "false"),
        Change("province", "HUE", "aliases", "Thừa Thiên Huế", ""),
    ]
    assert "Thừa Thiên Huế" not in aliases
    counts = {what: summary.count("province", what) for what in ("changed", "deactivated")}
    assert counts == {"changed": 0, "deactivated": 1}
    assert summary.count("place", "removed") == 8
