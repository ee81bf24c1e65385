"""A bound on the requests one process works on at once: beyond it, 503 with Retry-After.

Under overload a server that accepts everything spends its time on requests whose clients have
already given up (the load benchmark saw 17 answers in two minutes with 512 in flight): each
waits for the database pool, SQLite's writer or the CPU behind all the others. Refusing at once
what is beyond the bound keeps the requests within it fast, and tells the others to come back.
uvicorn's own limit_concurrency counts open connections, idle keep-alive ones included, and
answers without Retry-After; this counts requests in progress.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from service.bodylimit import request_language, send_text
from service.i18n import translations

# Probes and scrapes are answered whatever the load: they say how the process is doing.
_ALWAYS = ("/healthz", "/readyz", "/metrics")


class ConcurrencyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, retry_after_seconds: int) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = str(retry_after_seconds).encode()
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limit or scope.get("path") in _ALWAYS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        _ = translations(request_language(scope)).gettext
        body = _("Intake is busy. Please try again in a few seconds.")
        await send_text(send, 503, body, [(b"retry-after", self.retry_after)])
