"""The officials' inbox: filtered lists with deadline badges, bulk acknowledge, and one submission
with its timeline, answers, notes and the workflow steps the official may take."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from search import service as search_service
from search.base import SearchError
from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.attachments.service import IncomingFile
from service.audit import service as audit
from service.audit.models import AuditAction
from service.calendar import add_business_days
from service.db import utcnow
from service.directory import service as directory
from service.directory.models import AgencyKind
from service.errors import FieldError, ValidationFailed
from service.holidays.service import holiday_dates
from service.i18n import Language, translations
from service.outbox.service import unit_of_work
from service.privacy import service as privacy
from service.proposals import service as proposals
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    AWAITING_AGENCY,
    CLOCK_RUNNING,
    Proposal,
    ProposalFilter,
    ProposalKind,
    ProposalOrder,
    ProposalStatus,
    is_overdue,
)
from service.runtime import Runtime
from service.settings import Settings
from service.text import whole_number
from service.workflow import service as workflow
from service.workflow.errors import InvalidTransition, NotPermitted
from service.workflow.rules import Action, allowed_actions
from web import labels
from web.common import field_errors, gettext_for, official, secretariat, uploaded_files
from web.csrf import checked_form
from web.history import History
from web.rendering import page_language, render
from web.search import official_scope
from web.tracking import reason_names, timeline_rows

PAGE_SIZE = 50
_OPEN_FOR_SECRETARIAT = AWAITING_AGENCY | {ProposalStatus.SUBMITTED, ProposalStatus.TRIAGE}


async def due_soon_until(session: AsyncSession, settings: Settings, now: datetime) -> datetime:
    """The end of the due-soon window: the reminder mail's, in business days (digests agree)."""
    holidays = await holiday_dates(session)
    return add_business_days(now, settings.mail_reminder_business_days, holidays)


def deadline_badge(proposal: Proposal, now: datetime, soon_until: datetime) -> str:
    """'overdue', 'due-soon', 'paused' (waiting for the submitter's information: the clock is
    stopped) or '' for a submission still waiting for its agency."""
    if proposal.deadline is None:
        return ""
    if proposal.status is ProposalStatus.NEEDS_INFO:
        return "paused"
    if proposal.status not in CLOCK_RUNNING:
        return ""
    if is_overdue(proposal.status, proposal.deadline, now):
        return "overdue"
    return "due-soon" if proposal.deadline <= soon_until else ""


def acknowledgement_overdue(proposal: Proposal, now: datetime) -> bool:
    """Still waiting for its lead's acknowledgement past the date set for it (the agency's
    business days to acknowledge): a step of its own, before the answer's deadline."""
    return (
        proposal.status is ProposalStatus.ROUTED
        and proposal.acknowledge_deadline is not None
        and proposal.acknowledge_deadline < now
    )


@dataclass(frozen=True, slots=True)
class InboxQuery:
    status: str
    kind: str
    category: str
    overdue: bool
    page: int

    @classmethod
    def parse(cls, params: Any) -> InboxQuery:
        page = str(params.get("page", "1"))
        return cls(
            status=str(params.get("status", "open")),
            kind=str(params.get("kind", "")),
            category=str(params.get("category", "")),
            overdue=params.get("overdue") == "yes",
            page=max(1, whole_number(page, 10_000) or 1),
        )

    def filter_for(self, actor: Actor) -> ProposalFilter:
        if self.status in ProposalStatus.__members__:
            statuses = frozenset({ProposalStatus(self.status)})
        elif self.status == "all":
            statuses = frozenset()
        else:
            statuses = frozenset(_OPEN_FOR_SECRETARIAT if actor.is_secretariat else AWAITING_AGENCY)
        # An agency's inbox is what it leads or cooperates on now (both of which it may read);
        # published submissions of others, and those it handled once, stay out.
        agencies = frozenset() if actor.is_secretariat else frozenset({actor.agency_id or 0})
        return ProposalFilter(
            statuses=statuses,
            kinds=frozenset({ProposalKind(self.kind)})
            if self.kind in ProposalKind.__members__
            else frozenset(),
            categories=frozenset({self.category}) if self.category else frozenset(),
            handled_by=agencies,
            overdue=True if self.overdue else None,
        )


