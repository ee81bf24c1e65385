"""What a test needs to run `intake` itself as a process: the program, and its environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from service.settings import Settings

INTAKE = Path(sys.executable).parent / "intake"


def intake_environment(settings: Settings | None = None, **overrides: str) -> dict[str, str]:
    """This process's environment without any INTAKE_ variable, so that whatever the shell that
    ran the suite exported cannot reach the process, then the test's own settings.

    With settings: its data directory, database and Redis, in the test environment, and no
    metrics port for a worker (the default, 9101, may be taken by a system running on the same
    machine). Overrides, given by setting name (``SMTP_PORT="2525"``), come last.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    if settings is not None:
        env |= {
            "INTAKE_ENVIRONMENT": "test",
            "INTAKE_DATA_DIR": str(settings.data_dir),
            "INTAKE_DATABASE_URL": settings.resolved_database_url,
            "INTAKE_REDIS_URL": settings.redis_url,
            "INTAKE_WORKER_METRICS_PORT": "0",
        }
    return env | {f"INTAKE_{name}": value for name, value in overrides.items()}


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members
