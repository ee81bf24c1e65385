"""Signing officials in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import service as accounts
from service.accounts.errors import AccountLocked
from service.accounts.models import User
from service.api.auth import SESSION_GENERATION_KEY, SESSION_USER_KEY
from service.i18n import format_when, translations
from service.runtime import Runtime
from web.csrf import checked_form
from web.rendering import page_language, render

SESSION_EMAIL_KEY = "email"


def _safe_next(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


async def login_form(request: Request) -> Response:
    return render(
        request,
        "login.html",
        {
            "email": "",
            "error": "",
            "next": _safe_next(request.query_params.get("next", "/")),
            "ended": request.query_params.get("ended") == "1",
        },
    )


async def login(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    form = await checked_form(request)
    email, password = str(form.get("email") or ""), str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or "/"))
    async with runtime.db.transaction() as session:
        outcome = await accounts.attempt_login(session, email, password)
    if isinstance(outcome, User):
        request.session.clear()
        request.session[SESSION_USER_KEY] = outcome.id
        request.session[SESSION_GENERATION_KEY] = outcome.session_generation
        request.session[SESSION_EMAIL_KEY] = outcome.email
        request.session["role"] = outcome.role.value
        return RedirectResponse(target, status_code=303)
    language = page_language(request)
    _ = translations(language).gettext
    if isinstance(outcome, AccountLocked):
        error = _("Too many failed attempts. Try again after %(time)s.") % {
            "time": format_when(outcome.until, language)
        }
    else:
        error = _("The email or password is not right.")
    context = {"email": email, "error": error, "next": target}
    return render(request, "login.html", context, status_code=401)


async def logout(request: Request) -> Response:
    await checked_form(request)
    user_id = request.session.get(SESSION_USER_KEY)
    if isinstance(user_id, int):
        # Signed out everywhere: a copy of this cookie (or another device's) no longer works.
        async with request.app.state.runtime.db.transaction() as session:
            await accounts.end_sessions(session, user_id)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
