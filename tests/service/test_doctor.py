"""`intake doctor` against real dependencies, working and broken."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from service.doctor import report, run_checks
from service.migrate import upgrade
from service.settings import Settings
from tests.fixtures.smtp import SmtpSink
from tests.processes import INTAKE, intake_environment


async def test_everything_answers(settings: Settings, mailbox: SmtpSink) -> None:
    checks = await run_checks(settings)
    assert [(c.name, c.ok) for c in checks] == [
        ("data directory", True),
        ("database", True),
        ("migrations", True),
        ("holidays", True),
        ("redis", True),
        ("search", True),
        ("smtp", True),
    ]
    # The seeded holidays are 2026's: the coming year's are always missing, a warning.
    assert report(checks).endswith("All checks passed, 1 with a warning.")


async def test_each_failure_says_what_to_do(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")
    old = tmp_path / "old.db"
    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{old}", "0001")
    settings = Settings(
        environment="test",
        data_dir=not_a_directory / "data",
        database_url=f"sqlite+aiosqlite:///{old}",
        redis_url=f"unix://{tmp_path}/no-redis.sock",
        smtp_port=1,
        search_backend="embedded",
    )
    checks = {c.name: c for c in await run_checks(settings)}
    text = report(list(checks.values()))
    assert checks["migrations"].ok is False
    assert checks["migrations"].fix == "run `intake migrate`"
    assert checks["redis"].ok is False
    assert "set INTAKE_REDIS_URL" in checks["redis"].fix
    assert checks["smtp"].ok is False
    assert "127.0.0.1:1" in checks["smtp"].detail
    assert checks["data directory"].ok is False
    assert checks["data directory"].fix.startswith("create it and give the process")
    assert checks["search"].ok is False  # its index lives in the data directory
    assert text.splitlines()[-1] == "5 check(s) failed."


@pytest.mark.parametrize(
    ("variables", "failures"),
    [
        (
            {"SEARCH_BACKEND": "postgres"},
            {
                "search": (
                    "ValueError: INTAKE_SEARCH_BACKEND=postgres needs a PostgreSQL "
                    "INTAKE_DATABASE_URL",
                    "PostgreSQL search needs a PostgreSQL INTAKE_DATABASE_URL: on SQLite set "
                    "INTAKE_SEARCH_BACKEND=embedded (or auto)",
                ),
            },
        ),
        (
            {"SEARCH_BACKEND": "meilisearch"},
            {
                "search": (
                    "ValueError: INTAKE_SEARCH_BACKEND=meilisearch needs INTAKE_MEILI_URL",
                    "set INTAKE_MEILI_URL to the Meilisearch server, or choose another "
                    "INTAKE_SEARCH_BACKEND (auto, embedded, postgres)",
                ),
            },
        ),
    ],
)
async def test_settings_that_make_no_engine_or_backend_get_a_report(
    variables: dict[str, str],
    failures: dict[str, tuple[str, str]],
    tmp_path: Path,
    sqlite_template: Path,
    redis_url: str,
    mailbox: SmtpSink,
) -> None:
    database = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, database)
    working = {
        "ENVIRONMENT": "test",
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "REDIS_URL": redis_url,
        "SMTP_HOST": mailbox.host,
        "SMTP_PORT": str(mailbox.port),
        "LOG_LEVEL": "WARNING",
    }
    env = intake_environment(None, **(working | variables))
    done = await asyncio.to_thread(
        subprocess.run,
        [str(INTAKE), "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (1, "")
    lines = done.stdout.splitlines()
    for name, (detail, fix) in failures.items():
        at = lines.index(f"FAIL {name}: {detail}")
        assert lines[at + 1] == f"     fix: {fix}"
    names = [line.split(":")[0] for line in lines if line[:4] in ("ok  ", "FAIL")]
    expected = ["data directory", "database", "migrations", "redis", "search", "smtp"]
    if "database" in failures:
        expected.remove("migrations")  # nothing to ask a database that was never reached
    assert names == [f"{'FAIL' if n in failures else 'ok  '} {n}" for n in expected]
    assert lines[-1] == f"{len(failures)} check(s) failed."
