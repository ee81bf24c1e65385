"""Administration of officials: the secretariat manages all, an agency admin their reviewers."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import repository as account_rows
from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.accounts.errors import NotPermitted, UserNotFound
from service.accounts.models import Role
from service.directory import service as directory
from service.errors import ValidationFailed
from service.runtime import Runtime
from service.text import whole_number
from web.common import field_errors, gettext_for, official
from web.csrf import checked_form
from web.history import History
from web.labels import role_labels
from web.rendering import page_language, render

_CREATE_FIELDS = ("email", "name", "role", "agency")
# The account just created and its generated password, kept in the session for the one page
# that shows them (post, redirect, get): reloading it neither posts again nor shows it again.
_CREATED_KEY = "created_official"


async def _administrator(request: Request) -> tuple[Runtime, Actor] | Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    if not accounts.may_manage_officials(allowed[1]):
        return render(request, "admin/forbidden.html", status_code=403)
    return allowed


def _labels(request: Request) -> dict[str, str]:
    _ = gettext_for(request)
    return {
        "email": _("Email"),
        "name": _("Name"),
        "role": _("Role"),
        "agency": _("Agency"),
        "password": _("Initial password"),
        "active": _("State"),
    }


async def _choices(runtime: Runtime, actor: Actor) -> dict[str, Any]:
    async with runtime.db.session() as session:
        agencies = [a for a in await directory.agencies(session) if a.is_active]
    if not actor.is_secretariat:
        agencies = [a for a in agencies if a.id == actor.agency_id]
    return {"agencies": agencies, "roles": accounts.manageable_roles(actor)}


async def _list_page(
    request: Request,
    runtime: Runtime,
    actor: Actor,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    created: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    agency_filter = request.query_params.get("agency", "")
    role_text = request.query_params.get("role", "")
    role = Role(role_text) if role_text in Role.__members__ else None
    async with runtime.db.session() as session:
        users = await accounts.officials_for(session, actor, agency_code=agency_filter, role=role)
        agencies = {a.id: a for a in await directory.agencies(session)}
    default_agency = "" if actor.is_secretariat else actor.agency_code
    response = render(
        request,
        "admin/users.html",
        {
            **await _choices(runtime, actor),
            "users": users,
            "agency_by_id": agencies,
            "filter_agency": agency_filter,
            "filter_role": role.value if role else "",
            "all_roles": list(Role),
            "values": values or {"role": Role.REVIEWER.value, "agency": default_agency},
            "errors": errors or {},
            "labels": _labels(request),
            "created": created,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # a generated password is shown once
    return response


async def users_page(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    created = request.session.pop(_CREATED_KEY, None)
    return await _list_page(
        request, *allowed, created=created if isinstance(created, dict) else None
    )


def _account_errors(
    request: Request, actor: Actor, failure: ValidationFailed, role: str
) -> dict[str, str]:
    """The service's messages by field; a role refused is named as the page names roles (the
    service's message names its code)."""
    errors = field_errors(failure)
    chosen = Role(role) if role in Role.__members__ else None
    if "role" in errors and chosen is not None and chosen not in accounts.manageable_roles(actor):
        _ = gettext_for(request)
        errors["role"] = _("You may not give the role %(role)s.") % {"role": role_labels(_)[chosen]}
    return errors


