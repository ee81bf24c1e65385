"""A writable copy of the shipped directory data, edited row by row as a person would."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from service.directory.loader import DATA_DIR


def copy_directory(tmp_path: Path) -> Path:
    target = tmp_path / "directory"
    shutil.copytree(DATA_DIR, target)
    return target


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def edit_row(directory: Path, file: str, code: str, **fields: str) -> int:
    """Set fields of the row whose code is `code`; returns its line number."""
    path = directory / file
    rows = _read(path)
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if row[0] == code:
            for name, value in fields.items():
                row[header.index(name)] = value
            _write(path, rows)
            return number
    raise AssertionError(f"no row {code} in {file}")


def append_row(directory: Path, file: str, **fields: str) -> int:
    """Add a row at the end; returns its line number."""
    path = directory / file
    rows = _read(path)
    rows.append([fields.get(name, "") for name in rows[0]])
    _write(path, rows)
    return len(rows)


def drop_row(directory: Path, file: str, code: str) -> None:
    path = directory / file
    rows = _read(path)
    kept = [row for row in rows if row[0] != code]
    assert len(kept) == len(rows) - 1, f"no row {code} in {file}"
    _write(path, kept)


def line_of(directory: Path, file: str, code: str) -> int:
    for number, row in enumerate(_read(directory / file)[1:], start=2):
        if row[0] == code:
            return number
    raise AssertionError(f"no row {code} in {file}")


def drop_places(directory: Path, province: str) -> None:
    """Remove the places of a province from places.csv, as when the province goes."""
    path = directory / "places.csv"
    rows = _read(path)
    column = rows[0].index("province")
    _write(path, [row for row in rows if row[column] != province])
