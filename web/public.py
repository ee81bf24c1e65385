"""Public pages: the landing page's figures, published submissions, the transparency dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from search.base import SearchFilters, SearchScope
from service.accounts.actor import Actor
from service.calendar import ZONE
from service.db import utcnow
from service.directory import service as directory
from service.directory.models import AgencyKind
from service.proposals import service as proposals
from service.proposals.models import ProposalFilter, ProposalKind, ProposalOrder
from service.statistics import service as statistics
from service.text import whole_number
from web.common import gettext_for, runtime_of
from web.rendering import render

PAGE_SIZE = 20
DEFAULT_PERIOD_DAYS = 365


async def landing(request: Request) -> Response:
    runtime = runtime_of(request)
    end = utcnow()
    async with runtime.db.replica_session() as session:
        figures = await statistics.figures(
            session, None, end - timedelta(days=DEFAULT_PERIOD_DAYS), end
        )
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


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive, as people name periods

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        # Days as Vietnam counts them, like the search and the API's stats.
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=ZONE)
        end = datetime(self.end.year, self.end.month, self.end.day, tzinfo=ZONE)
        return start, end + timedelta(days=1)


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def period_of(params: Any, today: date) -> tuple[Period, str]:
    """The chosen period, or the last year; with a message when the choice made no sense."""
    default = Period(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
    raw_from, raw_to = str(params.get("from", "")), str(params.get("to", ""))
    if not raw_from and not raw_to:
        return default, ""
    start, end = _day(raw_from) or default.start, _day(raw_to) or default.end
    if (raw_from and _day(raw_from) is None) or (raw_to and _day(raw_to) is None) or start > end:
        return default, "invalid"
    return Period(start, end), ""


async def dashboard(request: Request) -> Response:
    runtime = runtime_of(request)
    period, problem = period_of(request.query_params, utcnow().astimezone(ZONE).date())
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
    _ = gettext_for(request)
    return render(
        request,
        "statistics.html",
        {
            "period": period,
            "problem": _("Enter dates as YYYY-MM-DD, the first not after the last.")
            if problem
            else "",
            "overall": overall,
            "per_agency": per_agency,
            "agencies": agencies,
            "chosen": chosen,
            "selected": selected,
        },
        status_code=422 if problem else 200,
    )