async def create_user(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    values = {name: str(form.get(name) or "") for name in _CREATE_FIELDS}
    password = str(form.get("password") or "")
    try:
        async with runtime.db.transaction() as session:
            created = await accounts.create_official(
                session,
                actor,
                email=values["email"],
                name=values["name"],
                role=values["role"],
                agency_code=values["agency"],
                password=password,
                language=page_language(request),
            )
    except ValidationFailed as failure:
        errors = _account_errors(request, actor, failure, values["role"])
        return await _list_page(
            request, runtime, actor, values=values, errors=errors, status_code=422
        )
    except NotPermitted:
        return render(request, "admin/forbidden.html", status_code=403)
    user, secret = created
    # Only a generated password is shown: the one typed is known to the administrator.
    request.session[_CREATED_KEY] = {"email": user.email, "password": "" if password else secret}
    return RedirectResponse("/admin/users", status_code=303)


def _user_id(request: Request) -> int:
    user_id = whole_number(request.path_params["user_id"])
    if user_id is None:
        raise HTTPException(404)
    return user_id


async def _user_page(
    request: Request,
    runtime: Runtime,
    actor: Actor,
    user_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refused: bool = False,
    status_code: int = 200,
) -> Response:
    async with runtime.db.session() as session:
        visible = await accounts.officials_for(session, actor)
        user = next((u for u in visible if u.id == user_id), None)
        if user is None:
            if await account_rows.get_user(session, user_id) is None:
                raise HTTPException(404)
            return _not_theirs(request)
        history = await accounts.account_history(session, actor, [user])
        names = await accounts.actor_names(session, [c.actor for c in history])
        agencies = {a.id: a for a in await directory.agencies(session)}
    agency = agencies.get(user.agency_id)
    myself = user.id == actor.user_id
    # Nobody changes their own role or deactivates themselves, and an agency admin manages only
    # reviewers: any other account is shown read-only, without forms that could only be refused.
    editable = not myself and (
        actor.is_secretariat or user.role in accounts.manageable_roles(actor)
    )
    return render(
        request,
        "admin/user.html",
        {
            **await _choices(runtime, actor),
            "user": user,
            "agency": agency,
            "values": values or {"role": user.role.value, "agency": agency.code if agency else ""},
            "errors": errors or {},
            "labels": _labels(request),
            "history": history,
            "actor_names": names,
            "history_text": History(page_language(request), agencies.values()),
            "myself": myself,
            "editable": editable,
            "refused": refused,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=status_code,
    )


def _not_theirs(request: Request) -> Response:
    """Another agency's account (or the secretariat's), asked for by an agency admin: the same
    refusal to see it as to change it, as creating an account for another agency words it, and
    nothing of the account itself."""
    _ = gettext_for(request)
    message = _("You may manage only your own agency's reviewers.")
    return render(request, "admin/forbidden.html", {"message": message}, status_code=403)


async def _refused(request: Request, runtime: Runtime, actor: Actor, user_id: int) -> Response:
    """A change the service refused: on the account page, saying why, when the administrator
    sees that account; for another agency's account the refusal its page gives."""
    try:
        return await _user_page(request, runtime, actor, user_id, refused=True, status_code=403)
    except HTTPException:
        return render(request, "admin/forbidden.html", status_code=403)


async def user_page(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    return await _user_page(request, *allowed, _user_id(request))


async def update_user(request: Request) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    user_id = _user_id(request)
    form = await checked_form(request)
    values = {"role": str(form.get("role") or ""), "agency": str(form.get("agency") or "")}
    try:
        async with runtime.db.transaction() as session:
            await accounts.update_official(
                session,
                actor,
                user_id,
                role=values["role"],
                agency_code=values["agency"],
                language=page_language(request),
            )
    except UserNotFound as missing:
        raise HTTPException(404) from missing
    except NotPermitted:
        # A form the page does not offer (kept open from before, or crafted): the account page
        # says why, rather than a page meant for those who are no administrators.
        return await _refused(request, runtime, actor, user_id)
    except ValidationFailed as failure:
        return await _user_page(
            request,
            runtime,
            actor,
            user_id,
            values=values,
            errors=_account_errors(request, actor, failure, values["role"]),
            status_code=422,
        )
    return RedirectResponse(f"/admin/users/{user_id}?saved=changed", status_code=303)


async def _set_active(request: Request, active: bool) -> Response:
    allowed = await _administrator(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    user_id = _user_id(request)
    await checked_form(request)
    try:
        async with runtime.db.transaction() as session:
            await accounts.set_official_active(
                session, actor, user_id, active, page_language(request)
            )
    except UserNotFound as missing:
        raise HTTPException(404) from missing
    except NotPermitted:
        # A form the page does not offer (kept open from before, or crafted): the account page
        # says why, rather than a page meant for those who are no administrators.
        return await _refused(request, runtime, actor, user_id)
    except ValidationFailed as failure:
        return await _user_page(
            request, runtime, actor, user_id, errors=field_errors(failure), status_code=422
        )
    state = "reactivated" if active else "deactivated"
    return RedirectResponse(f"/admin/users/{user_id}?saved={state}", status_code=303)


async def deactivate_user(request: Request) -> Response:
    return await _set_active(request, False)


async def reactivate_user(request: Request) -> Response:
    return await _set_active(request, True)
