"""`intake dev` when its parts die: Redis killed, `intake dev` itself killed, leftovers."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest
import redis

from service.embedded.ports import free_tcp_port
from service.embedded.redis import EmbeddedRedis, EmbeddedRedisError
from tests.factories import graphql_input
from tests.graphql_client import operation
from tests.processes import INTAKE, group_members, intake_environment


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def _intake_dev(
    data_dir: Path, port: int, log: Path, spare: Collection[int] = ()
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            [INTAKE, "dev", "--no-samples", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=intake_environment(),
            start_new_session=True,  # its own process group, as a terminal would give it
        )
    try:
        yield process
    finally:
        for pid in group_members(process.pid):  # whatever a failed test left behind
            if pid not in spare:
                os.kill(pid, signal.SIGKILL)
        process.wait()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _ready(port: int) -> bool:
    return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200


def _redis_pid(data_dir: Path) -> int:
    return int((data_dir / "redis" / "lock").read_text())


def _intake_lines(log: Path) -> list[str]:
    """What intake dev itself said (not the logs of its processes)."""
    return [line for line in log.read_text().splitlines() if line.startswith(("Intake:", "intake"))]


def _statuses(data_dir: Path) -> list[str]:
    with closing(sqlite3.connect(data_dir / "intake.db")) as db:
        return [status for (status,) in db.execute("SELECT status FROM proposals ORDER BY id")]


def test_redis_killed_is_started_again_with_its_data_and_dev_gives_up_when_it_keeps_dying(
    tmp_path: Path,
) -> None:
    data_dir, port, log = tmp_path / "data", free_tcp_port(), tmp_path / "dev.log"
    url = f"unix://{data_dir.resolve()}/redis/redis.sock"
    restarted = (
        "Intake: Redis stopped on its own (killed by SIGKILL); "
        f"started it again at {url} with its data."
    )
    with _intake_dev(data_dir, port, log) as dev:
        _wait_until(lambda: _ready(port), 60, "readiness")
        with redis.Redis.from_url(url) as client:
            client.set("kept", "across the restart")
        aof = data_dir / "redis" / "appendonly.aof"
        _wait_until(lambda: b"across the restart" in aof.read_bytes(), 10, "the AOF write")
        first = _redis_pid(data_dir)
        os.kill(first, signal.SIGKILL)

        _wait_until(lambda: _redis_pid(data_dir) != first, 15, "a new redis-server")
        _wait_until(lambda: _intake_lines(log)[-1] == restarted, 15, "the restart said")
        _wait_until(lambda: _ready(port), 20, "readiness again")
        assert _alive(_redis_pid(data_dir))
        with redis.Redis.from_url(url) as client:
            assert client.get("kept") == b"across the restart"
        # The web server enqueues and the worker routes through the new server.
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": operation("SubmitProposal"), "variables": {"input": graphql_input()}},
            timeout=10,
        )
        assert response.json()["data"]["submitProposal"]["trackingCode"]
        _wait_until(lambda: _statuses(data_dir) == ["ROUTED"], 20, "the submission routed")

        # Twice more within a minute: it keeps dying, so dev stops everything and says so.
        second = _redis_pid(data_dir)
        os.kill(second, signal.SIGKILL)
        _wait_until(lambda: _redis_pid(data_dir) != second, 15, "a third redis-server")
        third = _redis_pid(data_dir)
        _wait_until(lambda: _intake_lines(log).count(restarted) == 2, 15, "the second restart")
        os.kill(third, signal.SIGKILL)
        assert dev.wait(timeout=30) == 1
        _wait_until(lambda: not group_members(dev.pid), 15, "every process to stop")

    assert _intake_lines(log)[-1] == (
        "Intake: Redis stopped on its own (killed by SIGKILL), 3 times within 60 s; "
        f"shutting down the others. Its log: {data_dir.resolve()}/redis/redis.log"
    )


def test_kill_9_of_dev_stops_its_processes_and_a_second_dev_on_its_data_is_refused(
    tmp_path: Path,
) -> None:
    data_dir, port, log = tmp_path / "data", free_tcp_port(), tmp_path / "dev.log"
    with _intake_dev(data_dir, port, log) as dev:
        _wait_until(lambda: _ready(port), 60, "readiness")
        redis_pid = _redis_pid(data_dir)
        children = [pid for pid in group_members(dev.pid) if pid != dev.pid]
        assert redis_pid in children
        assert len(children) == 3  # the web server, the worker, redis-server

        second = subprocess.run(
            [INTAKE, "dev", "--no-samples", "--port", str(free_tcp_port()), "--data-dir", data_dir],
            capture_output=True,
            text=True,
            env=intake_environment(),
            timeout=60,
        )
        assert second.returncode == 1
        assert "Traceback" not in second.stderr
        assert second.stderr.splitlines()[-1] == (
            f"intake dev: {data_dir.resolve()}/redis is already used by a running redis-server "
            f"(pid {redis_pid}, unix://{data_dir.resolve()}/redis/redis.sock); stop it first"
        )
        assert _ready(port)  # the first one is untouched

        os.kill(dev.pid, signal.SIGKILL)
        dev.wait()
        _wait_until(lambda: not any(_alive(pid) for pid in children), 20, "its processes to stop")
        # redis-server stopped on SIGTERM: its lock and socket are free for the next start.
        assert not _listening(port)


def test_a_redis_left_running_by_a_dead_dev_is_stopped_by_the_next_dev(tmp_path: Path) -> None:
    data_dir, port, log = tmp_path / "data", free_tcp_port(), tmp_path / "dev.log"
    spared: set[int] = set()  # the stale server, left for the next dev to find
    with _intake_dev(data_dir, port, log, spare=spared) as dev:
        _wait_until(lambda: "Intake is running." in log.read_text(), 60, "its processes to start")
        stale = _redis_pid(data_dir)
        spared.add(stale)
        # Stopped, it cannot act on the SIGTERM its parent's death sends it: it outlives dev,
        # holding the data directory, as a server started by an older `intake dev` would.
        os.kill(stale, signal.SIGSTOP)
        os.kill(dev.pid, signal.SIGKILL)
        dev.wait()
        assert _alive(stale)

    try:
        with _intake_dev(data_dir, port, log) as dev:
            _wait_until(lambda: _ready(port), 60, "readiness after the stale server")
            assert not _alive(stale)
            assert (
                f"WARNING service.embedded.redis [-] stopping redis-server (pid {stale}), left "
                f"running in {data_dir.resolve()}/redis by a process that is gone"
            ) in log.read_text()
            assert _redis_pid(data_dir) != stale
            dev.send_signal(signal.SIGTERM)
            assert dev.wait(timeout=30) == 0
            _wait_until(lambda: not group_members(dev.pid), 15, "every process to stop")
    finally:
        if _alive(stale):
            os.kill(stale, signal.SIGKILL)


def test_a_web_port_in_use_is_said_in_one_line(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "dev.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with _intake_dev(data_dir, port, log) as dev:
            assert dev.wait(timeout=60) == 1
            _wait_until(lambda: not group_members(dev.pid), 15, "every process to stop")

    assert _intake_lines(log)[-2:] == [
        f"Intake: port {port} on 127.0.0.1 is already in use by another program; stop it, or "
        "choose another port with --port.",
        "Intake: the web server (exit status 3) stopped; shutting down the others.",
    ]


def test_a_data_dir_locked_by_another_program_is_refused_not_stopped(tmp_path: Path) -> None:
    lock = tmp_path / "redis" / "lock"
    lock.parent.mkdir()
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        server = EmbeddedRedis(tmp_path)
        with pytest.raises(EmbeddedRedisError) as refused:
            server.start()
        assert str(refused.value) == (
            f"{lock.resolve()} is held by process {holder.pid}, not by a redis-server of this "
            "directory; stop it first"
        )
        assert holder.poll() is None
        # Refused, it holds nothing: once the other program is gone, it starts.
        holder.kill()
        holder.wait()
        with EmbeddedRedis(tmp_path) as started, redis.Redis.from_url(started.url) as client:
            assert client.ping() is True


_HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, f"{os.getpid()}\\n".encode())
print("locked", flush=True)
time.sleep(30)
"""
