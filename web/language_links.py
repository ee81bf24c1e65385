"""Links that carry their language: `?lang=en` on any page is remembered as the visitor's
choice, as the language switch does, and the page is reached again without the parameter.

Email links carry the recipient's language this way, so an English notice opens English pages
in a browser that has never chosen a language (pages read the language from a cookie only).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.i18n import LANGUAGE_COOKIE, LANGUAGE_PARAMETER, Language, parse_language

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def remember_language(response: Response, language: Language) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True, samesite="lax"
    )


def chosen_language_request(request: Request, language: Language) -> Request:
    """The request as if it already carried the language cookie it sets: for a page that
    answers a switch itself, in the new language, instead of redirecting to a GET."""
    scope = dict(request.scope)  # shares the session and state: only the cookie differs
    # A later Cookie header overrides an earlier one's value of the same name.
    scope["headers"] = [
        *request.scope["headers"],
        (b"cookie", f"{LANGUAGE_COOKIE}={language}".encode()),
    ]
    return Request(scope, request.receive)


class LanguageLinkMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        query = scope["query_string"].decode("latin-1")
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(name == LANGUAGE_PARAMETER for name, _ in pairs):
            await self.app(scope, receive, send)
            return
        language = parse_language(
            next(value for name, value in pairs if name == LANGUAGE_PARAMETER)
        )
        rest = urlencode([(name, value) for name, value in pairs if name != LANGUAGE_PARAMETER])
        target = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        if language is not None:
            remember_language(response, language)
        await response(scope, receive, send)
