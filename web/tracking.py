"""The tracking page, and what a submitter does through the private link: answer, withdraw, rate."""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.api.auth import resolve_actor
from service.directory import repository as directory_repository
from service.directory import service as directory
from service.directory.models import Agency
from service.errors import ValidationFailed
from service.i18n import Language
from service.outbox.service import unit_of_work
from service.privacy import service as privacy
from service.proposals import service as proposals
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    AWAITING_AGENCY,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    lead_note,
    named_lead,
    named_leads,
    shown_note,
)
from service.routing import reasons as why
from service.routing import service as routing
from service.text import whole_number
from service.workflow import service as workflow
from service.workflow.errors import InvalidTransition, NotPermitted
from service.workflow.rules import Action, allowed_actions
from web.common import field_errors, gettext_for, runtime_of
from web.csrf import checked_form
from web.history import History
from web.labels import shown_personal
from web.rendering import page_language, render


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One step of the timeline as its viewer reads it: what happened, and its note cut to them."""

    event: ProposalEvent
    agency: Agency | None
    happened: str  # what was done, in the page's language
    note: str  # the note this viewer may read (shown_note), "" for none
    shows_status: bool  # the status the step led to is worth naming


def _happened(event: ProposalEvent, _: Callable[[str], str]) -> str:
    """What a step did, named by its action (submission and routing have none)."""
    if not event.action:
        if event.from_status is None:
            return _("Submitted")
        if event.status is ProposalStatus.TRIAGE:
            return _("Sent to the secretariat's triage")
        return _("Routed automatically")
    labels = {
        Action.ACKNOWLEDGE.value: _("The agency acknowledged receipt"),
        Action.REQUEST_INFO.value: _("The agency asked for more information"),
        Action.ANSWER_INFO.value: _("The submitter answered the question"),
        Action.RESPOND.value: _("The agency answered"),
        Action.DECLINE.value: _("The agency declined: not theirs to handle"),
        Action.ASSIGN.value: _("Assigned by the secretariat"),
        Action.TRANSFER.value: _("Transferred to another agency"),
        Action.REJECT.value: _("Rejected"),
        Action.MERGE.value: _("Merged with another submission"),
        Action.REOPEN.value: _("Reopened"),
        Action.CLOSE.value: _("Closed"),
        Action.WITHDRAW.value: _("The submitter withdrew it"),
        Action.RATE.value: _("The submitter rated the answer"),
        Action.EXTEND_DEADLINE.value: _("Deadline extended"),
        privacy.ERASE_ACTION: _("Personal data erased"),
    }
    return labels.get(event.action, event.action)


def _routing_reasons(event: ProposalEvent) -> list[why.Stored]:
    """The routing job's reasons of a step: structured, or read from a note older than that."""
    if event.actor != "system":
        return []
    return list(event.reasons) or why.from_note(event.note)


async def reason_names(
    session: AsyncSession, actor: Actor, events: Iterable[ProposalEvent], names: why.Names
) -> why.Names:
    """`names` for the actor's reading of these steps' routing reasons and merge notes: the
    submissions they cite by their codes only where the actor may read them (one query; none
    for the secretariat)."""
    steps = list(events)
    codes = why.cited(r for event in steps for r in _routing_reasons(event)) | named_leads(steps)
    return names.reading(await routing.readable_codes(session, actor.scope, codes))


def _note(
    event: ProposalEvent,
    readable: Container[str] | None,
    gettext: Callable[[str], str],
    *,
    official: bool,
) -> str:
    """The stored note; a routing note older than structured reasons cut to `readable`, and
    for officials the lead a merge note names (the submitter keeps it: their next code)."""
    if official and named_lead(event) is not None:
        return lead_note(event, readable, gettext)
    if readable is None or event.actor != "system" or event.reasons or not event.note:
        return event.note
    return "; ".join(why.english(why.from_note(event.note), readable))


def timeline_rows(
    events: Sequence[tuple[ProposalEvent, Agency | None]],
    gettext: Callable[[str], str],
    *,
    official: bool,
    submitter: bool,
    readable: Container[str] | None = None,
) -> list[TimelineRow]:
    """The timeline for one viewer: officials handling the submission (now or earlier), its
    submitter through the private link, or anyone else; notes as shown_note allows them, the
    submissions the routing job's notes and the merge notes cite by code only where `readable`
    (reason_names) holds them (None: all)."""
    return [
        TimelineRow(
            event=event,
            agency=agency,
            happened=_happened(event, gettext),
            note=shown_personal(
                shown_note(
                    event.actor,
                    _note(event, readable, gettext, official=official),
                    official=official,
                    submitter=submitter,
                ),
                gettext,
            ),
            # The submission itself is its status; an erasure leaves the status as it was.
            shows_status=event.from_status is not None and event.action != privacy.ERASE_ACTION,
        )
        for event, agency in events
    ]


