"""An agency's response templates, kept from the inbox: list, create, edit and delete them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts.actor import Actor
from service.errors import ValidationFailed
from service.proposals.errors import ProposalNotFound
from service.runtime import Runtime
from service.text import whole_number
from service.workflow import service as workflow
from service.workflow.errors import SAVE_TEMPLATE, NotPermitted
from service.workflow.models import ResponseTemplate
from web.common import field_errors, gettext_for, official
from web.csrf import checked_form
from web.rendering import page_language, render

PATH = "/inbox/templates"
_FIELDS = ("name", "body")


async def _agency_official(request: Request) -> tuple[Runtime, Actor] | Response:
    """The service keeps templates for agency officials only: the secretariat is told so."""
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    if not allowed[1].is_agency_official:
        message = NotPermitted(SAVE_TEMPLATE).message(page_language(request))
        return render(request, "admin/forbidden.html", {"message": message}, status_code=403)
    return allowed


def _labels(request: Request) -> dict[str, str]:
    """The form's fields in page order, as the error summary names them."""
    _ = gettext_for(request)
    return {"name": _("Template name"), "body": _("Template text")}


def _template_id(request: Request) -> int:
    template_id = whole_number(request.path_params["template_id"])
    if template_id is None:
        raise HTTPException(404)
    return template_id


async def _own_template(runtime: Runtime, actor: Actor, template_id: int) -> ResponseTemplate:
    """One of the caller's agency's templates (the service lists only those), else 404."""
    async with runtime.db.session() as session:
        templates = await workflow.response_templates(session, actor)
    template = next((t for t in templates if t.id == template_id), None)
    if template is None:
        raise HTTPException(404)
    return template


async def _page(
    request: Request,
    runtime: Runtime,
    actor: Actor,
    editing: ResponseTemplate | None = None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The agency's templates, with the form for a new one or for the one being edited."""
    async with runtime.db.session() as session:
        templates = await workflow.response_templates(session, actor)
    shown = {"name": editing.name, "body": editing.body} if editing else dict.fromkeys(_FIELDS, "")
    return render(
        request,
        "inbox/templates.html",
        {
            "templates": templates,
            "editing": editing,
            "values": values or shown,
            "errors": errors or {},
            "labels": _labels(request),
            "done": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


async def templates_page(request: Request) -> Response:
    allowed = await _agency_official(request)
    if isinstance(allowed, Response):
        return allowed
    return await _page(request, *allowed)


async def template_page(request: Request) -> Response:
    allowed = await _agency_official(request)
    if isinstance(allowed, Response):
        return allowed
    return await _page(request, *allowed, await _own_template(*allowed, _template_id(request)))


async def create_template(request: Request) -> Response:
    allowed = await _agency_official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    values = {name: str(form.get(name) or "") for name in _FIELDS}
    try:
        async with runtime.db.transaction() as session:
            await workflow.save_response_template(
                session, actor, values["name"], values["body"], page_language(request)
            )
    except ValidationFailed as failure:
        return await _page(
            request, runtime, actor, values=values, errors=field_errors(failure), status_code=422
        )
    return RedirectResponse(f"{PATH}?done=saved", status_code=303)


async def save_template(request: Request) -> Response:
    allowed = await _agency_official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    template = await _own_template(runtime, actor, _template_id(request))
    values = {name: str(form.get(name) or "") for name in _FIELDS}
    try:
        async with runtime.db.transaction() as session:
            await workflow.save_response_template(
                session, actor, values["name"], values["body"], page_language(request), template.id
            )
    except ProposalNotFound as missing:  # deleted by a colleague meanwhile
        raise HTTPException(404) from missing
    except ValidationFailed as failure:
        return await _page(
            request,
            runtime,
            actor,
            template,
            values=values,
            errors=field_errors(failure),
            status_code=422,
        )
    return RedirectResponse(f"{PATH}?done=saved", status_code=303)


async def delete_template(request: Request) -> Response:
    allowed = await _agency_official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    template_id = _template_id(request)
    await checked_form(request)
    async with runtime.db.transaction() as session:
        deleted = await workflow.delete_response_template(session, actor, template_id)
    if not deleted:
        raise HTTPException(404)
    return RedirectResponse(f"{PATH}?done=deleted", status_code=303)
