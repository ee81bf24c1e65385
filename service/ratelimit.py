"""Rate limits backed by Redis, shared by every web process: per IP, or per API token."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.i18n import translations
from service.queue import ArqQueue
from service.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    hits: int
    window_seconds: int


def submission_limit(settings: Settings) -> Limit:
    """Shared by the form and the API's submitProposal: one budget per IP (or token)."""
    return Limit("submit", settings.rate_submissions_per_hour, 3600)


def _limit_for(scope: Scope, settings: Settings) -> Limit | None:
    method, path = scope.get("method", ""), scope.get("path", "")
    if method != "POST":
        return None
    if path == "/submit":
        return submission_limit(settings)
    if path == "/login":
        return Limit("login", settings.rate_logins_per_15_minutes, 900)
    if path == "/graphql":
        return Limit("api", settings.rate_api_per_minute, 60)
    return None


def identity(scope: Scope, settings: Settings) -> str:
    headers = Headers(scope=scope)
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        # Per token, by a digest: the secret itself never reaches Redis.
        return "token:" + hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:32]
    forwarded = headers.get("x-forwarded-for", "") if settings.trust_forwarded_for else ""
    client = scope.get("client")
    address = forwarded.split(",")[0].strip() or (client[0] if client else "unknown")
    return f"ip:{address}"


async def seconds_to_wait(queue: ArqQueue, limit: Limit, caller: str) -> int | None:
    """Counts one hit; the seconds until the window ends when past the limit, else None."""
    if limit.hits <= 0:
        return None
    window = int(time.time()) // limit.window_seconds
    key = f"intake:rate:{limit.name}:{caller}:{window}"
    try:
        hits = await queue.count_hit(key, limit.window_seconds)
    except Exception:
        logger.warning("rate limit %s not checked: Redis did not answer", limit.name)
        return None
    if hits <= limit.hits:
        return None
    return limit.window_seconds - int(time.time()) % limit.window_seconds


class RateLimitMiddleware:
    """429 with Retry-After past a limit. When Redis is down the request is let through."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = _limit_for(scope, self.settings) if scope["type"] == "http" else None
        if limit is None or limit.hits <= 0:
            await self.app(scope, receive, send)
            return
        queue: ArqQueue = scope["app"].state.runtime.queue
        retry_after = await seconds_to_wait(queue, limit, identity(scope, self.settings))
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        await _too_many(scope, send, retry_after)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _too_many(scope: Scope, send: Send, retry_after: int) -> None:
    cookies = Headers(scope=scope).get("cookie", "")
    english = (
        "intake_lang=en" in cookies or "en" in Headers(scope=scope).get("accept-language", "")[:2]
    )
    _ = translations("en" if english else "vi").gettext
    message = _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": retry_after}
    body = json.dumps({"errors": [{"message": message}]}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"retry-after", str(retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
