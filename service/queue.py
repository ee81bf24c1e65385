"""The arq connection: where the embedded or external Redis is, and enqueueing outbox jobs."""

from __future__ import annotations

import asyncio

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import default_queue_name

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


def redis_settings(url: str, *, conn_retries: int = 5) -> RedisSettings:
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
        # Concurrent jobs enqueue at once: without the lock each would open (and leak) a pool.
        self._connecting = asyncio.Lock()

    async def _connected(self) -> ArqRedis:
        async with self._connecting:
            if self._pool is None:
                url = redis_url(self.settings)
                self._pool = await create_pool(redis_settings(url, conn_retries=0))
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

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.aclose()
