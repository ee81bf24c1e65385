"""`intake dev` as a user runs it: one command starts everything, Ctrl-C stops everything."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest
from uvicorn.config import STARTUP_FAILURE

from service.accounts import service as accounts
from service.accounts.models import Role, User
from service.cli import main
from service.db import Database
from service.demo import read_demo_submissions
from service.embedded.ports import free_tcp_port
from service.settings import Settings
from tests.factories import graphql_input
from tests.graphql_client import operation
from tests.processes import INTAKE, group_members, intake_environment


def _wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def _intake_dev(data_dir: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = intake_environment()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [INTAKE, "dev", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group, as a terminal would give it
        )
    try:
        yield process
    finally:
        if group_members(process.pid):  # its children too, should it have left them behind
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _graphql(base: str, name: str, variables: dict[str, object]) -> dict[str, object]:
    response = httpx.post(
        f"{base}/graphql", json={"query": operation(name), "variables": variables}, timeout=10
    )
    data: dict[str, object] = response.json()["data"]
    return data


def _statuses(data_dir: Path) -> list[str]:
    """Every submission's status, in the order they came, read from the SQLite file itself."""
    with closing(sqlite3.connect(data_dir / "intake.db")) as db:
        return [status for (status,) in db.execute("SELECT status FROM proposals ORDER BY id")]


def _mails_about(data_dir: Path, code: str) -> int:
    return sum(code in mail.read_text() for mail in (data_dir / "mail").glob("*.eml"))


def test_dev_runs_everything_stops_on_ctrl_c_or_kill_and_keeps_data(tmp_path: Path) -> None:
    data_dir, port, log = tmp_path / "data", free_tcp_port(), tmp_path / "dev.log"
    base = f"http://127.0.0.1:{port}"
    samples = len(read_demo_submissions())
    with _intake_dev(data_dir, port, log) as dev:
        _wait_until(
            lambda: httpx.get(f"{base}/readyz", timeout=2).status_code == 200, 90, "readiness"
        )
        # The samples, sent before the worker started, are routed at once, not at a later sweep.
        _wait_until(lambda: "SUBMITTED" not in _statuses(data_dir), 20, "the samples to be routed")
        assert len(_statuses(data_dir)) == samples
        submitted = _graphql(base, "SubmitProposal", {"input": graphql_input()})
        code = submitted["submitProposal"]["trackingCode"]  # type: ignore[index]
        # The submitter's receipt and the reviewer's notice.
        _wait_until(lambda: _mails_about(data_dir, code) == 2, 30, "two emails")
        assert httpx.get(f"{base}/dev/mail", timeout=5).status_code == 200
        members = group_members(dev.pid)
        assert len(members) >= 4  # intake dev, the web server, the worker, redis-server

        os.killpg(dev.pid, signal.SIGINT)
        assert dev.wait(timeout=30) == 0
        _wait_until(lambda: not group_members(dev.pid), 10, "every process to stop")

    printed = log.read_text()
    assert f"Intake: {samples} sample submissions sent; the worker routes them." in printed
    assert f"Web:           {base}/" in printed
    assert "secretariat:   secretariat@intake.localhost" in printed
    assert "password intake-demo" in printed

    with _intake_dev(data_dir, port, log) as dev:
        _wait_until(
            lambda: httpx.get(f"{base}/readyz", timeout=2).status_code == 200, 90, "readiness"
        )
        tracked = _graphql(base, "TrackProposal", {"trackingCode": code})
        assert tracked["trackProposal"]["status"] == "ROUTED"  # type: ignore[index]
        assert len(_statuses(data_dir)) == samples + 1  # no second set of samples
        assert len(group_members(dev.pid)) >= 4
        # `kill`, to intake dev alone (as a supervisor stops it): the others stop with it.
        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=30) == 0
        _wait_until(lambda: not group_members(dev.pid), 10, "every process to stop")


def test_dev_exits_1_when_a_process_dies_on_its_own(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "dev.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_tcp_port()))
        taken.listen()
        port = taken.getsockname()[1]
        with _intake_dev(data_dir, port, log) as dev:
            assert dev.wait(timeout=120) == 1
            _wait_until(lambda: not group_members(dev.pid), 10, "every process to stop")

    printed = log.read_text()
    assert (
        f"Intake: the web server (exit status {STARTUP_FAILURE}) stopped; shutting down the others."
        in printed
    )


def test_token_create_list_revoke(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--data-dir", str(settings.data_dir)]
    os.environ["INTAKE_DATABASE_URL"] = settings.resolved_database_url
    try:
        assert main(["token", *args, "create", "--name", "portal", "--role", "REVIEWER",
                     "--agency", "BKHCN"]) == 0  # fmt: skip
        created = capsys.readouterr().out.splitlines()
        assert created[0] == "Token 1 (portal, REVIEWER, BKHCN). Shown once; store it now:"
        assert created[1].startswith("itk_")
        assert main(["token", *args, "create", "--name", "x", "--role", "REVIEWER",
                     "--agency", "NOPE"]) == 1  # fmt: skip
        assert "unknown agency" in capsys.readouterr().err
        assert main(["token", *args, "list"]) == 0
        listed = capsys.readouterr().out
        assert "\tportal\tREVIEWER\tactive\tlast used never" in listed
        assert created[1] not in listed
        assert main(["token", *args, "revoke", "1"]) == 0
        assert capsys.readouterr().out == "Token 1 (portal) is revoked.\n"
        assert main(["token", *args, "list"]) == 0
        assert "\trevoked\t" in capsys.readouterr().out
        assert main(["token", *args, "revoke", "99"]) == 1
    finally:
        del os.environ["INTAKE_DATABASE_URL"]


def test_user_create_prints_a_password_that_signs_in(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(settings.data_dir)]
    os.environ["INTAKE_DATABASE_URL"] = settings.resolved_database_url
    try:
        assert main(["user", *args, "create", "--email", "Lan@Example.com", "--name", "Lan",
                     "--role", "AGENCY_ADMIN", "--agency", "BYT"]) == 0  # fmt: skip
        printed = capsys.readouterr().out
        assert printed.startswith("User lan@example.com (AGENCY_ADMIN) created. Password")
        again = ["user", *args, "create", "--email", "lan@example.com", "--name", "x",
                 "--role", "SECRETARIAT"]  # fmt: skip
        assert main(again) == 1
        assert capsys.readouterr().err == (
            "intake user create: email: An account with this email exists already.\n"
        )
    finally:
        del os.environ["INTAKE_DATABASE_URL"]
    password = printed.rsplit(" ", 1)[1].strip()

    async def sign_in() -> object:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                return await accounts.attempt_login(session, "lan@example.com", password)
        finally:
            await db.dispose()

    signed_in = asyncio.run(sign_in())
    assert isinstance(signed_in, User)
    assert signed_in.role is Role.AGENCY_ADMIN
