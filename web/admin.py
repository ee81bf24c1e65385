"""Administration pages: API tokens for agency portals."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.accounts.errors import TokenNotPermitted, UnknownAgency
from service.accounts.models import Role
from service.api.auth import resolve_actor
from service.directory import service as directory
from service.i18n import translations
from service.runtime import Runtime
from service.text import whole_number
from web.csrf import checked_form
from web.rendering import page_language, render

_NAME_MAX = 100
# A token just issued, kept in the session for the one page that shows it (post, redirect, get):
# reloading that page neither issues another token nor shows the secret again.
_ISSUED_KEY = "issued_token"
_REVOKED_KEY = "revoked_token"  # the name of the token just revoked, confirmed the same way


async def _administrator(request: Request) -> tuple[Runtime, Actor] | Response:
    runtime: Runtime = request.app.state.runtime
    actor = await resolve_actor(request, runtime)
    if not actor.is_official:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not accounts.may_manage_tokens(actor):
        return render(request, "admin/forbidden.html", status_code=403)
    return runtime, actor


async def _page(
    request: Request,
    runtime: Runtime,
    actor: Actor,
    *,
    issued: dict[str, str] | None = None,
    revoked: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    async with runtime.db.session() as session:
        tokens = await accounts.tokens_for(session, actor)
        agencies = {a.id: a for a in await directory.agencies(session)}
    roles = [Role.REVIEWER, Role.AGENCY_ADMIN]
    if actor.is_secretariat:
        roles += [Role.SECRETARIAT, Role.ADMIN]
    _ = translations(page_language(request)).gettext
    response = render(
        request,
        "admin/tokens.html",
        {
            "tokens": tokens,
            "agencies": agencies,
            "roles": roles,
            "own_agency": actor.agency_code,
            "secretariat": actor.is_secretariat,
            "issued": issued,
            "revoked": revoked,
            # A rejected form keeps what was typed; a fresh one proposes the admin's own agency.
            "values": values or {"name": "", "role": "", "agency": actor.agency_code or ""},
            "errors": errors or {},
            "labels": {"name": _("Name"), "role": _("Role"), "agency": _("Agency")},
            "error": error,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
    return response


def _token_errors(values: dict[str, str], _: Callable[[str], str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = _("Give the token a name.")
    elif len(values["name"]) > _NAME_MAX:
        errors["name"] = _("Use at most %(max)s characters.") % {"max": _NAME_MAX}
    if values["role"] not in Role.__members__:
        errors["role"] = _("Choose a role.")
    elif not values["agency"] and Role(values["role"]) is Role.REVIEWER:
        errors["agency"] = _("Choose the agency of the reviewer.")
    elif not values["agency"] and Role(values["role"]) is Role.AGENCY_ADMIN:
        errors["agency"] = _("Choose the agency of the agency administrator.")
    return errors


async def tokens_page(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    issued = request.session.pop(_ISSUED_KEY, None)
    revoked = request.session.pop(_REVOKED_KEY, None)
    return await _page(
        request,
        *allowed,
        issued=issued if isinstance(issued, dict) else None,
        revoked=revoked if isinstance(revoked, str) else "",
    )


async def create_token(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    _ = translations(page_language(request)).gettext
    values = {
        "name": str(form.get("name") or "").strip(),
        "role": str(form.get("role") or ""),
        "agency": str(form.get("agency") or ""),
    }
    errors = _token_errors(values, _)
    if errors:
        return await _page(request, runtime, actor, values=values, errors=errors, status_code=422)
    try:
        async with runtime.db.transaction() as session:
            issued = await accounts.issue_token(
                session,
                actor,
                name=values["name"],
                role=Role(values["role"]),
                agency_code=values["agency"] or None,
            )
    except UnknownAgency:
        errors = {"agency": _("Choose an agency from the directory.")}
        return await _page(request, runtime, actor, values=values, errors=errors, status_code=422)
    except TokenNotPermitted:
        return await _page(
            request,
            runtime,
            actor,
            values=values,
            error=_("You may not issue this token."),
            status_code=403,
        )
    request.session[_ISSUED_KEY] = {"name": values["name"], "secret": issued.secret}
    return RedirectResponse("/admin/tokens", status_code=303)


async def revoke_token(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    await checked_form(request)
    token_id = whole_number(request.path_params["token_id"])
    revoked = None
    if token_id is not None:
        async with runtime.db.transaction() as session:
            revoked = await accounts.revoke_token_as(session, actor, token_id)
    if revoked is None:
        # Missing and another agency's token read the same: the answer reveals no token.
        _ = translations(page_language(request)).gettext
        error = _("No token you manage has this number: nothing was revoked.")
        return await _page(request, runtime, actor, error=error, status_code=404)
    request.session[_REVOKED_KEY] = revoked.name
    return RedirectResponse("/admin/tokens", status_code=303)
