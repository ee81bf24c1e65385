"""The secretariat's triage queue: what no rule routed, with suggestions, assigned in one action."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.directory import service as directory
from service.directory.models import Agency, AgencyKind, Category, Province
from service.errors import ValidationFailed
from service.i18n import Language
from service.outbox.service import unit_of_work
from service.proposals import service as proposals
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    ProposalEvent,
    ProposalFilter,
    ProposalOrder,
    ProposalStatus,
)
from service.routing import reasons
from service.routing import repository as routing
from service.routing import service as routing_service
from service.routing.engine import SUGGESTIONS
from service.routing.models import RoutingDecision
from service.text import whole_number
from service.workflow import service as workflow
from service.workflow.errors import InvalidTransition, NotPermitted
from web.common import field_errors, gettext_for, secretariat
from web.csrf import checked_form
from web.history import History
from web.rendering import page_language, render

QUEUE_SIZE = 100
_TRIAGE = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.TRIAGE})


class AgencyOptions:
    """The agency <option>s of every assign form, built once per page: a queue of a hundred
    items times a hundred agencies was most of the page's render time as a template loop."""

    def __init__(self, agencies: list[Agency], language: Language) -> None:
        self._agencies = agencies
        self._language = language
        self._plain = [self._option(agency, selected=False) for agency in agencies]

    def _option(self, agency: Agency, *, selected: bool) -> Markup:
        return Markup('<option value="{}"{}>{} — {}</option>').format(
            agency.code,
            Markup(" selected") if selected else "",
            agency.code,
            agency.name(self._language),
        )

    def selecting(self, code: str) -> Markup:
        options = list(self._plain)
        for index, agency in enumerate(self._agencies):
            if agency.code == code:
                options[index] = self._option(agency, selected=True)
        return Markup("").join(options)


@dataclass(frozen=True, slots=True)
class Suggestion:
    agency: Agency
    reason: str
    score: float | None = None  # the engine's evidence; None for a directory hint


def suggestions(
    decision: RoutingDecision | None,
    category: Category | None,
    province: Province | None,
    agencies: dict[int, Agency],
    declined_by: Collection[int],
    gettext: Callable[[str], str],
    language: Language,
    names: reasons.Names,
) -> list[Suggestion]:
    """The agencies to offer, best first, each with why: the routing engine's ranked
    suggestions with their reasons (at most three), then the directory's own hints (the
    province's People's Committee, the topic's default agency) when the engine had fewer.
    Every agency that has declined the submission is left out.
    """
    by_code = {a.code: a for a in agencies.values()}
    found: list[Suggestion] = []
    for ranked in decision.suggestions if decision is not None else []:
        agency = by_code.get(str(ranked.get("agency")))
        if agency is not None:
            why = "; ".join(reasons.render_all(ranked.get("reasons", []), language, names))
            found.append(Suggestion(agency, why, float(ranked.get("score", 0))))
    if province is not None and province.agency_id in agencies:
        found.append(
            Suggestion(
                agencies[province.agency_id],
                gettext("The submission concerns %(province)s.")
                % {"province": province.name(language)},
            )
        )
    if category is not None and category.agency_id in agencies:
        found.append(
            Suggestion(
                agencies[category.agency_id],
                gettext("Usually answers the topic %(topic)s.")
                % {"topic": category.name(language)},
            )
        )
    seen: set[int | None] = set(declined_by)
    unique = []
    for suggestion in found:
        if suggestion.agency.id not in seen:
            seen.add(suggestion.agency.id)
            unique.append(suggestion)
    return unique[:SUGGESTIONS]


def _declined_by(event: ProposalEvent | None) -> int | None:
    return event.agency_id if event is not None and event.action == "DECLINE" else None


def _every_decliner(events: list[ProposalEvent]) -> set[int]:
    return {e.agency_id for e in events if e.action == "DECLINE" and e.agency_id is not None}


async def triage(request: Request, *, errors: dict[int, str] | None = None) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    async with runtime.db.session() as session:
        rows, total = await proposals.list_for(
            session,
            actor,
            ProposalFilter(statuses=_TRIAGE),
            order=ProposalOrder.OLDEST,
            limit=QUEUE_SIZE,
            offset=0,
        )
        ids = [p.id for p in rows if p.id]
        timelines = await proposals.timelines(session, ids)
        decisions = await routing.latest_decisions(session, ids)
        agency_list = await directory.agencies(session)
        categories = {c.code: c for c in await directory.categories(session)}
        provinces = {p.code: p for p in await directory.provinces(session)}
        # The secretariat reads every submission the reasons cite: no query, and no code cut;
        # asked all the same, so that whoever else the page served would read it cut to them.
        cited = reasons.cited(
            [
                *(r for events in timelines.values() for e in events for r in e.reasons),
                *(
                    r
                    for decision in decisions.values()
                    for ranked in decision.suggestions
                    for r in ranked.get("reasons", [])
                ),
            ]
        )
        readable = await routing_service.readable_codes(session, actor.scope, cited)
        codes = {p.id: p.tracking_code for p in rows if p.id is not None}
        for proposal_id in (errors or {}).keys() - codes.keys():
            # Refused because it has left the queue: the message still names it by its code.
            gone = await proposals.get_for(session, actor, proposal_id)
            codes[proposal_id] = gone.tracking_code if gone is not None else str(proposal_id)
    # The agencies a submission may be assigned to, and suggested: the secretariat is none.
    agencies = {
        a.id: a
        for a in agency_list
        if a.id is not None and a.is_active and a.kind is not AgencyKind.SECRETARIAT
    }
    _ = gettext_for(request)
    names = History(page_language(request), agency_list, categories.values()).names
    names = names.reading(readable)
    items = []
    for proposal in rows:
        events = timelines.get(proposal.id or 0, [])
        event = events[-1] if events else None
        items.append(
            {
                "p": proposal,
                "event": event,
                "declined_by": agencies.get(_declined_by(event) or 0),
                "category": categories.get(proposal.category_code),
                "suggestions": suggestions(
                    decisions.get(proposal.id or 0),
                    categories.get(proposal.category_code),
                    provinces.get(proposal.province_code or ""),
                    agencies,
                    _every_decliner(events),
                    _,
                    page_language(request),
                    names,
                ),
            }
        )
    return render(
        request,
        "secretariat/triage.html",
        {
            "language_return": "/secretariat/triage",
            "items": items,
            "total": total,
            "agency_options": AgencyOptions(
                sorted(agencies.values(), key=lambda a: a.code), page_language(request)
            ),
            "reason_names": names,
            "errors": errors or {},
            "error_codes": {i: codes[i] for i in errors or {}},
            "assigned": request.query_params.get("assigned", ""),
        },
        status_code=422 if errors else 200,
    )


async def assign(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    proposal_id = whole_number(request.path_params["proposal_id"])
    if proposal_id is None:
        raise HTTPException(404)
    form = await checked_form(request)
    code = str(form.get("agencyCode") or "")
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            step = await workflow.assign(
                session, actor, proposal_id, code, runtime.settings, page_language(request)
            )
    except ProposalNotFound as missing:
        raise HTTPException(404) from missing
    except ValidationFailed as failure:
        message = next(iter(field_errors(failure).values()))
        return await triage(request, errors={proposal_id: message})
    except (InvalidTransition, NotPermitted):
        _ = gettext_for(request)
        message = _("This submission has already left the triage queue.")
        return await triage(request, errors={proposal_id: message})
    return RedirectResponse(
        f"/secretariat/triage?assigned={step.proposal.tracking_code}", status_code=303
    )
