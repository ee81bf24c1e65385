"""The officials' search page, its CSV and JSON exports, and similar titles for the form."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from search import service as search
from search.base import SORTS, SearchFilters, SearchHit, SearchResult, SearchScope, SearchSort
from service.accounts.actor import Actor
from service.api.auth import resolve_actor
from service.audit import service as audit
from service.audit.models import AuditAction
from service.calendar import ZONE
from service.directory import service as directory
from service.i18n import translations
from service.runtime import Runtime
from service.text import whole_number
from web.labels import kind_labels, status_labels, submitter_type_labels
from web.rendering import page_language, render

PAGE_SIZE = 20
FRAGMENT_HEADER = "x-intake-fragment"
# Facets shown on the page, in order, with the query parameter each one's checkboxes use.
FACETS = ("status", "kind", "category", "agency", "province", "submitter_type")
_CHOICE_PARAMETERS = {name: name for name in FACETS}
# The sending dates the form accepts: wider than any submission, and far from the ends of
# Python's dates (9999-12-31 has no next day to end the filter at).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(slots=True)
class SearchForm:
    """What the page's GET form asked for, checked: unknown choices simply match nothing."""

    query: str = ""
    choices: dict[str, list[str]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    overdue: str = ""
    published: str = ""
    sort: SearchSort = "relevance"
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    filters: SearchFilters = field(default_factory=SearchFilters)

    def url(self, path: str, **changes: Any) -> str:
        """`path` with this form's parameters, some changed (None drops one)."""
        parameters: list[tuple[str, str]] = []
        values: dict[str, Any] = {
            "q": self.query,
            "from": self.date_from,
            "to": self.date_to,
            "overdue": self.overdue,
            "published": self.published,
            "sort": "" if self.sort == "relevance" else self.sort,
            "page": "" if self.page == 1 else str(self.page),
        }
        values.update(changes)
        for name, value in values.items():
            if value:
                parameters.append((name, str(value)))
        for name, chosen in self.choices.items():
            parameters.extend((name, value) for value in chosen)
        return f"{path}?{urlencode(parameters)}" if parameters else path


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def parse_form(params: QueryParams, max_query_length: int, gettext: Any) -> SearchForm:
    form = SearchForm(query=params.get("q", "")[:max_query_length])
    for name, parameter in _CHOICE_PARAMETERS.items():
        values = [v for v in dict.fromkeys(params.getlist(parameter)) if v][:50]
        if values:
            form.choices[name] = values
    sort = params.get("sort", "relevance")
    form.sort = next((s for s in SORTS if s == sort), "relevance")
    page = params.get("page", "1")
    form.page = whole_number(page, 10_000) or 1
    form.overdue = (
        params.get("overdue", "") if _yes_no(params.get("overdue", "")) is not None else ""
    )
    published = params.get("published", "")
    form.published = published if _yes_no(published) is not None else ""
    created: dict[str, datetime] = {}
    days: dict[str, date] = {}
    for name, end_of_day in (("from", False), ("to", True)):
        raw = params.get(name, "").strip()
        if not raw:
            continue
        day = _date(raw)
        setattr(form, f"date_{name}", raw)
        if day is None:
            form.errors[name] = gettext("Enter a date like 2026-03-31.")
            continue
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            form.errors[name] = gettext("Enter a date between %(earliest)s and %(latest)s.") % {
                "earliest": EARLIEST_DAY.isoformat(),
                "latest": LATEST_DAY.isoformat(),
            }
            continue
        days[name] = day
        start = datetime.combine(day, time(0), tzinfo=ZONE)
        created[name] = start + timedelta(days=1) if end_of_day else start
    if "from" in days and "to" in days and days["from"] > days["to"]:
        # Worded as the statistics page words it; the day at fault filters nothing, as a date
        # written wrong does, and the export is refused.
        message = gettext("The first day of the period must not come after its last day, %(last)s.")
        form.errors["from"] = message % {"last": days["to"]}
        del created["from"]
    chosen = {name: frozenset(values) for name, values in form.choices.items()}
    form.filters = SearchFilters(
        statuses=chosen.get("status", frozenset()),
        kinds=chosen.get("kind", frozenset()),
        categories=chosen.get("category", frozenset()),
        agencies=chosen.get("agency", frozenset()),
        provinces=chosen.get("province", frozenset()),
        submitter_types=chosen.get("submitter_type", frozenset()),
        created_from=created.get("from"),
        created_to=created.get("to"),
        overdue=_yes_no(form.overdue),
        published=_yes_no(form.published),
    )
    return form


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def official_scope(actor: Actor) -> SearchScope | None:
    """The official's search scope; None for anyone else (they are sent to sign in)."""
    if actor.is_secretariat:
        return SearchScope.secretariat()
    if actor.is_agency_official and actor.agency_code:
        return SearchScope.agency(actor.agency_code)
    return None


def _sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


async def _official_scope(request: Request) -> SearchScope | Response:
    scope = official_scope(await resolve_actor(request, _runtime(request)))
    return _sign_in(request) if scope is None else scope


async def _names(request: Request) -> dict[str, dict[str, str]]:
    """Names of the codes facets show, in the page's language."""
    language = page_language(request)
    async with _runtime(request).db.session() as session:
        categories = await directory.categories(session)
        provinces = await directory.provinces(session)
        agencies = await directory.agencies(session)
    return {
        "category": {c.code: c.name(language) for c in categories},
        "province": {p.code: p.name(language) for p in provinces},
        "agency": {a.code: a.name(language) for a in agencies},
    }


async def search_page(request: Request) -> Response:
    scope = await _official_scope(request)
    if isinstance(scope, Response):
        return scope
    runtime = _runtime(request)
    gettext = translations(page_language(request)).gettext
    form = parse_form(request.query_params, runtime.settings.max_search_query_length, gettext)
    page_size = min(PAGE_SIZE, runtime.settings.search_max_page_size)

    async def results_page() -> SearchResult:
        return await search.search(
            runtime.search,
            form.query,
            scope,
            runtime.settings,
            filters=form.filters,
            sort=form.sort,
            first=page_size,
            offset=(form.page - 1) * page_size,
            facets=FACETS,
        )

    result = await results_page()
    last_page = max(1, -(-result.total // page_size))
    if not result.hits and form.page > last_page:
        # A page past the end (an old link, an edited address) shows the last page.
        form.page = last_page
        if result.total:
            result = await results_page()
    language = page_language(request)
    names = await _names(request)
    context = {
        "form": form,
        "result": result,
        "facet_groups": _facet_groups(form, result, names, gettext),
        "total_text": _total_text(result, language, gettext),
        "previous_url": form.url(request.url.path, page=form.page - 1) if form.page > 1 else None,
        "next_url": (
            form.url(request.url.path, page=form.page + 1)
            if len(result.hits) == page_size and (form.page < last_page or not result.exact)
            else None
        ),
        "csv_url": form.url("/secretariat/search.csv", page=None),
        "json_url": form.url("/secretariat/search.json", page=None),
        "names": names,
        "first_number": (form.page - 1) * page_size + 1,
    }
    fragment = request.headers.get(FRAGMENT_HEADER) == "results"
    # A field error makes the page 422; the results region fetched by web/static/intake.js stays
    # 200, since the script swaps in only successful responses and the region shows the error.
    response = render(
        request,
        "search_results_region.html" if fragment else "search.html",
        context,
        status_code=422 if form.errors and not fragment else 200,
    )
    response.headers["vary"] = "X-Intake-Fragment, Cookie"
    return response


@dataclass(frozen=True, slots=True)
class FacetChoice:
    value: str
    label: str
    count: str
    checked: bool


def _facet_groups(
    form: SearchForm, result: SearchResult, names: dict[str, dict[str, str]], gettext: Any
) -> list[tuple[str, str, list[FacetChoice]]]:
    """Each facet's legend and choices, most frequent first; a chosen value stays listed (to be
    unchecked) even when nothing matches it any more."""
    labels: dict[str, dict[str, str]] = {
        "status": status_labels(gettext),
        "kind": kind_labels(gettext),
        "submitter_type": submitter_type_labels(gettext),
        **names,
    }
    legends = {
        "status": gettext("Status"),
        "kind": gettext("Type"),
        "category": gettext("Topic"),
        "agency": gettext("Agency"),
        "province": gettext("Province or city"),
        "submitter_type": gettext("Sent as"),
    }
    suffix = "" if result.exact else "+"
    groups = []
    for name in FACETS:
        counts = dict(result.facets.get(name, {}))
        chosen = form.choices.get(name, [])
        for value in chosen:
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        choices = [
            FacetChoice(
                value=value,
                label=labels.get(name, {}).get(value, value),
                count=f"{count}{suffix if count else ''}",
                checked=value in chosen,
            )
            for value, count in ordered
        ]
        groups.append((name, legends[name], choices))
    return groups


def _total_text(result: SearchResult, language: str, gettext: Any) -> str:
    count = format_decimal(result.total, locale=language)
    if not result.exact:
        return str(gettext("Results found: more than %(count)s")) % {"count": count}
    return str(gettext("Results found: %(count)s")) % {"count": count}


def _local(moment: datetime | None) -> str:
    # In Vietnam's time with its offset, as the pages show times and the date filters count days.
    return moment.astimezone(ZONE).isoformat() if moment else ""


def _export_row(hit: SearchHit) -> dict[str, str]:
    return {
        "tracking_code": hit.tracking_code,
        "title": hit.title,
        "kind": hit.kind,
        "status": hit.status,
        "category": hit.category,
        "agency": hit.agency or "",
        "province": hit.province or "",
        "created": _local(hit.created_at),
        "deadline": _local(hit.deadline),
    }


def _spreadsheet_safe(value: str) -> str:
    # A title like "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet.
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


async def _csv_lines(hits: AsyncIterator[SearchHit], header: list[str]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    # The byte order mark tells Excel the file is UTF-8 (Vietnamese letters stay readable).
    yield "\ufeff".encode() + buffer.getvalue().encode()
    async for hit in hits:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_spreadsheet_safe(v) for v in _export_row(hit).values()])
        yield buffer.getvalue().encode()


async def _json_lines(hits: AsyncIterator[SearchHit]) -> AsyncIterator[bytes]:
    separator = "[\n"
    async for hit in hits:
        row = _export_row(hit)
        record = {
            "trackingCode": row["tracking_code"],
            "title": row["title"],
            "kind": row["kind"],
            "status": row["status"],
            "category": row["category"],
            "agency": hit.agency,
            "province": hit.province,
            "createdAt": row["created"] or None,
            "deadline": row["deadline"] or None,
        }
        yield (separator + json.dumps(record, ensure_ascii=False)).encode()
        separator = ",\n"
    yield ("[]\n" if separator == "[\n" else "\n]\n").encode()


async def search_export(request: Request) -> Response:
    runtime = _runtime(request)
    actor = await resolve_actor(request, runtime)
    scope = official_scope(actor)
    if scope is None:
        return _sign_in(request)
    kind = request.path_params["format"]
    if kind not in ("csv", "json"):
        raise HTTPException(404)
    language = page_language(request)
    gettext = translations(language).gettext
    form = parse_form(request.query_params, runtime.settings.max_search_query_length, gettext)
    if form.errors:
        # Without the filter the file would hold more than was asked for: refused, not widened.
        lines = [f"{name}: {message}" for name, message in form.errors.items()]
        return PlainTextResponse("\n".join(lines) + "\n", status_code=422)
    # Recorded before the first byte streams: an export cut short was still an export.
    async with runtime.db.transaction() as session:
        audit.record(session, actor, AuditAction.EXPORT_SEARCH, [], detail=_export_detail(request))
    hits = search.every_hit(
        runtime.search, form.query, scope, runtime.settings, filters=form.filters
    )
    stamp = datetime.now(ZONE).strftime("%Y%m%d-%H%M")
    headers = {
        "content-disposition": f'attachment; filename="intake-search-{stamp}.{kind}"',
        "cache-control": "no-store",
    }
    if kind == "csv":
        header = [
            gettext("Tracking code"),
            gettext("Title"),
            gettext("Type"),
            gettext("Status"),
            gettext("Topic"),
            gettext("Agency"),
            gettext("Province or city"),
            gettext("Sent"),
            gettext("Answer due by"),
        ]
        return StreamingResponse(
            _csv_lines(hits, header), media_type="text/csv; charset=utf-8", headers=headers
        )
    return StreamingResponse(_json_lines(hits), media_type="application/json", headers=headers)


def _export_detail(request: Request) -> str:
    """The format and the query that chose the rows (search words, filters), for the audit log."""
    return f"{request.path_params['format']} {request.url.query}".strip()


async def similar(request: Request) -> Response:
    """Published submissions whose titles look like the one being typed, for the form."""
    runtime = _runtime(request)
    hits = await search.similar(
        runtime.search, request.query_params.get("title", ""), runtime.settings
    )
    return JSONResponse(
        {
            "results": [
                {
                    "trackingCode": hit.tracking_code,
                    "title": hit.title,
                    "url": f"/track/{hit.tracking_code}",
                }
                for hit in hits
            ]
        },
        headers={"cache-control": "no-store"},
    )
