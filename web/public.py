"""Public pages: the landing page's figures, published submissions, the transparency dashboard."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from search.base import SearchFilters, SearchScope
from service.accounts.actor import Actor
from service.directory import service as directory
from service.directory.models import AgencyKind
from service.errors import ValidationFailed
from service.i18n import Language, translations
from service.proposals import service as proposals
from service.proposals.models import ProposalFilter, ProposalKind, ProposalOrder
from service.statistics import service as statistics
from service.statistics.service import Period
from service.text import whole_number
from web.common import runtime_of
from web.rendering import page_language, render

PAGE_SIZE = 20


async def landing(request: Request) -> Response:
    runtime = runtime_of(request)
    start, end = statistics.last_year(statistics.today()).bounds
    async with runtime.db.replica_session() as session:
        figures = await statistics.figures(session, None, start, end)
    return render(request, "index.html", {"figures": figures})


def _page_number(raw: str) -> int:
    return max(1, whole_number(raw, 99_999) or 1)


async def published(request: Request) -> Response:
    runtime = runtime_of(request)
    params = request.query_params
    query = params.get("q", "").strip()[: runtime.settings.max_search_query_length]
    kind = params.get("kind", "")
    category = params.get("category", "")
    page = _page_number(params.get("page", "1"))
    kinds = frozenset({kind}) if kind in ProposalKind.__members__ else frozenset()
    categories_chosen = frozenset({category}) if category else frozenset()
    async with runtime.db.replica_session() as session:
        categories = await directory.categories(session)
        every_agency = await directory.agencies(session)
        agencies = {a.id: a for a in every_agency}
        if query:
            by_code = {a.code: a for a in every_agency}  # a hit names its agency by code
            result = await runtime.search.search(
                query,
                SearchScope.public(),
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                filters=SearchFilters(kinds=kinds, categories=categories_chosen, published=True),
            )
            rows: list[dict[str, Any]] = [
                {
                    "code": hit.tracking_code,
                    "title": hit.title,
                    "snippet": hit.snippet,
                    "kind": hit.kind,
                    "status": hit.status,
                    "created_at": hit.created_at,
                    "agency": by_code.get(hit.agency) if hit.agency else None,
                }
                for hit in result.hits
            ]
            total = result.total
        else:
            found, total = await proposals.list_for(
                session,
                Actor.anonymous(),
                ProposalFilter(
                    kinds=frozenset(ProposalKind(k) for k in kinds), categories=categories_chosen
                ),
                order=ProposalOrder.NEWEST,
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
            rows = [
                {
                    "code": p.tracking_code,
                    "title": p.title,
                    "snippet": "",
                    "kind": p.kind.value,
                    "status": p.status.value,
                    "created_at": p.created_at,
                    "agency": agencies.get(p.agency_id) if p.agency_id else None,
                }
                for p in found
            ]
    return render(
        request,
        "published.html",
        {
            "rows": rows,
            "total": total,
            "q": query,
            "kind": kind,
            "category": category,
            "categories": categories,
            "page": page,
            "pages": (total + PAGE_SIZE - 1) // PAGE_SIZE,
        },
    )


_PERIOD_FIELDS = ("from", "to")  # in the order the form shows them, then "agency"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(raw: str) -> date | None:
    """A day as the date input sends it, YYYY-MM-DD; None for anything else."""
    if not _ISO_DAY.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:  # 2026-02-30
        return None


def period_of(
    typed: Mapping[str, str], today: date, language: Language
) -> tuple[Period | None, dict[str, str]]:
    """The chosen period, or what is wrong with each of `from` and `to`, every problem at once.
    The days are read as the API's `stats` reads them (service.statistics.period)."""
    _ = translations(language).gettext
    days = {name: _day(typed[name]) for name in _PERIOD_FIELDS}
    errors = {
        name: _("Enter a date like 2026-03-31.")
        for name in _PERIOD_FIELDS
        if typed[name] and days[name] is None
    }
    try:
        period = statistics.period(days["from"], days["to"], today, language)
    except ValidationFailed as failure:
        for problem in failure.errors:
            message = problem.message
            if problem.code == "after_to":
                if "to" in errors:
                    continue  # compared with today, standing in for a last day that is no day
                if not typed["to"]:
                    message = _(
                        "The first day of the period must not come after today, %(today)s."
                    ) % {"today": today.isoformat()}
            errors.setdefault(problem.field, message)
        return None, errors
    return (None if errors else period), errors


async def dashboard(request: Request) -> Response:
    runtime = runtime_of(request)
    language = page_language(request)
    _ = translations(language).gettext
    typed = {
        name: str(request.query_params.get(name, "")).strip()
        for name in (*_PERIOD_FIELDS, "agency")
    }
    period, errors = period_of(typed, statistics.today(), language)
    chosen = typed["agency"]
    overall: statistics.Figures | None = None
    by_agency: dict[int, statistics.Figures] = {}
    async with runtime.db.replica_session() as session:
        every = await directory.agencies(session)
        row = next((a for a in every if a.code == chosen), None) if chosen else None
        # Any agency of the directory, also one deactivated since: its figures are history.
        if chosen and row is None:
            errors["agency"] = _('Unknown agency code "%(value)s".') % {"value": chosen}
        if period is not None and not errors:
            start, end = period.bounds
            overall, by_agency = await statistics.figures_by_agency(session, start, end)
    # The secretariat's triage queue answers nothing itself: it is not an agency's row. An
    # agency deactivated since stays listed while it has figures in the period.
    agencies = [
        a
        for a in every
        if a is row or (a.kind is not AgencyKind.SECRETARIAT and (a.is_active or a.id in by_agency))
    ]
    nothing = statistics.Figures(0, 0, 0, 0, None, None, 0)
    per_agency = [
        (agency, by_agency.get(agency.id or 0, nothing))
        for agency in agencies
        if agency.id in by_agency or agency is row
    ]
    selected = next(((a, f) for a, f in per_agency if a is row), None)
    # The agencies' rows and what the secretariat holds add up to the overall `received`.
    in_rows = sum(f.received for a, f in per_agency if a.kind is not AgencyKind.SECRETARIAT)
    refused = bool(errors)
    values = {
        name: typed[name] if refused or period is None else getattr(period, attribute).isoformat()
        for name, attribute in (("from", "start"), ("to", "end"))
    }
    return render(
        request,
        "statistics.html",
        {
            "period": period,
            # Every problem in the form's order, each linked from the summary to its input.
            "errors": {
                name: errors[name] for name in (*_PERIOD_FIELDS, "agency") if name in errors
            },
            "labels": {"from": _("From"), "to": _("To"), "agency": _("Agency")},
            # What was typed stays in the input; a date input would blank what is no date.
            "values": values,
            "input_types": {
                name: "date" if not value or _day(value) else "text"
                for name, value in values.items()
            },
            "overall": overall,
            "per_agency": per_agency,
            "in_rows": in_rows,
            "agencies": agencies,
            "chosen": chosen,
            "selected": selected,
        },
        status_code=422 if refused else 200,
    )
