"""The arq connection: where the embedded or external Redis is, and enqueueing outbox jobs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import default_queue_name
from redis.asyncio import Redis
from redis.asyncio.sentinel import Sentinel

from service.sentinel import SENTINEL_SCHEME, SentinelAddress, parse_sentinel_url
from service.settings import Settings


def redis_url(settings: Settings) -> str:
    """INTAKE_REDIS_URL, or the URL the embedded Redis wrote into the data directory."""
    if settings.redis_url:
        return settings.redis_url
    url_file = settings.data_dir / "redis" / "url"
    if not url_file.exists():
        raise RuntimeError(
            f"no Redis: set INTAKE_REDIS_URL, or start the embedded one with `intake dev` "
            f"(looked for {url_file})"
        )
    return url_file.read_text().strip()


def _sentinel(url: str) -> tuple[Sentinel, SentinelAddress] | None:
    if not url.startswith(f"{SENTINEL_SCHEME}://"):
        return None
    address = parse_sentinel_url(url)
    return Sentinel(list(address.sentinels), socket_timeout=5.0), address  # type: ignore[no-untyped-call]


async def close_sentinel(sentinel: Sentinel | None) -> None:
    # A master client closes its own pool only; the Sentinel keeps a client per Sentinel.
    for client in sentinel.sentinels if sentinel is not None else ():
        await client.aclose()


@asynccontextmanager
async def redis_client(url: str) -> AsyncIterator[Redis]:
    """A plain redis-py client (pub/sub) for a redis://, unix:// or Sentinel URL, closed after.

    Behind Sentinel the client asks a Sentinel for the primary on every new connection, so after
    a failover it reaches the promoted replica once its old connection fails.
    """
    found = _sentinel(url)
    if found is not None:
        sentinel, address = found
        client: Redis = sentinel.master_for(
            address.service, db=address.db, password=address.password
        )
    elif url.startswith("unix://"):
        sentinel, client = None, Redis(unix_socket_path=url.removeprefix("unix://"))
    else:
        sentinel, client = None, Redis.from_url(url)
    try:
        yield client
    finally:
        await client.aclose()
        await close_sentinel(sentinel)


def redis_settings(url: str, *, conn_retries: int = 5) -> RedisSettings:
    if url.startswith(f"{SENTINEL_SCHEME}://"):
        address = parse_sentinel_url(url)
        return RedisSettings(
            host=list(address.sentinels),
            sentinel=True,
            sentinel_master=address.service,
            database=address.db,
            password=address.password,
            conn_retries=conn_retries,
        )
    if url.startswith("unix://"):
        return RedisSettings(
            unix_socket_path=url.removeprefix("unix://"), conn_retries=conn_retries
        )
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = conn_retries
    return settings


class ArqQueue:
    """Enqueues outbox jobs under their outbox id, so a job is never queued twice at once.

    It connects on first use and again after a failure, so a web process started while Redis is
    down still accepts submissions: their jobs wait in the outbox for the sweep.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ArqRedis | None = None
        self._sentinel: Sentinel | None = None
        # Concurrent jobs enqueue at once: without the lock each would open (and leak) a pool.
        self._connecting = asyncio.Lock()

    async def _connected(self) -> ArqRedis:
        async with self._connecting:
            if self._pool is None:
                url = redis_url(self.settings)
                found = _sentinel(url)
                if found is None:
                    self._pool = await create_pool(redis_settings(url, conn_retries=0))
                else:
                    # Not arq's create_pool: it would leave the Sentinels' connections open at
                    # every reconnect.
                    self._sentinel, address = found
                    pool = self._sentinel.master_for(
                        address.service,
                        redis_class=ArqRedis,
                        db=address.db,
                        password=address.password,
                    )
                    try:
                        await pool.ping()
                    except Exception:
                        await self.close(pool)
                        raise
                    self._pool = pool
            return self._pool

    async def enqueue(self, job: str, outbox_id: str) -> None:
        pool = await self._connected()
        try:
            await pool.enqueue_job(job, outbox_id, _job_id=outbox_id)
        except Exception:
            await self.close()
            raise

    async def publish(self, channel: str, message: str) -> None:
        pool = await self._connected()
        try:
            await pool.publish(channel, message)
        except Exception:
            await self.close()
            raise

    async def count_hit(self, key: str, window_seconds: int) -> int:
        """Count one hit in a fixed window; the key expires with the window."""
        pool = await self._connected()
        try:
            # SET NX EX then INCR: EXPIRE's NX option needs Redis 7, the embedded one is 6.2.
            async with pool.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=window_seconds, nx=True)
                pipe.incr(key)
                _, hits = await pipe.execute()
        except Exception:
            await self.close()
            raise
        return int(hits)

    async def depth(self) -> int:
        """Jobs waiting in arq's queue (a sorted set in Redis)."""
        pool = await self._connected()
        try:
            return int(await pool.zcard(default_queue_name))
        except Exception:
            await self.close()
            raise

    async def ping(self) -> None:
        pool = await self._connected()
        try:
            await pool.ping()
        except Exception:
            await self.close()
            raise

    async def sentinel_primary(self) -> str | None:
        """host:port of the primary behind Sentinel (None without Sentinel)."""
        await self._connected()
        if self._sentinel is None:
            return None
        address = parse_sentinel_url(redis_url(self.settings))
        host, port = await self._sentinel.discover_master(address.service)
        return f"{host}:{port}"

    async def close(self, pool: ArqRedis | None = None) -> None:
        pool, self._pool = pool or self._pool, None
        sentinel, self._sentinel = self._sentinel, None
        if pool is not None:
            await pool.aclose()
        await close_sentinel(sentinel)
