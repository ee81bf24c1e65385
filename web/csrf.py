"""CSRF protection: a per-session token that every form posts back."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

FIELD = "csrf_token"
_SESSION_KEY = "csrf"


class FormExpired(HTTPException):
    """A form whose token does not match the session's: the session expired or has no cookie.

    It carries the posted text fields (never files), so a page may show its form again
    filled in."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(403, "The form has expired. Go back, reload the page and try again.")
        self.values = values


def csrf_token(request: Request) -> str:
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the session's (403 if wrong)."""
    form = await request.form()
    sent, expected = form.get(FIELD), request.session.get(_SESSION_KEY)
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone may send.
    if not (
        isinstance(sent, str)
        and isinstance(expected, str)
        and hmac.compare_digest(sent.encode(errors="replace"), expected.encode())
    ):
        values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != FIELD}
        await form.close()  # uploads spooled to temporary files
        raise FormExpired(values)
    return form


async def form_expired(request: Request, error: Exception) -> Response:
    """The 403 of an expired form, as a page in the visitor's language."""
    # Imported here: both modules import this one (web.rendering for csrf_token).
    from service.bodylimit import back_link
    from web.rendering import render

    return render(
        request, "errors/form_expired.html", {"back": back_link(request)}, status_code=403
    )
