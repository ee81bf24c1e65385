"""Security headers on every response: CSP, no framing, no sniffing, referrer policy, HSTS."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# GraphiQL (GET /graphql in a browser) is Strawberry's page: inline scripts and assets from a CDN.
# It is a developer tool, off in production, so it gets only the framing and plugin rules.
GRAPHQL_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
HSTS = "max-age=31536000; includeSubDomains"
# Officials' pages carry submitters' contact details and internal notes: never stored by a
# browser or a proxy (the private tracking page and exports set the same themselves).
_PRIVATE_PREFIXES = ("/inbox", "/secretariat", "/admin", "/dev/")
PRIVATE_CACHING = "private, no-store"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = GRAPHQL_POLICY if scope["path"].startswith("/graphql") else PAGE_POLICY
        private = scope["path"].startswith(_PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if private:
                    headers.setdefault("Cache-Control", PRIVATE_CACHING)
                if self.production:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