async def _may_read(session: AsyncSession, actor: Actor, code: str) -> bool:
    readable = await routing.readable_codes(session, actor.scope, [code])
    return readable is None or code in readable


async def _viewer(request: Request, code: str, key: str) -> tuple[Actor, bool]:
    """The submitter when the key opens this submission, else whoever is signed in."""
    runtime = runtime_of(request)
    if key:
        try:
            async with runtime.db.session() as session:
                _, actor = await proposals.submitter_actor(session, runtime.settings, code, key)
            return actor, True
        except ProposalNotFound:
            pass
    return await resolve_actor(request, runtime), False


def _answer_line(
    proposal: Proposal,
    record: workflow.Record,
    events: Sequence[tuple[ProposalEvent, Agency | None]],
) -> tuple[str, datetime | None]:
    """What the tracking page says about the answer's date, by where the submission stands.

    "due" while the agency's clock runs, "paused" while it waits for the submitter (NEEDS_INFO),
    "unset" before an agency is assigned, "answered" once answered (the first answer's date), and
    "" when the submission finished without an answer (withdrawn, rejected, merged).
    """
    if proposal.status in AWAITING_AGENCY:
        if proposal.deadline is None:
            return "unset", None
        paused = proposal.status is ProposalStatus.NEEDS_INFO
        return ("paused" if paused else "due"), proposal.deadline
    if proposal.status in (ProposalStatus.SUBMITTED, ProposalStatus.TRIAGE):
        return "unset", None
    if record.responses:
        return "answered", min(response.created_at for response in record.responses)
    # An answer the viewer may not read (not published) still has its day on the timeline.
    answered = [event.at for event, _ in events if event.action == Action.RESPOND.value]
    if answered:
        return "answered", min(answered)
    return "", None


async def _page(
    request: Request,
    code: str,
    key: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    problem: str = "",
    status_code: int = 200,
) -> Response:
    runtime = runtime_of(request)
    actor, is_submitter = await _viewer(request, code, key)
    async with runtime.db.session() as session:
        try:
            tracked = await proposals.track(session, code)
        except ProposalNotFound:
            return render(
                request, "track_lookup.html", {"code": code, "not_found": True}, status_code=404
            )
        record = await workflow.record(session, actor, tracked.proposal)
        # The lead's code opens its page: named to the submitter (it is their next code) and to
        # whoever may read the lead, as the timeline's merge notes are.
        lead_named = bool(tracked.merged_into) and (
            is_submitter or await _may_read(session, actor, tracked.merged_into or "")
        )
        categories = {c.code: c for c in await directory.categories(session)}
        agency_ids = sorted({r.agency_id for r in record.responses})
        agencies = {a.id: a for a in await directory_repository.get_agencies(session, agency_ids)}
        official_names: dict[str, Any] = {}
        readable: Container[str] | None = frozenset()  # no routing reason is read but theirs
        if record.handling:  # what the inbox's timeline shows them: who acted, and why routed
            history = History(
                page_language(request), await directory.agencies(session), categories.values()
            )
            names = await reason_names(
                session, actor, (event for event, _ in tracked.events), history.names
            )
            readable = names.readable
            official_names = {
                "actor_names": await accounts.actor_names(
                    session, [event.actor for event, _ in tracked.events]
                ),
                "reason_names": names,
            }
    actions = allowed_actions(actor, tracked.proposal) if is_submitter else ()
    _ = gettext_for(request)
    context: dict[str, Any] = {
        "tracked": tracked,
        "lead_named": lead_named,
        "timeline_rows": timeline_rows(
            tracked.events, _, official=record.handling, submitter=is_submitter, readable=readable
        ),
        "official": record.handling,
        "category": categories.get(tracked.proposal.category_code),
        "is_new": request.query_params.get("new") == "1",
        "key": key if is_submitter else "",
        # A refused answer, rating or withdrawal renders at its POST-only address: the language
        # switch comes back to the page itself (with the private link's key).
        "language_return": f"/track/{code}" + (f"?key={key}" if is_submitter else ""),
        "record": record,
        "answer_line": _answer_line(tracked.proposal, record, tracked.events),
        "response_agencies": agencies,
        "may_answer": Action.ANSWER_INFO in actions,
        "may_withdraw": Action.WITHDRAW in actions,
        "may_rate": Action.RATE in actions,
        "erased": tracked.proposal.personal_data_erased_at is not None,
        "question": _open_question(tracked),
        "errors": errors or {},
        "error_labels": _error_labels(_),
        "values": values or {},
        "problem": problem,
        "done": request.query_params.get("done", ""),
        **official_names,
    }
    response = render(request, "track.html", context, status_code=status_code)
    if is_submitter or record.handling:
        # The submitter's and the handling officials' view carries notes: never cached.
        response.headers["Cache-Control"] = "private, no-store"
    if is_submitter:
        response.headers["Referrer-Policy"] = "no-referrer"  # the key is in the address
    return response


