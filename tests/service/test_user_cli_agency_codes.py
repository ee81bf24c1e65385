"""`intake user create` names an agency code that is not in the directory, or one deactivated,
as `intake token create` does, rather than asking for an agency that was given."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.service.test_cli_errors import _intake, _migrated, _rows


def _create_reviewer(data_dir: Path, agency: str) -> tuple[int, str]:
    done = _intake(
        "user", "create", "--email", "lan@example.com", "--name", "Lan", "--role", "REVIEWER",
        "--agency", agency, "--data-dir", str(data_dir),
    )  # fmt: skip
    assert done.stdout == ""
    return done.returncode, done.stderr


def test_user_create_names_the_unknown_and_the_deactivated_agency(
    sqlite_template: Path, tmp_path: Path
) -> None:
    data_dir = _migrated(sqlite_template, tmp_path)
    with closing(sqlite3.connect(data_dir / "intake.db")) as db, db:
        db.execute("UPDATE agencies SET is_active = 0 WHERE code = 'BYT'")
    users_before = _rows(data_dir, "SELECT count(*) FROM users")

    assert _create_reviewer(data_dir, "NOPE") == (
        1,
        'intake user create: agency: Unknown agency code "NOPE".\n',
    )
    assert _create_reviewer(data_dir, "byt") == (
        1,
        'intake user create: agency: The agency "BYT" is deactivated: choose an active one.\n',
    )
    missing = _intake(
        "user", "create", "--email", "lan@example.com", "--name", "Lan", "--role", "REVIEWER",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert (missing.returncode, missing.stderr) == (
        1,
        "intake user create: agency: Choose the agency this official works for.\n",
    )
    assert _rows(data_dir, "SELECT count(*) FROM users") == users_before
