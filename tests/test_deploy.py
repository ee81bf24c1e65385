"""docker-compose.yml's one-off `migrate` service, its command run for real on a new PostgreSQL
database: a fresh deployment routes, a re-deploy keeps the secretariat's rules."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML comes with uvicorn[standard], no stubs

from service.db import Database
from service.routing import repository as routing
from service.routing import service
from service.routing.loader import read_rules
from tests.fixtures.postgres import PostgresCluster
from tests.processes import INTAKE, intake_environment

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    with COMPOSE.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = yaml.safe_load(file)
    return loaded


def test_the_services_start_only_after_the_migrate_job_succeeded() -> None:
    services = _compose()["services"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["restart"] == "no"


@pytest.fixture
def new_database(postgres: PostgresCluster) -> Iterator[str]:
    cluster = postgres
    cluster.create_database("deploy")
    try:
        yield cluster.dsn("deploy")
    finally:
        cluster.drop_database("deploy")


def _migrate_job(url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = _compose()["services"]["migrate"]["command"]
    assert command[:2] == ["sh", "-c"]
    env = intake_environment(
        ENVIRONMENT="test", DATA_DIR=str(data_dir), DATABASE_URL=url, LOG_LEVEL="WARNING"
    )
    env["PATH"] = f"{INTAKE.parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )


async def _rules(url: str) -> list[tuple[str, float]]:
    db = Database(url)
    try:
        async with db.session() as session:
            return [(r.lead, r.weight) for r in await routing.list_rules(session)]
    finally:
        await db.dispose()


async def _shipped(url: str) -> list[tuple[str, float]]:
    db = Database(url)
    try:
        async with db.session() as session:
            return [(r.lead, r.weight) for r in read_rules(await service.known_directory(session))]
    finally:
        await db.dispose()


async def _secretariat_edits_the_first_rule(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as session:
            first = (await routing.list_rules(session))[0]
            assert first.id is not None
            values = {"kind": "PROPOSAL", "keywords_vi": "xe buýt điện", "lead": "BXD"}
            await service.save_rule(
                session, "secretariat@x", {**values, "weight": "6"}, "vi", first.id
            )
    finally:
        await db.dispose()


def test_a_fresh_deployment_routes_and_a_redeploy_keeps_the_edited_rules(
    new_database: str, tmp_path: Path
) -> None:
    first = _migrate_job(new_database, tmp_path / "data")
    assert first.returncode == 0, first.stderr
    shipped = asyncio.run(_shipped(new_database))
    assert len(shipped) > 1
    assert asyncio.run(_rules(new_database)) == shipped
    assert "Routing rules loaded from" in first.stdout

    asyncio.run(_secretariat_edits_the_first_rule(new_database))
    again = _migrate_job(new_database, tmp_path / "data")
    assert again.returncode == 0, again.stderr
    assert asyncio.run(_rules(new_database)) == [("BXD", 6.0), *shipped[1:]]
    assert "Routing rules loaded from" not in again.stdout
