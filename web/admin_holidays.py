"""Administration of the public holidays that deadlines skip, by year."""

from __future__ import annotations

from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import service as accounts
from service.errors import FieldError, ValidationFailed
from service.holidays import service as holidays
from service.holidays.errors import HolidayNotFound
from service.runtime import Runtime
from service.text import whole_number
from web.common import field_errors, gettext_for, secretariat
from web.csrf import checked_form
from web.history import History
from web.rendering import page_language, render


def _year(request: Request) -> int:
    raw = request.query_params.get("year", "")
    year = whole_number(raw, holidays.MAX_YEAR)
    if year is not None and year >= holidays.MIN_YEAR:
        return year
    return holidays.this_year()


async def _page(
    request: Request,
    runtime: Runtime,
    year: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with runtime.db.session() as session:
        listed = await holidays.holidays_in(session, year)
        history = await holidays.changes_in(session, year)
        names = await accounts.actor_names(session, [c.actor for c in history])
        unlisted = await holidays.years_without_holidays(session)
    _ = gettext_for(request)
    return render(
        request,
        "admin/holidays.html",
        {
            "year": year,
            "years": [year - 1, year + 1],
            "holidays": listed,
            "unlisted": unlisted,
            "history": history,
            "actor_names": names,
            "history_text": History(page_language(request)),
            "values": values or {"date": "", "name": ""},
            "errors": errors or {},
            "labels": {"date": _("Date"), "name": _("Name")},
            "done": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


async def holidays_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    return await _page(request, allowed[0], _year(request))


async def add_holiday(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    values = {"date": str(form.get("date") or ""), "name": str(form.get("name") or "")}
    language = page_language(request)
    problems: list[FieldError] = []
    day: date | None = None
    try:
        day = holidays.parse_day(values["date"], language)
    except ValidationFailed as failure:
        problems += failure.errors
    try:
        holidays.checked_name(values["name"], language)
    except ValidationFailed as failure:
        problems += failure.errors
    if day is None or problems:
        year = day.year if day is not None else _year(request)
        errors = field_errors(ValidationFailed(problems))
        return await _page(request, runtime, year, values=values, errors=errors, status_code=422)
    async with runtime.db.transaction() as session:
        await holidays.save_holiday(session, actor.label, day, values["name"], language)
    return RedirectResponse(f"/admin/holidays?year={day.year}&done=added", status_code=303)


async def remove_holiday(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    await checked_form(request)
    try:
        day = date.fromisoformat(request.path_params["day"])
    except ValueError as wrong:
        raise HTTPException(404) from wrong
    try:
        async with runtime.db.transaction() as session:
            await holidays.delete_holiday(session, actor.label, day)
    except HolidayNotFound as missing:
        raise HTTPException(404) from missing
    return RedirectResponse(f"/admin/holidays?year={day.year}&done=removed", status_code=303)
