"""Administration of agencies: names, contact emails, competences and deadline overrides."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from search.text import fold
from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.directory import service as directory
from service.directory.models import Agency, AgencyKind
from service.errors import FieldError, ValidationFailed
from service.routing import service as routing
from service.runtime import Runtime
from web import labels
from web.common import field_errors, gettext_for, secretariat
from web.csrf import checked_form
from web.history import History
from web.rendering import page_language, render

_FIELDS = (
    "nameVi",
    "nameEn",
    "emails",
    "acknowledgeDays",
    "respondDays",
    "keywordsVi",
    "keywordsEn",
)


def _lines(text: str) -> list[str]:
    """A textarea of one item a line (semicolons separate too)."""
    return [item.strip() for line in text.splitlines() for item in line.split(";") if item.strip()]


async def agencies_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, _actor = allowed
    query = request.query_params.get("q", "").strip()
    kind = request.query_params.get("kind", "")
    async with runtime.db.session() as session:
        rows = await directory.agencies(session)
    if kind in AgencyKind.__members__:
        rows = [a for a in rows if a.kind.value == kind]
    else:
        kind = ""
    if query:
        wanted = fold(query)
        rows = [a for a in rows if wanted in fold(f"{a.code} {a.name_vi} {a.name_en}")]
    return render(
        request,
        "admin/agencies.html",
        {
            "agencies": rows,
            "query": query,
            "kind": kind,
            "kinds": list(AgencyKind),
            "agency_kind_labels": labels.agency_kind_labels(gettext_for(request)),
        },
    )


def _values_of(agency: Agency, categories: list[str]) -> dict[str, Any]:
    return {
        "nameVi": agency.name_vi,
        "nameEn": agency.name_en,
        "emails": "\n".join(agency.emails),
        "acknowledgeDays": "" if agency.acknowledge_days is None else str(agency.acknowledge_days),
        "respondDays": "" if agency.respond_days is None else str(agency.respond_days),
        "keywordsVi": "\n".join(agency.keywords_vi),
        "keywordsEn": "\n".join(agency.keywords_en),
        "categories": categories,
    }


async def _agency_page(
    request: Request,
    runtime: Runtime,
    code: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with runtime.db.session() as session:
        agency = await directory.agency(session, code)
        if agency is None:
            raise HTTPException(404)
        current = await directory.agency_categories(session, agency)
        categories = await directory.categories(session)
        history = await directory.agency_history(session, agency.code)
        names = await accounts.actor_names(session, [c.actor for c in history])
        agencies = await directory.agencies(session)
    return render(
        request,
        "admin/agency.html",
        {
            "agency": agency,
            "values": values if values is not None else _values_of(agency, current),
            "errors": errors or {},
            "categories": categories,
            "history": history,
            "actor_names": names,
            "history_text": History(page_language(request), agencies, categories),
            "labels": _labels(request),
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status_code,
    )


def _labels(request: Request) -> dict[str, str]:
    _ = gettext_for(request)
    return {
        "nameVi": _("Name in Vietnamese"),
        "nameEn": _("Name in English"),
        "emails": _("Contact emails"),
        "acknowledgeDays": _("Business days to acknowledge"),
        "respondDays": _("Business days to respond"),
        "categories": _("Categories"),
        "keywordsVi": _("Keywords in Vietnamese"),
        "keywordsEn": _("Keywords in English"),
        "agencyCode": _("Agency"),
    }


async def agency_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    return await _agency_page(request, allowed[0], request.path_params["code"])


async def save_agency(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    code = request.path_params["code"]
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in _FIELDS}
    values["categories"] = [str(c) for c in form.getlist("categories")]
    try:
        async with runtime.db.transaction() as session:
            await _save(session, actor, code, values, request, _default_days(runtime))
    except ValidationFailed as failure:
        return await _agency_page(
            request, runtime, code, values=values, errors=field_errors(failure), status_code=422
        )
    return RedirectResponse(f"/admin/agencies/{code}?saved=1", status_code=303)


def _default_days(runtime: Runtime) -> tuple[int, int]:
    """The business days to acknowledge and to respond where an agency sets none."""
    settings = runtime.settings
    return settings.acknowledge_business_days, settings.response_business_days


async def _save(
    session: AsyncSession,
    actor: Actor,
    code: str,
    values: dict[str, Any],
    request: Request,
    defaults: tuple[int, int],
) -> None:
    """Both edits in one transaction; every problem of both is reported, nothing is stored."""
    language = page_language(request)
    problems: list[FieldError] = []
    days: dict[str, int | None] = {}
    for name in ("acknowledgeDays", "respondDays"):
        try:
            days[name] = directory.parse_days(values[name], name, language)
        except ValidationFailed as failure:
            problems += failure.errors
            days[name] = None
    if await directory.agency(session, code) is None:
        raise HTTPException(404)
    try:
        await directory.update_agency(
            session,
            actor.label,
            code,
            language,
            name_vi=values["nameVi"],
            name_en=values["nameEn"],
            emails=_lines(values["emails"]),
            acknowledge_days=days["acknowledgeDays"],
            respond_days=days["respondDays"],
            defaults=defaults,
        )
    except ValidationFailed as failure:
        problems += failure.errors
    try:
        await routing.update_agency_competences(
            session,
            actor.label,
            code,
            language,
            categories=values["categories"],
            keywords_vi=_lines(values["keywordsVi"]),
            keywords_en=_lines(values["keywordsEn"]),
        )
    except ValidationFailed as failure:
        problems += failure.errors
    if problems:
        raise ValidationFailed(problems)