def _error_labels(_: Callable[[str], str]) -> dict[str, str]:
    """The fields of the submitter's forms in the page's order: their labels (optional ones with
    `optional` added) and the error summary both read them from here."""
    return {
        "answer": _("Your answer"),
        "score": _("How satisfied are you with the answer?"),
        "comment": _("Comment"),
        "reason": _("Why do you withdraw it?"),
    }


def _open_question(tracked: proposals.TrackedProposal) -> str:
    asked = [e for e, _ in tracked.events if e.action == Action.REQUEST_INFO.value]
    return asked[-1].note if asked else ""


async def track(request: Request) -> Response:
    return await _page(
        request, request.path_params["code"], request.query_params.get("key", "").strip()
    )


async def _submitter_step(request: Request, action: Action) -> Response:
    code = request.path_params["code"]
    form = await checked_form(request)
    key = str(form.get("key") or "").strip()
    runtime = runtime_of(request)
    language = page_language(request)
    values = {name: str(form.get(name) or "") for name in ("answer", "reason", "score", "comment")}
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            proposal, actor = await proposals.submitter_actor(session, runtime.settings, code, key)
            await _take(session, actor, proposal, action, form, language)
    except ProposalNotFound:
        _ = gettext_for(request)
        message = _("This link does not open the submission. Use the link from your email.")
        return await _page(request, code, "", problem=message, status_code=403)
    except ValidationFailed as failure:
        return await _page(
            request, code, key, errors=field_errors(failure), values=values, status_code=422
        )
    except (InvalidTransition, NotPermitted):
        _ = gettext_for(request)
        message = _("This step is no longer possible for this submission.")
        return await _page(request, code, key, problem=message, status_code=409)
    return RedirectResponse(
        f"/track/{proposal.tracking_code}?key={key}&done={action.value.lower()}", status_code=303
    )


async def _take(
    session: AsyncSession,
    actor: Actor,
    proposal: Proposal,
    action: Action,
    form: FormData,
    language: Language,
) -> None:
    assert proposal.id is not None
    match action:
        case Action.ANSWER_INFO:
            answer = str(form.get("answer") or "")
            await workflow.answer_information(session, actor, proposal.id, answer, language)
        case Action.WITHDRAW:
            reason = str(form.get("reason") or "")
            await workflow.withdraw(session, actor, proposal.id, reason, language)
        case Action.RATE:
            raw = str(form.get("score") or "")
            score = whole_number(raw, 5) or 0
            comment = str(form.get("comment") or "")
            await workflow.rate(session, actor, proposal.id, score, comment, language)


async def answer(request: Request) -> Response:
    return await _submitter_step(request, Action.ANSWER_INFO)


async def withdraw(request: Request) -> Response:
    return await _submitter_step(request, Action.WITHDRAW)


async def rate(request: Request) -> Response:
    return await _submitter_step(request, Action.RATE)


def _export_response(data: dict[str, Any], code: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return Response(
        body,
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="intake-{code}-personal-data.json"',
            "cache-control": "private, no-store",
        },
    )


async def personal_data(request: Request) -> Response:
    """Everything kept about the submitter, as a JSON download (POST: it is audited)."""
    code = request.path_params["code"]
    form = await checked_form(request)
    key = str(form.get("key") or "").strip()
    runtime = runtime_of(request)
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            proposal, actor = await proposals.submitter_actor(session, runtime.settings, code, key)
            assert proposal.id is not None
            data = await privacy.export(session, runtime.settings, actor, proposal.id)
    except ProposalNotFound:
        _ = gettext_for(request)
        message = _("This link does not open the submission. Use the link from your email.")
        return await _page(request, code, "", problem=message, status_code=403)
    return _export_response(data, proposal.tracking_code)


async def erase_personal_data(request: Request) -> Response:
    code = request.path_params["code"]
    form = await checked_form(request)
    key = str(form.get("key") or "").strip()
    runtime = runtime_of(request)
    _ = gettext_for(request)
    if form.get("confirm") != "yes":
        message = _("Confirm that your personal data should be erased; this cannot be undone.")
        return await _page(request, code, key, errors={"confirm": message}, status_code=422)
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            proposal, actor = await proposals.submitter_actor(session, runtime.settings, code, key)
            assert proposal.id is not None
            erasure = await privacy.erase(session, actor, proposal.id)
    except ProposalNotFound:
        message = _("This link does not open the submission. Use the link from your email.")
        return await _page(request, code, "", problem=message, status_code=403)
    privacy.delete_files(runtime.settings, erasure.storage_keys)
    return RedirectResponse(
        f"/track/{proposal.tracking_code}?key={key}&done=erase", status_code=303
    )
