"""A cap on messages per minute to the SMTP server, shared by every worker through Redis."""

from __future__ import annotations

import time

from redis.asyncio import Redis

_KEY = "intake:mail:minute:{}"


class SendRate:
    """A counter per clock minute: at most `per_minute` sends start in any one minute.

    Two adjacent minutes may each start their full allowance, so a burst across a minute
    boundary can reach twice the cap over sixty seconds; SMTP servers' limits tolerate that.
    """

    def __init__(self, redis: Redis, per_minute: int) -> None:
        self._redis = redis
        self._per_minute = per_minute

    async def reserve(self, now: float | None = None) -> float:
        """0 when one message may go now, else the seconds until the next minute begins."""
        now = time.time() if now is None else now
        minute = int(now // 60)
        key = _KEY.format(minute)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 120)
            count, _ = await pipe.execute()
        if int(count) <= self._per_minute:
            return 0.0
        return (minute + 1) * 60 - now
