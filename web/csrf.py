"""CSRF protection: a per-session token that every form posts back."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

FIELD = "csrf_token"
_SESSION_KEY = "csrf"


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
        await form.close()  # uploads spooled to temporary files
        raise HTTPException(403, "The form has expired. Go back, reload the page and try again.")
    return form
