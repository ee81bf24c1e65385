"""Every request gets an id: sent back as X-Request-ID and attached to the log lines it causes."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's (or a proxy's) id is kept when it is plainly an id; anything else is replaced, so a
# client cannot inject text into our logs through this header.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

_request_id: ContextVar[str | None] = ContextVar("intake_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request being served; outside a request, a fresh id kept for this context."""
    request_id = _request_id.get()
    if request_id is None:
        request_id = new_request_id()
        _request_id.set(request_id)
    return request_id


def _chosen_request_id(scope: Scope) -> str:
    incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
    return incoming if _ACCEPTABLE_ID.fullmatch(incoming) else new_request_id()


class RequestIdMiddleware:
    """Pure ASGI, so the id's context variable is visible to everything the request runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _chosen_request_id(scope)
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)


def peek_request_id() -> str | None:
    """The current request's id, or None outside one (never invents one)."""
    return _request_id.get()


def use_request_id(request_id: str | None) -> None:
    """Carry an id into work done on a request's behalf, such as its jobs."""
    _request_id.set(request_id if request_id and _ACCEPTABLE_ID.fullmatch(request_id) else None)
