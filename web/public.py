"""Public pages: the landing page's figures, published submissions, the transparency dashboard."""

from __future__ import annotations

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
        agencies = {a.id: a for a in await directory.agencies(session)}
        if query:
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


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def period_of(params: Any, today: date, language: Language) -> tuple[Period, str]:
    """The chosen period, or the last year with what was wrong when the choice made no sense.
    The days are read as the API's `stats` reads them (service.statistics.period)."""
    _ = translations(language).gettext
    default = statistics.last_year(today)
    raw_from, raw_to = str(params.get("from", "")), str(params.get("to", ""))
    problem = _("Enter dates as YYYY-MM-DD, the first not after the last.")
    start, end = _day(raw_from), _day(raw_to)
    if (raw_from and start is None) or (raw_to and end is None):
        return default, problem
    try:
        return statistics.period(start, end, today, language), ""
    except ValidationFailed as failure:
        # Out of the calendar's years: say which years, as the API does.
        limits = [e.message for e in failure.errors if e.code == "out_of_range"][:1]
        return default, " ".join([problem, *limits])


async def dashboard(request: Request) -> Response:
    runtime = runtime_of(request)
    period, problem = period_of(request.query_params, statistics.today(), page_language(request))
    start, end = period.bounds
    chosen = request.query_params.get("agency", "")
    async with runtime.db.replica_session() as session:
        # The secretariat's triage queue answers nothing itself: it is not an agency's row.
        agencies = [
            a
            for a in await directory.agencies(session)
            if a.is_active and a.kind is not AgencyKind.SECRETARIAT
        ]
        overall, by_agency = await statistics.figures_by_agency(session, start, end)
    nothing = statistics.Figures(0, 0, 0, 0, None, None, 0)
    per_agency = [
        (agency, by_agency.get(agency.id or 0, nothing))
        for agency in agencies
        if agency.id in by_agency or agency.code == chosen
    ]
    selected = next(((a, f) for a, f in per_agency if a.code == chosen), None)
    return render(
        request,
        "statistics.html",
        {
            "period": period,
            "problem": problem,
            "overall": overall,
            "per_agency": per_agency,
            "agencies": agencies,
            "chosen": chosen,
            "selected": selected,
        },
        status_code=422 if problem else 200,
    )
