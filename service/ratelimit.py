"""Rate limits backed by Redis, shared by every web process: per IP, or per API token.

The form's submissions and sign-ins count per IP address whatever headers come with them. The
API counts per token only for a token it accepts: a request with a bearer value is counted
once its token has been read (service/api/view.py), so a made-up value is no new budget and
counts against its IP address like any anonymous call.

Submissions, through the form or the API's submitProposal, spend one hourly budget per IP (or
token) only when accepted: one refused for a field error, screening or a duplicate (or an expired
form, a body too large, a failure of ours) is given back, so a visitor who mistyped, or a client
with a bug, is not locked out. Refused ones count against their own budget, REFUSED_FACTOR times
larger, so a bot posting garbage is still stopped."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.accounts.actor import Actor, ActorKind
from service.bodylimit import send_page
from service.i18n import LANGUAGE_COOKIE, caller_language, translations
from service.queue import ArqQueue
from service.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    hits: int
    window_seconds: int


def submission_limit(settings: Settings) -> Limit:
    """Accepted submissions, by the form and the API's submitProposal: one budget per IP (or
    token), spent through SubmissionBudget."""
    return Limit("submit", settings.rate_submissions_per_hour, 3600)


REFUSED_FACTOR = 5


def refused_submission_limit(settings: Settings) -> Limit:
    return Limit("submit-refused", settings.rate_submissions_per_hour * REFUSED_FACTOR, 3600)


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


def _window(limit: Limit) -> int:
    return int(time.time()) // limit.window_seconds


def _key(limit: Limit, caller: str, suffix: str = "", window: int | None = None) -> str:
    window = _window(limit) if window is None else window
    return f"intake:rate:{limit.name}{suffix}:{caller}:{window}"


def _window_left(limit: Limit) -> int:
    return limit.window_seconds - int(time.time()) % limit.window_seconds


async def seconds_to_wait(queue: ArqQueue, limit: Limit, caller: str) -> int | None:
    """Counts one hit; the seconds until the window ends when past the limit, else None."""
    if limit.hits <= 0:
        return None
    try:
        hits = await queue.count_hit(_key(limit, caller), limit.window_seconds)
    except Exception:
        logger.warning("rate limit %s not checked: Redis did not answer", limit.name)
        return None
    if hits <= limit.hits:
        return None
    return _window_left(limit)


class SubmissionBudget:
    """One submission's share of its caller's two budgets (accepted and refused), from counters
    that Redis only ever increments, so concurrent submissions never lose a count.

    The form and the API's submitProposal use the same counters. Every submission adds one to
    the submission counter, to a counter of posts and to a tally, and a refused one adds one
    more to the tally. Refused submissions so far are tally - posts, and accepted ones are the
    submission counter less the refused ones: a refund without a decrement. A submission still
    in flight counts as accepted until refunded, so concurrent ones never pass the limit. The
    window is fixed when the submission starts, so its refund lands in the window it spent."""

    def __init__(self, queue: ArqQueue, settings: Settings, caller: str) -> None:
        self.queue = queue
        self.accepted = submission_limit(settings)
        self.refused = refused_submission_limit(settings)
        self.caller = caller
        self._window = _window(self.accepted)
        self._counted = False

    async def _hit(self, suffix: str) -> int:
        key = _key(self.accepted, self.caller, suffix, self._window)
        return await self.queue.count_hit(key, self.accepted.window_seconds)

    async def check(self) -> int | None:
        """Counts this submission; the seconds to wait when a budget is spent, else None."""
        if self.accepted.hits <= 0:
            return None
        try:
            spent = await self._hit("")
            posts = await self._hit(":posts")
            tally = await self._hit(":tally")
        except Exception:
            logger.warning("rate limit submit not checked: Redis did not answer")
            return None
        self._counted = True
        refused = tally - posts
        if spent - 1 - refused >= self.accepted.hits or refused >= self.refused.hits:
            return _window_left(self.accepted)
        return None

    async def refund(self) -> None:
        """Gives the submission back to the accepted budget; it now counts as refused."""
        if not self._counted:  # not counted (no limit, Redis down): nothing to give back
            return
        self._counted = False  # once: refunding twice would count one refusal as two
        try:
            await self._hit(":tally")
        except Exception:
            logger.warning("rate limit submit not refunded: Redis did not answer")


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
        caller = identity(scope, self.settings)
        if limit.name == "submit" and scope.get("path") == "/submit":
            budget = SubmissionBudget(queue, self.settings, caller)
            await self._submission(scope, receive, send, budget)
            return
        retry_after = await seconds_to_wait(queue, limit, caller)
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        await _too_many(scope, receive, send, retry_after)

    async def _submission(
        self, scope: Scope, receive: Receive, send: Send, budget: SubmissionBudget
    ) -> None:
        retry_after = await budget.check()
        if retry_after is not None:
            await budget.refund()  # a refused post: the refused budget is spent, not the other
            await _too_many(scope, receive, send, retry_after)
            return
        status = 500

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            # Accepted means redirected to the tracking page; any 4xx or 5xx saved nothing.
            if status >= 400:
                await budget.refund()


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def too_many_message(scope: Scope, retry_after: int) -> str:
    """The 429's message in the API's language: the cookie, else Accept-Language (by q-value),
    else Vietnamese, as service.api.view.request_language chooses it."""
    headers = Headers(scope=scope)
    language = caller_language(
        _cookie(headers.get("cookie", ""), LANGUAGE_COOKIE), headers.get("accept-language")
    )
    _ = translations(language).gettext
    return _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": retry_after}


async def _too_many(scope: Scope, receive: Receive, send: Send, retry_after: int) -> None:
    headers = [(b"retry-after", str(retry_after).encode())]
    if scope.get("path", "") != "/graphql":  # people get a page; the API keeps its JSON
        minutes = math.ceil(retry_after / 60)
        request = Request(scope, receive)
        await send_page(request, send, "errors/too_many.html", {"minutes": minutes}, 429, headers)
        return
    message = too_many_message(scope, retry_after)
    body = json.dumps({"errors": [{"message": message}]}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                *headers,
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
