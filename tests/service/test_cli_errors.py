"""`intake` meets bad settings, an unmigrated or missing database, a bad data directory and bad
account input with one clear line on stderr, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from service.cli import _parser, main
from service.migrate import alembic_config, upgrade
from tests.processes import intake_environment


def _intake(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`intake` with only these INTAKE_ settings in its environment, as a user's shell would
    run it: its entry point called here (a process per call cost two seconds of imports each,
    a minute of the suite), with what it prints and its exit status."""
    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(intake_environment(None, **settings))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exit:  # argparse's refusals
                status = exit.code if isinstance(exit.code, int) else 2
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["intake", *args], status, out.getvalue(), err.getvalue())


def _migrated(sqlite_template: Path, tmp_path: Path) -> Path:
    """A data directory holding a migrated SQLite database with the demo directory and users."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(sqlite_template, data_dir / "intake.db")
    return data_dir


def _rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(data_dir / "intake.db")) as db:
        return list(db.execute(sql))


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "SMTP_PORT",
            "abc",
            "INTAKE_SMTP_PORT: Input should be a valid integer, unable to parse string as an "
            "integer",
        ),
        (
            "ENVIRONMENT",
            "staging",
            "INTAKE_ENVIRONMENT: Input should be 'development', 'production' or 'test'",
        ),
        (
            "LOG_LEVEL",
            "debug",
            "INTAKE_LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING' or 'ERROR'",
        ),
        (
            "GRAPHQL_INTROSPECTION",
            "",
            "INTAKE_GRAPHQL_INTROSPECTION: Input should be a valid boolean, unable to interpret "
            "input",
        ),
        (
            "ATTACHMENT_TYPES",
            "pdf,png",
            "INTAKE_ATTACHMENT_TYPES: not a valid value (Expecting value: line 1 column 1 "
            '(char 0)); a list is written as JSON, like ["pdf", "png"]',
        ),
        (
            "ENVIRONMENT",
            "production",
            "set INTAKE_SECRET_KEY: production refuses the development secret",
        ),
        ("SMTP_PORT", "99999", "INTAKE_SMTP_PORT: 99999 is not a port; use 1 to 65535"),
        ("BASE_URL", "notaurl", "INTAKE_BASE_URL: not an absolute http:// or https:// URL"),
        (
            "MAIL_FROM",
            "bad",
            "INTAKE_MAIL_FROM: not an email address; write no-reply@example.gov.vn, or with a "
            "name, Intake <no-reply@example.gov.vn>",
        ),
    ],
)
def test_invalid_settings_name_the_variable_and_exit_2(
    variable: str, value: str, line: str, tmp_path: Path
) -> None:
    done = _intake("doctor", DATA_DIR=str(tmp_path / "data"), **{variable: value})

    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"intake doctor: {line}\n")


def test_every_invalid_setting_gets_its_line(tmp_path: Path) -> None:
    done = _intake("token", "list", SMTP_PORT="abc", LOG_LEVEL="debug")

    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "intake token list: INTAKE_LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING' or "
        "'ERROR'",
        "intake token list: INTAKE_SMTP_PORT: Input should be a valid integer, unable to parse "
        "string as an integer",
    ]


_BAD_DATABASE_URL = (
    "INTAKE_DATABASE_URL: not a database URL; use sqlite+aiosqlite:///path/to/intake.db or "
    "postgresql+asyncpg://user:password@host:5432/name, or leave it empty for SQLite in the data "
    "directory"
)


@pytest.mark.parametrize(
    ("command", "variable"),
    [
        (["token", "list"], "DATABASE_URL"),
        (["migrate"], "DATABASE_URL"),
        (["doctor"], "DATABASE_URL"),
        (["directory", "load"], "DATABASE_URL"),
        (["token", "list"], "DATABASE_REPLICA_URL"),
    ],
)
def test_a_database_url_no_engine_takes_is_one_line_not_a_traceback(
    command: list[str], variable: str, tmp_path: Path
) -> None:
    done = _intake(*command, DATA_DIR=str(tmp_path / "data"), **{variable: "foo"})

    line = _BAD_DATABASE_URL
    if variable == "DATABASE_REPLICA_URL":
        line = (
            "INTAKE_DATABASE_REPLICA_URL: not a database URL; use "
            "postgresql+asyncpg://user:password@host:5432/name, or leave it empty for no replica"
        )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        f"intake {' '.join(command)}: {line}\n",
    )
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["directory", "load"],
        ["token", "list"],
        ["rules", "load"],
        ["user", "create", "--email", "lan@example.com", "--name", "Lan", "--role", "ADMIN"],
        ["reindex"],
        ["mail", "failures"],
        ["seed"],
    ],
)
def test_commands_before_migrate_say_so_and_create_nothing(
    command: list[str], tmp_path: Path
) -> None:
    data_dir = tmp_path / "fresh"

    done = _intake(*command, DATA_DIR=str(data_dir))

    name = " ".join(part for part in command[:2] if not part.startswith("-"))
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        f"intake {name}: the database is not migrated; run `intake migrate` first\n",
    )
    assert not data_dir.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["directory", "load"],
        ["user", "create", "--email", "lan@example.com", "--name", "Lan", "--role", "ADMIN"],
        ["reindex"],
        ["mail", "failures"],
    ],
)
def test_commands_on_an_empty_database_file_say_it_is_not_migrated(
    command: list[str], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "intake.db").touch()

    done = _intake(*command, DATA_DIR=str(data_dir))

    name = " ".join(command[:2]) if command[0] in ("directory", "user", "mail") else command[0]
    assert (done.returncode, done.stderr) == (
        1,
        f"intake {name}: the database is not migrated; run `intake migrate` first\n",
    )
    assert _rows(data_dir, "SELECT name FROM sqlite_master") == []


def test_a_database_behind_the_code_is_refused_with_both_revisions(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = f"sqlite+aiosqlite:///{data_dir / 'intake.db'}"
    scripts = ScriptDirectory.from_config(alembic_config(url))
    first = scripts.get_base()
    assert first is not None
    upgrade(url, first)

    done = _intake("directory", "load", DATA_DIR=str(data_dir))

    assert (done.returncode, done.stderr) == (
        1,
        f"intake directory load: the database is at migration {first}, the code at "
        f"{scripts.get_current_head()}; run `intake migrate` first\n",
    )


def test_a_data_directory_under_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    data_dir = tmp_path / "afile" / "data"

    migrate = _intake("migrate", DATA_DIR=str(data_dir))
    listed = _intake("token", "list", "--data-dir", str(data_dir))

    assert (migrate.returncode, migrate.stderr) == (
        1,
        f"intake migrate: the data directory {data_dir} is not a writable directory "
        "(INTAKE_DATA_DIR): Not a directory\n",
    )
    assert (listed.returncode, listed.stderr) == (
        1,
        f"intake token list: the data directory {data_dir} is not a writable directory "
        f"(--data-dir): {tmp_path / 'afile'} is a file\n",
    )


def test_export_schema_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    output = tmp_path / "missing" / "schema.graphql"

    done = _intake("export-schema", "--output", str(output))

    assert (done.returncode, done.stderr) == (
        1,
        f"intake export-schema: cannot write {output}: No such file or directory\n",
    )


def test_the_help_summary_names_every_command() -> None:
    done = _intake("--help")

    subcommands = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    commands = list(subcommands.choices)
    summary = " ".join(done.stdout.split("\n\n")[1].split())
    assert summary == (
        "`intake` and its commands: dev, serve, worker, migrate, seed, directory, rules, "
        "reindex, token, user, doctor, mail, export-schema."
    )
    assert sorted(commands) == sorted(
        word.strip("`.,:") for word in summary.split(": ", 1)[1].split()
    )


def test_data_dir_is_accepted_after_the_action_of_token_user_and_mail(
    sqlite_template: Path, tmp_path: Path
) -> None:
    data_dir = _migrated(sqlite_template, tmp_path)
    where = ["--data-dir", str(data_dir)]

    created = _intake(
        "token", "create", "--name", "portal", "--role", "REVIEWER", "--agency", "BKHCN", *where
    )
    listed = _intake("token", "list", *where)
    user = _intake(
        "user", "create", "--email", "lan@example.com", "--name", "Lan", "--role", "SECRETARIAT",
        *where,
    )  # fmt: skip
    failures = _intake("mail", "failures", *where)
    before = _intake("token", *where, "list")

    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("Token 1 (portal, REVIEWER, BKHCN). Shown once")
    assert "\tportal\tREVIEWER\tactive\tlast used never" in listed.stdout
    assert user.returncode == 0, user.stderr
    assert (failures.returncode, failures.stdout) == (0, "No failed mail.\n")
    assert before.stdout == listed.stdout  # before the action, as before


def test_user_create_applies_the_admin_page_checks_and_stores_nothing(
    sqlite_template: Path, tmp_path: Path
) -> None:
    data_dir = _migrated(sqlite_template, tmp_path)
    with closing(sqlite3.connect(data_dir / "intake.db")) as db, db:
        db.execute("UPDATE agencies SET is_active = 0 WHERE code = 'BYT'")
    users_before = _rows(data_dir, "SELECT count(*) FROM users")
    where = ["--data-dir", str(data_dir)]

    bad_fields = _intake(
        "user", "create", "--email", "notanemail", "--name", "", "--role", "REVIEWER",
        "--agency", "BKHCN", *where,
    )  # fmt: skip
    admin_with_agency = _intake(
        "user", "create", "--email", "a@example.com", "--name", "A", "--role", "ADMIN",
        "--agency", "THUONGTRUC", *where,
    )  # fmt: skip
    deactivated = _intake(
        "user", "create", "--email", "b@example.com", "--name", "B", "--role", "REVIEWER",
        "--agency", "BYT", *where,
    )  # fmt: skip

    assert (bad_fields.returncode, bad_fields.stdout) == (1, "")
    assert bad_fields.stderr.splitlines() == [
        "intake user create: email: Enter a valid email address, like name@example.com.",
        "intake user create: name: This field is required.",
    ]
    assert (admin_with_agency.returncode, admin_with_agency.stderr) == (
        1,
        "intake user create: agency: Secretariat and admin accounts belong to no agency: "
        "choose none.\n",
    )
    assert (deactivated.returncode, deactivated.stderr) == (
        1,
        'intake user create: agency: The agency "BYT" is deactivated: choose an active one.\n',
    )
    assert _rows(data_dir, "SELECT count(*) FROM users") == users_before
    assert _rows(data_dir, "SELECT count(*) FROM account_changes") == [(0,)]


def test_user_create_records_the_command_line_in_the_history(
    sqlite_template: Path, tmp_path: Path
) -> None:
    data_dir = _migrated(sqlite_template, tmp_path)

    done = _intake(
        "user", "create", "--email", "Lan@Example.com", "--name", "Lan", "--role", "REVIEWER",
        "--agency", "byt", "--data-dir", str(data_dir),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("User lan@example.com (REVIEWER) created. Password, shown once: ")
    assert _rows(
        data_dir,
        "SELECT c.action, c.actor, c.detail FROM account_changes c JOIN users u "
        "ON u.id = c.user_id WHERE u.email = 'lan@example.com'",
    ) == [("created", "cli", "role: REVIEWER; agency: BYT")]


def test_token_create_applies_the_checks_and_stores_nothing(
    sqlite_template: Path, tmp_path: Path
) -> None:
    data_dir = _migrated(sqlite_template, tmp_path)
    with closing(sqlite3.connect(data_dir / "intake.db")) as db, db:
        db.execute("UPDATE agencies SET is_active = 0 WHERE code = 'BYT'")
    where = ["--data-dir", str(data_dir)]

    deactivated = _intake(
        "token", "create", "--name", "p", "--role", "REVIEWER", "--agency", "BYT", *where
    )
    secretariat = _intake(
        "token", "create", "--name", "p", "--role", "SECRETARIAT", "--agency", "BKHCN", *where
    )
    unnamed = _intake("token", "create", "--name", " ", "--role", "SECRETARIAT", *where)
    no_agency = _intake("token", "create", "--name", "p", "--role", "REVIEWER", *where)
    unknown = _intake(
        "token", "create", "--name", "p", "--role", "REVIEWER", "--agency", "NOPE", *where
    )

    assert [
        (done.returncode, done.stdout, done.stderr)
        for done in (deactivated, secretariat, unnamed, no_agency, unknown)
    ] == [
        (1, "", "intake token create: agency: BYT is deactivated\n"),
        (1, "", "intake token create: agency: SECRETARIAT tokens belong to no agency: give none\n"),
        (1, "", "intake token create: name: This field is required.\n"),
        (1, "", "intake token create: agency: REVIEWER tokens need an agency\n"),
        (1, "", "intake token create: agency: unknown agency NOPE\n"),
    ]
    assert _rows(data_dir, "SELECT count(*) FROM api_tokens") == [(0,)]

    issued = _intake("token", "create", "--name", " Cổng ", "--role", "SECRETARIAT", *where)

    assert issued.returncode == 0, issued.stderr
    assert _rows(data_dir, "SELECT name, role, agency_id, created_by FROM api_tokens") == [
        ("Cổng", "SECRETARIAT", None, "cli")
    ]
