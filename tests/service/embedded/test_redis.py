import os
import signal
from pathlib import Path

import pytest
import redis

from service.embedded.redis import EmbeddedRedis, EmbeddedRedisError


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_data_survives_a_restart_in_the_same_directory(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        assert server.url == f"unix://{tmp_path.resolve()}/redis/redis.sock"
        assert (tmp_path / "redis" / "url").read_text() == server.url + "\n"
        with redis.Redis.from_url(server.url) as client:
            client.set("greeting", "xin chào")
        pid = server.pid
    assert pid is not None
    assert not _process_exists(pid)
    assert not (tmp_path / "redis" / "url").exists()

    with EmbeddedRedis(tmp_path) as server, redis.Redis.from_url(server.url) as client:
        assert client.get("greeting") == "xin chào".encode()


def test_a_second_server_on_a_directory_in_use_is_refused(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as first:
        second = EmbeddedRedis(tmp_path)
        with pytest.raises(EmbeddedRedisError) as refused:
            second.start()
        assert str(refused.value) == (
            f"{tmp_path.resolve()}/redis is already used by a running redis-server "
            f"(pid {first.pid}, {first.url}); stop it first"
        )
        second.stop()
        with redis.Redis.from_url(first.url) as client:
            assert client.ping() is True
        assert (tmp_path / "redis" / "url").read_text() == first.url + "\n"


def test_a_long_directory_falls_back_to_loopback_tcp(tmp_path: Path) -> None:
    data_dir = tmp_path / ("long-" + "x" * 100)
    with EmbeddedRedis(data_dir) as server:
        assert server.url.startswith("redis://127.0.0.1:")
        assert server.url.endswith("/0")
        assert (data_dir / "redis" / "url").read_text() == server.url + "\n"
        with redis.Redis.from_url(server.url) as client:
            client.set("key", "value")
            assert client.get("key") == b"value"


def test_stop_after_the_server_died_does_not_raise(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    server.start()
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    server.stop()
    server.stop()

    with EmbeddedRedis(tmp_path) as restarted, redis.Redis.from_url(restarted.url) as client:
        assert client.ping() is True


def test_the_server_shares_our_process_group_so_ctrl_c_reaches_it(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path) as server:
        assert server.pid is not None
        assert os.getpgid(server.pid) == os.getpgid(0)


def test_a_server_that_cannot_start_reports_its_log(tmp_path: Path) -> None:
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "appendonly.aof").write_text("not an append-only file\n")
    server = EmbeddedRedis(tmp_path)
    with pytest.raises(
        EmbeddedRedisError, match="redis-server exited with code 1 while starting"
    ) as failed:
        server.start()
    assert "Bad file format reading the append only file" in str(failed.value)
    with pytest.raises(EmbeddedRedisError, match="the embedded Redis server is not running"):
        _ = server.url
