"""`intake directory load`: a summary when the files are good, every error and no change if not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.cli import main
from service.db import Database
from service.directory import repository
from tests.service.directory.directory_files import copy_directory, edit_row


def _load(args: list[str], data_dir: Path) -> int:
    return main(["directory", "load", "--data-dir", str(data_dir), *args])


async def _state(url: str) -> tuple[list[str], str | None]:
    db = Database(url)
    try:
        async with db.session() as session:
            versions = [v.version for v in await repository.list_versions(session)]
            byt = await repository.get_agency_by_code(session, "BYT")
    finally:
        await db.dispose()
    return versions, byt.name_en if byt else None


def test_a_broken_directory_is_rejected_and_the_current_one_stays(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    directory = copy_directory(tmp_path)
    (directory / "VERSION").write_text("2025.09.1\n", encoding="utf-8")
    edit_row(directory, "agencies.csv", "BYT", name_en="Health")  # valid, yet not loaded
    parent = edit_row(directory, "agencies.csv", "BCT", parent="BXYZ")

    code = _load(["--path", str(directory)], tmp_path / "data")

    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert captured.err == (
        f"The directory in {directory} has 1 error; nothing was loaded and the current "
        "directory stays in force:\n"
        f'  agencies.csv line {parent}, field parent: unknown agency code "BXYZ"\n'
    )

    assert asyncio.run(_state(database_url)) == (["2025.07.1"], "Ministry of Health")


def test_a_good_directory_loads_with_a_summary_once(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    directory = copy_directory(tmp_path)
    (directory / "VERSION").write_text("2025.09.1\n", encoding="utf-8")
    edit_row(directory, "agencies.csv", "BYT", name_en="Health")

    first = _load(["--path", str(directory)], tmp_path / "data")
    printed = capsys.readouterr().out
    second = _load(["--path", str(directory)], tmp_path / "data")

    assert (first, second) == (0, 0)
    assert printed == (
        f"Directory 2025.09.1 loaded from {directory}:\n"
        "  agencies:    0 added, 1 changed, 0 deactivated\n"
        "  provinces:   0 added, 0 changed, 0 deactivated\n"
        "  categories:  0 added, 0 changed, 0 deactivated\n"
        "  places:      0 added, 0 changed, 0 removed\n"
    )
    assert capsys.readouterr().out == "Directory 2025.09.1 is already loaded; nothing changed.\n"

    assert asyncio.run(_state(database_url)) == (["2025.07.1", "2025.09.1"], "Health")


def test_a_lone_override_against_the_settings_default_is_rejected_and_nothing_loads(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    monkeypatch.setenv("INTAKE_ACKNOWLEDGE_BUSINESS_DAYS", "4")
    directory = copy_directory(tmp_path)
    (directory / "VERSION").write_text("2025.09.1\n", encoding="utf-8")
    edit_row(directory, "agencies.csv", "BYT", name_en="Health")  # valid, yet not loaded
    btp = edit_row(directory, "agencies.csv", "BTP", acknowledge_days="", respond_days="3")

    code = _load(["--path", str(directory)], tmp_path / "data")

    captured = capsys.readouterr()
    assert (code, captured.out) == (1, "")
    assert captured.err == (
        f"The directory in {directory} has 1 error; nothing was loaded and the current "
        "directory stays in force:\n"
        f"  agencies.csv line {btp}, field respond_days: 3 days to respond are fewer than the "
        "default 4 days to acknowledge (INTAKE_ACKNOWLEDGE_BUSINESS_DAYS): a submission is "
        "acknowledged before it is answered\n"
    )
    assert asyncio.run(_state(database_url)) == (["2025.07.1"], "Ministry of Health")
