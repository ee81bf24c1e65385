"""`intake doctor` against real dependencies, working and broken."""

from __future__ import annotations

import asyncio
from pathlib import Path

from service.doctor import report, run_checks
from service.migrate import upgrade
from service.settings import Settings
from tests.fixtures.smtp import SmtpSink


async def test_everything_answers(settings: Settings, mailbox: SmtpSink) -> None:
    checks = await run_checks(settings)
    assert [(c.name, c.ok) for c in checks] == [
        ("data directory", True),
        ("database", True),
        ("migrations", True),
        ("redis", True),
        ("search", True),
        ("smtp", True),
    ]
    assert report(checks).endswith("All checks passed.")


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
