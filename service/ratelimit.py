"""Rate limits backed by Redis, shared by every web process: per IP, or per API token.

The form's submissions and sign-ins count per IP address whatever headers come with them. The
API counts per token only for a token it accepts: a request with a bearer value is counted
once its token has been read (service/api/view.py), so a made-up value is no new budget and
counts against its IP address like any anonymous call."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.accounts.actor import Actor, ActorKind
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
    if path == "/graphql" and not has_bearer(scope):
        return api_limit(settings)
    return None


def api_limit(settings: Settings) -> Limit:
    return Limit("api", settings.rate_api_per_minute, 60)


def has_bearer(scope: Scope) -> bool:
    """Whether the request carries an `Authorization: Bearer` value, accepted or not."""
    scheme, _, secret = Headers(scope=scope).get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(secret.strip())


def identity(scope: Scope, settings: Settings, actor: Actor | None = None) -> str:
    """Whose budget a request spends: an API token's, when the actor is one the API accepted,
    else the client's IP address (the first X-Forwarded-For entry behind a trusted proxy)."""
    if actor is not None and actor.kind is ActorKind.TOKEN and actor.token_id is not None:
        return f"token:{actor.token_id}"
    headers = Headers(scope=scope)
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


def too_many_message(scope: Scope, retry_after: int) -> str:
    """The 429's message, in English when the caller's cookie or Accept-Language asks for it."""
    cookies = Headers(scope=scope).get("cookie", "")
    english = (
        "intake_lang=en" in cookies or "en" in Headers(scope=scope).get("accept-language", "")[:2]
    )
    _ = translations("en" if english else "vi").gettext
    return _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": retry_after}


async def _too_many(scope: Scope, send: Send, retry_after: int) -> None:
    message = too_many_message(scope, retry_after)
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
