"""Administration pages: API tokens for agency portals."""

from __future__ import annotations

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
from web.csrf import checked_form
from web.rendering import page_language, render


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
    issued: accounts.IssuedToken | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    async with runtime.db.session() as session:
        tokens = await accounts.tokens_for(session, actor)
        agencies = {a.id: a for a in await directory.agencies(session)}
    roles = [Role.REVIEWER, Role.AGENCY_ADMIN]
    if actor.is_secretariat:
        roles += [Role.SECRETARIAT, Role.ADMIN]
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
            "error": error,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
    return response


async def tokens_page(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    return await _page(request, *allowed)


async def create_token(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    _ = translations(page_language(request)).gettext
    name = str(form.get("name") or "").strip()
    role_value = str(form.get("role") or "")
    agency = str(form.get("agency") or "") or None
    if not name or len(name) > 100 or role_value not in Role.__members__:
        return await _page(
            request, runtime, actor, error=_("Give the token a name and a role."), status_code=422
        )
    try:
        async with runtime.db.transaction() as session:
            issued = await accounts.issue_token(
                session, actor, name=name, role=Role(role_value), agency_code=agency
            )
    except (TokenNotPermitted, UnknownAgency):
        return await _page(
            request,
            runtime,
            actor,
            error=_("You may not issue this token."),
            status_code=403,
        )
    return await _page(request, runtime, actor, issued=issued)


async def revoke_token(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    await checked_form(request)
    raw = request.path_params["token_id"]
    if raw.isdigit():
        async with runtime.db.transaction() as session:
            await accounts.revoke_token_as(session, actor, int(raw))
    return RedirectResponse("/admin/tokens", status_code=303)
