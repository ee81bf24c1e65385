"""A size limit on request bodies of pages and forms, checked while the body streams in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.i18n import LANGUAGE_COOKIE, caller_language, format_size
from service.settings import Settings
from web.rendering import page_language, render

# /graphql applies its own limits (service/api/view.py), answered in GraphQL's error shape.
_OWN_LIMITS = ("/graphql",)


class _TooLarge(Exception):
    pass


def body_limit(settings: Settings, content_type: str) -> int:
    """Bytes a request may send: forms get max_form_bytes, uploads room for every attachment."""
    if content_type.lower().startswith("multipart/"):
        attachments = settings.attachment_max_count * (settings.attachment_max_bytes + 4096)
        return settings.max_form_bytes + attachments
    return settings.max_form_bytes


class BodySizeLimitMiddleware:
    """413 naming the limit for a body larger than allowed, declared or streamed."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(_OWN_LIMITS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(self.settings, headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await _too_large(scope, receive, send, limit)


def request_language(scope: Scope) -> str:
    """The language of a plain answer sent before any page code runs."""
    request = Request(scope)
    return caller_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    # The body was not read, so the form cannot come back filled in: the page says so.
    request = Request(scope, receive)
    size = format_size(limit, page_language(request))
    await send_page(
        request, send, "errors/too_large.html", {"size": size}, 413, [(b"connection", b"close")]
    )


def back_link(request: Request) -> str:
    """Where "Back to the form" leads: the page the form was on (its Referer, same site only);
    without one, a form page such as /submit itself, or the page a step's form posts from
    (/track/{code} for /track/{code}/answer)."""
    referer = urlsplit(request.headers.get("referer", ""))
    path = referer.path
    if referer.netloc == request.url.netloc and path.startswith("/") and not _odd(path):
        return path + (f"?{referer.query}" if referer.query else "")
    own = request.url.path.rstrip("/")
    return (own.rpartition("/")[0] or own) or "/"


def _odd(path: str) -> bool:
    """A path a browser could read as another host."""
    return path.startswith("//") or "\\" in path


async def send_page(
    request: Request,
    send: Send,
    template: str,
    context: dict[str, Any],
    status: int,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A whole error page in the visitor's language, from middleware that answers early."""
    response = render(request, template, {"back": back_link(request), **context}, status)
    response.raw_headers.extend(headers or [])
    await response(request.scope, request.receive, send)


async def send_text(
    send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A whole plain-text response, from middleware that answers before the application."""
    encoded = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(encoded)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": encoded})