async def inbox(request: Request) -> Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    query = InboxQuery.parse(request.query_params)
    async with runtime.db.session() as session:
        rows, total = await _inbox_page(session, actor, query)
        if not rows and total:
            # A page past the last (a link kept while the list shrank): the last page instead.
            query = replace(query, page=(total + PAGE_SIZE - 1) // PAGE_SIZE)
            rows, total = await _inbox_page(session, actor, query)
        categories = await directory.categories(session)
        agencies = {a.id: a for a in await directory.agencies(session)}
        now = utcnow()
        soon_until = await due_soon_until(session, runtime.settings, now)
    return render(
        request,
        "inbox/list.html",
        {
            "rows": [(p, deadline_badge(p, now, soon_until)) for p in rows],
            "late_acknowledgements": {p.id for p in rows if acknowledgement_overdue(p, now)},
            "total": total,
            "query": query,
            "pages": (total + PAGE_SIZE - 1) // PAGE_SIZE,
            "categories": categories,
            "agencies": agencies,
            "statuses": list(ProposalStatus),
            "own_agency": agencies.get(actor.agency_id) if actor.agency_id else None,
            "is_secretariat": actor.is_secretariat,
            "bulk_outcome": _bulk_outcome(request),
            # A deadline is shown while the agency has the submission to answer; once answered,
            # merged or ended it is not a date anybody works to.
            "awaiting_agency": AWAITING_AGENCY,
        },
    )


async def _inbox_page(
    session: AsyncSession, actor: Actor, query: InboxQuery
) -> tuple[Sequence[Proposal], int]:
    return await proposals.list_for(
        session,
        actor,
        query.filter_for(actor),
        order=ProposalOrder.DEADLINE,
        limit=PAGE_SIZE,
        offset=(query.page - 1) * PAGE_SIZE,
    )


_BULK_COUNTS = ("acknowledged", "skipped")


def _bulk_outcome(request: Request) -> tuple[int, int] | None:
    """The counts a bulk acknowledge redirected with; None unless both are whole numbers (a
    link typed or changed by hand shows no notice). (0, 0): nothing was ticked."""
    counts = [
        whole_number(request.query_params.get(name, "")) for name in ("acknowledged", "skipped")
    ]
    done, skipped = counts
    if done is None or skipped is None:
        return None
    return done, skipped


async def acknowledge_many(request: Request) -> Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    ids = [n for v in form.getlist("ids") if isinstance(v, str) and (n := whole_number(v))]
    async with unit_of_work(runtime.db, runtime.queue) as session:
        outcome = await workflow.acknowledge_many(session, actor, ids)
    done, skipped = len(outcome.done), len(outcome.skipped)
    return RedirectResponse(f"/inbox?acknowledged={done}&skipped={skipped}", status_code=303)


async def _detail(
    request: Request,
    runtime: Runtime,
    actor: Actor,
    proposal_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    problem: str = "",
    failed_step: str = "",
    status_code: int = 200,
) -> Response:
    # A transaction, not a read-only session: showing the submitter's contact details is
    # recorded in the audit log, and the record commits with the page's reads or not at all.
    async with runtime.db.transaction() as session:
        proposal = await proposals.get_for(session, actor, proposal_id)
        if proposal is None:
            raise HTTPException(404)
        tracked = await proposals.track(session, proposal.tracking_code)
        record = await workflow.record(session, actor, proposal)
        if record.sees_contact and proposal.personal_data_erased_at is None:
            audit.record(session, actor, AuditAction.VIEW_CONTACT, [proposal_id])
        templates = await workflow.response_templates(session, actor)
        # One look-up names the timeline's actors and the notes' authors alike.
        actor_names = await accounts.actor_names(
            session, [e.actor for e, _ in tracked.events] + [n.author for n in record.notes]
        )
        agencies = await directory.agencies(session)
        categories = {c.code: c for c in await directory.categories(session)}
        names = await reason_names(
            session,
            actor,
            (event for event, _ in tracked.events),
            History(page_language(request), agencies, categories.values()).names,
        )
        now = utcnow()
        soon_until = await due_soon_until(session, runtime.settings, now)
    try:
        similar = await search_service.similar(
            runtime.search,
            proposal.title,
            runtime.settings,
            scope=official_scope(actor),
            excluding=proposal.id,
        )
    except SearchError:
        similar = []  # the page works without them while the search backend is away
    values = dict(values or {})
    # After a refused answer the template chosen before stays chosen (the form carries it).
    chosen = str(values.get("template") or request.query_params.get("template", ""))
    template = next((t for t in templates if str(t.id) == chosen), None)
    if template is not None and "text" not in values:
        values["text"] = template.body
    by_id = {a.id: a for a in agencies}
    gettext = gettext_for(request)
    return render(
        request,
        "inbox/detail.html",
        {
            # A failed step renders at its POST-only address: the language switch comes back here.
            "language_return": f"/inbox/{proposal.id}",
            "p": proposal,
            "tracked": tracked,
            "timeline_rows": timeline_rows(
                tracked.events,
                gettext,
                official=record.handling,
                submitter=False,
                readable=names.readable,
            ),
            "actor_names": actor_names,
            "similar": similar,
            "record": record,
            "category": categories.get(proposal.category_code),
            "badge": deadline_badge(proposal, now, soon_until),
            "acknowledgement_overdue": acknowledgement_overdue(proposal, now),
            "actions": {a.value for a in allowed_actions(actor, proposal)},
            "templates": templates,
            "chosen_template": template.id if template else None,
            # The agencies a submission may be handed to: the secretariat is none of them.
            "agencies": [
                a for a in agencies if a.is_active and a.kind is not AgencyKind.SECRETARIAT
            ],
            "agencies_by_id": by_id,
            "reason_names": names,
            # Named as the lead is, in the page's language and in its alphabetical order.
            "cooperating": sorted(
                (by_id[i] for i in record.cooperating_agency_ids if i in by_id),
                key=lambda a: a.name(page_language(request)),
            ),
            "may_note": record.may_note,
            "is_secretariat": actor.is_secretariat,
            "errors": errors or {},
            "error_labels": _error_labels(gettext).get(failed_step, {}),
            "values": values,
            "problem": problem,
            "failed_step": failed_step,
            "unsent": _unsent(failed_step, values, allowed_actions(actor, proposal), record),
            "done": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


# Each step's form and the text typed in it: the action that offers the form (None: the note,
# offered while the official may note) and the field.
_TYPED = {
    "respond": (Action.RESPOND, "text"),
    "request-information": (Action.REQUEST_INFO, "question"),
    "decline": (Action.DECLINE, "reason"),
    "note": (None, "note"),
    "assign": (Action.ASSIGN, "note"),
    "transfer": (Action.TRANSFER, "reason"),
    "reject": (Action.REJECT, "reason"),
    "reopen": (Action.REOPEN, "reason"),
    "close": (Action.CLOSE, "note"),
}


def _unsent(
    failed_step: str,
    values: dict[str, Any] | None,
    actions: Iterable[Action],
    record: workflow.Record,
) -> str:
    """Text typed for a refused step whose form the page no longer offers (the submission moved
    on meanwhile), shown for the official to copy rather than lost; "" otherwise."""
    if failed_step not in _TYPED or not values:
        return ""
    action, field = _TYPED[failed_step]
    offered = record.may_note if action is None else action in set(actions)
    return "" if offered else str(values.get(field) or "").strip()


def _proposal_id(request: Request) -> int:
    proposal_id = whole_number(request.path_params["proposal_id"])
    if proposal_id is None:
        raise HTTPException(404)
    return proposal_id


async def detail(request: Request) -> Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    return await _detail(request, *allowed, _proposal_id(request))


_FIELDS = ("text", "question", "reason", "note", "agencyCode", "intoCode", "publish", "template")
# The services name fields as the GraphQL inputs do; the forms name some of them differently.
_FORM_NAMES = {"intoId": "intoCode", "cooperatingAgencyCodes": "cooperating"}
_STEP_FORM_NAMES = {"note": {"text": "note"}}


async def step(request: Request) -> Response:
    """One workflow step from the detail page; the form names the step."""
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    proposal_id = _proposal_id(request)
    form = await checked_form(request)
    step_name = request.path_params["step"]
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in _FIELDS}
    values["cooperating"] = [str(v) for v in form.getlist("cooperating") if v]
    language = page_language(request)
    files = await uploaded_files(form, "attachments", runtime.settings.attachment_max_bytes)
    _ = gettext_for(request)
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            await _take(session, runtime, actor, proposal_id, step_name, form, language, files)
    except ProposalNotFound as missing:
        raise HTTPException(404) from missing
    except ValidationFailed as failure:
        renamed = _FORM_NAMES | _STEP_FORM_NAMES.get(step_name, {})
        errors = {renamed.get(k, k.split(".", 1)[0]): v for k, v in field_errors(failure).items()}
        return await _detail(
            request,
            runtime,
            actor,
            proposal_id,
            errors=errors,
            values=values,
            failed_step=step_name,
            status_code=422,
        )
    except InvalidTransition as refused:
        # Usually a page left open while someone else moved the submission on.
        status = labels.status_labels(_)[refused.current]
        problem = _(
            "This step is not possible while the submission is “%(status)s”."
            " The steps open now are below."
        ) % {"status": status}
        # What was typed comes back in its form, wherever the page still offers that form.
        return await _detail(
            request,
            runtime,
            actor,
            proposal_id,
            values=values,
            problem=problem,
            failed_step=step_name,
            status_code=409,
        )
    except NotPermitted:
        moved_on = await _moved_on_status(runtime, actor, proposal_id)
        if moved_on is None:
            problem = _("This step on this submission is not yours to take.")
        else:
            # A page left open while the submission was declined, transferred or taken back:
            # the step was the agency's once, so say what happened rather than "not yours".
            problem = _(
                "This submission is no longer with your agency: its status is now “%(status)s”."
            ) % {"status": labels.status_labels(_)[moved_on]}
        return await _detail(
            request,
            runtime,
            actor,
            proposal_id,
            values=values,
            problem=problem,
            failed_step=step_name,
            status_code=403 if moved_on is None else 409,
        )
    return RedirectResponse(f"/inbox/{proposal_id}?done={step_name}", status_code=303)


async def _moved_on_status(
    runtime: Runtime, actor: Actor, proposal_id: int
) -> ProposalStatus | None:
    """The status of a submission the official's agency handled once but no longer does (a step
    refused for that reason was the agency's when its page was shown); None otherwise."""
    if not actor.is_agency_official:
        return None
    async with runtime.db.session() as session:
        proposal = await proposals.get_for(session, actor, proposal_id)
        if proposal is None:
            return None
        record = await workflow.record(session, actor, proposal)
    return proposal.status if record.handling and not record.may_note else None


async def _take(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    proposal_id: int,
    step_name: str,
    form: FormData,
    language: Language,
    files: list[IncomingFile],
) -> None:
    text = {name: str(form.get(name) or "") for name in _FIELDS}
    settings = runtime.settings
    match step_name:
        case "acknowledge":
            await workflow.acknowledge(session, actor, proposal_id, language)
        case "respond":
            await workflow.respond(
                session,
                actor,
                proposal_id,
                text["text"],
                publish=bool(text["publish"]),
                language=language,
                settings=settings,
                files=files,
            )
        case "request-information":
            await workflow.request_information(
                session, actor, proposal_id, text["question"], language
            )
        case "decline":
            await workflow.decline(session, actor, proposal_id, text["reason"], language)
        case "note":
            await workflow.add_note(session, actor, proposal_id, text["note"], language)
        case "assign":
            cooperating = [str(v) for v in form.getlist("cooperating") if v]
            await workflow.assign(
                session,
                actor,
                proposal_id,
                text["agencyCode"],
                settings,
                language,
                cooperating=cooperating,
                note=text["note"],
            )
        case "transfer":
            await workflow.transfer(
                session,
                actor,
                proposal_id,
                text["agencyCode"],
                settings,
                language,
                reason=text["reason"],
            )
        case "reject":
            await workflow.reject(session, actor, proposal_id, text["reason"], language)
        case "merge":
            await _merge(session, actor, proposal_id, text["intoCode"], language)
        case "reopen":
            await workflow.reopen(session, actor, proposal_id, text["reason"], language)
        case "close":
            await workflow.close(session, actor, proposal_id, text["note"], language)
        case _:
            raise HTTPException(404)


def _error_labels(_: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """The fields of each step's form, as the error summary names them (by step)."""
    return {
        "respond": {"text": _("Answer to the submitter"), "attachments": _("Files")},
        "request-information": {"question": _("Question to the submitter")},
        "decline": {"reason": _("Reason for declining")},
        "assign": {
            "agencyCode": _("Lead agency"),
            "cooperating": _("Cooperating agencies"),
            "note": _("Note"),
        },
        "transfer": {"agencyCode": _("Lead agency"), "reason": _("Reason for the transfer")},
        "reject": {"reason": _("Reason for rejecting")},
        "merge": {"intoCode": _("Tracking code of the submission to keep")},
        "reopen": {"reason": _("Reason for reopening")},
        "note": {"note": _("New note (officials only)")},
        "erase": {"erasureReason": _("How did the submitter ask for erasure?")},
    }


async def _merge(
    session: AsyncSession, actor: Actor, proposal_id: int, into_code: str, language: Language
) -> None:
    if not into_code.strip():
        # None given: the service refuses it as required, after checking the step is allowed.
        await workflow.merge(session, actor, proposal_id, None, language)
        return
    try:
        lead = await proposals.track(session, into_code)
    except ProposalNotFound:
        message = translations(language).gettext("No submission has this tracking code.")
        raise ValidationFailed([FieldError("intoCode", "unknown", message)]) from None
    assert lead.proposal.id is not None
    await workflow.merge(session, actor, proposal_id, lead.proposal.id, language)


async def export_personal_data(request: Request) -> Response:
    """Secretariat: the submitter's data as JSON, to send them on request (audited)."""
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    proposal_id = _proposal_id(request)
    await checked_form(request)
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            data = await privacy.export(session, runtime.settings, actor, proposal_id)
    except ProposalNotFound as missing:
        raise HTTPException(404) from missing
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={
            "content-disposition": (
                f'attachment; filename="intake-{data["trackingCode"]}-personal-data.json"'
            ),
            "cache-control": "private, no-store",
        },
    )


async def erase_personal_data(request: Request) -> Response:
    """Secretariat: erase the submitter's personal data at their request, with how they asked."""
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    proposal_id = _proposal_id(request)
    form = await checked_form(request)
    reason = str(form.get("erasureReason") or "").strip()
    _ = gettext_for(request)
    problem = ""
    if not reason:
        problem = _("Say how the submitter asked for erasure.")
    elif len(reason) > 2000:
        problem = _("Keep the reason under 2000 characters.")
    if problem:
        return await _detail(
            request,
            runtime,
            actor,
            proposal_id,
            errors={"erasureReason": problem},
            values={"erasureReason": reason},
            failed_step="erase",
            status_code=422,
        )
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            erasure = await privacy.erase(session, actor, proposal_id, reason=reason)
    except ProposalNotFound as missing:
        raise HTTPException(404) from missing
    privacy.delete_files(runtime.settings, erasure.storage_keys)
    return RedirectResponse(f"/inbox/{proposal_id}?done=erase", status_code=303)
