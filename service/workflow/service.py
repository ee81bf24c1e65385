"""Taking a submission through its life: every step checked, recorded, indexed and announced."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import service as accounts
from service.accounts.actor import Actor, ActorKind
from service.attachments import repository as attachments_repository
from service.attachments import service as attachments
from service.attachments.models import Attachment
from service.attachments.service import CheckedFile, IncomingFile
from service.calendar import add_business_days, business_days_between
from service.db import utcnow
from service.directory import repository as directory
from service.directory import service as directory_service
from service.directory.models import Agency, AgencyKind
from service.errors import FieldError, ValidationFailed
from service.holidays.service import holiday_dates
from service.i18n import DEFAULT_LANGUAGE, Language, format_number, translations
from service.notifications import catalog as mail
from service.notifications import repository as notifications_repository
from service.notifications import service as notifications
from service.notifications.catalog import MailKind
from service.outbox import service as outbox
from service.proposals import events
from service.proposals import repository as proposals
from service.proposals import service as proposal_service
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    AWAITING_AGENCY,
    AssignmentRole,
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalStatus,
)
from service.routing import service as routing
from service.routing.deadlines import deadlines
from service.routing.service import INDEX_JOB
from service.settings import Settings
from service.text import has_control_characters, is_blank, normalize
from service.workflow import repository
from service.workflow.errors import ADD_NOTE, SAVE_TEMPLATE, InvalidTransition, NotPermitted
from service.workflow.models import NoteKind, ProposalNote, Rating, Response, ResponseTemplate
from service.workflow.rules import RULES, Action, allowed_actions, may_take

MAX_TEXT = 20_000
# The same note posted again by the same official this soon (a double click, a form sent twice)
# is that note, not a second one.
NOTE_REPEAT_WINDOW = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Step:
    """What one action did: the submission after it and the event it appended."""

    proposal: Proposal
    event: ProposalEvent


async def _load(
    session: AsyncSession, actor: Actor, proposal_id: int, action: Action, language: Language
) -> Proposal:
    proposal = await proposals.get_visible(session, actor.scope, proposal_id, for_update=True)
    if proposal is None:
        raise ProposalNotFound(str(proposal_id))
    if not may_take(actor, action, proposal):
        raise NotPermitted(action, language)
    if proposal.status not in RULES[action].sources:
        allowed = allowed_actions(actor, proposal)
        raise InvalidTransition(action, proposal.status, allowed, language)
    return proposal


class _Checks:
    """A step's input problems, gathered so that one refusal names every field that is wrong."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.gettext = translations(language).gettext
        self.problems: list[FieldError] = []

    def fail(self, name: str, code: str, message: str) -> None:
        self.problems.append(FieldError(name, code, message))

    def text(self, name: str, value: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
        _ = self.gettext
        value = normalize(value)
        if is_blank(value):
            if required:
                self.fail(name, "required", _("This field is required."))
            return ""
        if has_control_characters(value, multiline=True):
            self.fail(name, "control_characters", _("Remove control characters from this field."))
        elif len(value) > limit:
            most = format_number(limit, self.language)
            self.fail(name, "too_long", _("Use at most %(max)s characters.") % {"max": most})
        return value

    async def agency(self, session: AsyncSession, code: str, name: str) -> Agency | None:
        agency = await directory.get_agency_by_code(session, code.strip().upper())
        if agency is not None and not agency.is_active:
            agency = None  # no longer in the directory: nothing new is handed to it
        if agency is None:
            _ = self.gettext
            if name == "agencyCode":
                message = _("Choose an agency from the directory.")
            else:
                message = _('"%(code)s" is not an agency of the directory.') % {
                    "code": code.strip()
                }
            self.fail(name, "unknown", message)
        elif agency.kind is AgencyKind.SECRETARIAT:
            # It triages and assigns; it has no reviewers to answer a submission or help answer.
            _ = self.gettext
            if name == "agencyCode":
                message = _(
                    "The secretariat cannot lead a submission: choose the agency that will"
                    " answer it."
                )
            else:
                message = _(
                    '"%(code)s" is the secretariat: it cannot cooperate on a submission.'
                ) % {"code": agency.code}
            self.fail(name, "not_an_agency", message)
            return None
        return agency

    def done(self) -> None:
        if self.problems:
            raise ValidationFailed(self.problems)


def _text(name: str, value: str, language: Language, *, required: bool = True) -> str:
    checks = _Checks(language)
    value = checks.text(name, value, required=required)
    checks.done()
    return value


async def _record(
    session: AsyncSession,
    proposal: Proposal,
    actor: Actor,
    action: Action,
    status: ProposalStatus,
    note: str = "",
    agency_id: int | None = None,
    deadline: datetime | None = None,
) -> Step:
    """The step appended to the timeline; `deadline` the response deadline it set, if any."""
    assert proposal.id is not None
    event = ProposalEvent(
        proposal_id=proposal.id,
        from_status=proposal.status,
        status=status,
        agency_id=agency_id if agency_id is not None else proposal.agency_id,
        actor=actor.label,
        action=action.value,
        note=note,
        deadline=deadline,
    )
    proposals.add(session, event)
    proposal.status, proposal.updated_at = status, event.at
    outbox.add_job(session, INDEX_JOB, {"proposal_id": proposal.id})
    await session.flush()
    events.announce(session, event)
    return Step(proposal, event)


async def _hand_to(
    session: AsyncSession,
    proposal: Proposal,
    agency: Agency,
    settings: Settings,
    role: AssignmentRole = AssignmentRole.LEAD,
) -> None:
    """Make `agency` the lead (or a cooperating agency); the former lead keeps read access."""
    assert proposal.id is not None
    assert agency.id is not None
    if role is AssignmentRole.LEAD:
        for assignment in await proposals.active_assignments(session, proposal.id):
            if assignment.role is AssignmentRole.LEAD:
                assignment.active = False
        if proposal.agency_id != agency.id:
            await notifications_repository.forget_deadline_steps(session, proposal.id)
        proposal.agency_id = agency.id
        due = await deadlines(session, proposal, agency, settings, utcnow())
        proposal.acknowledge_deadline, proposal.deadline = due.acknowledge, due.respond
        proposal.deadline_extended, proposal.paused_at = False, None
    existing = await proposals.get_assignment(session, proposal.id, agency.id)
    if existing is None:
        proposals.add(
            session, ProposalAgency(proposal_id=proposal.id, agency_id=agency.id, role=role)
        )
    else:
        existing.role, existing.active, existing.assigned_at = role, True, utcnow()


async def _announce(
    session: AsyncSession,
    step: Step,
    kind: MailKind,
    recipients: Sequence[notifications.Recipient],
    **context: Any,
) -> None:
    await notifications.queue(
        session,
        event_key=f"proposal-event:{step.event.id}:{kind.template}",
        recipients=recipients,
        template=kind.template,
        proposal_id=step.proposal.id,
        context=context,
    )


async def _notify_agency(
    session: AsyncSession,
    step: Step,
    to_agency: int,
    kind: MailKind = mail.ASSIGNMENT,
    **context: Any,
) -> None:
    """Mail the agency's reviewers; the mail names `agency_id` (by default theirs) as it was."""
    users = await accounts.agency_reviewers(session, to_agency)
    context.setdefault("agency_id", to_agency)
    await _announce(session, step, kind, notifications.recipients_of(users), **context)


async def _notify_secretariat(
    session: AsyncSession, step: Step, kind: MailKind, **context: Any
) -> None:
    staff = await accounts.secretariat_staff(session)
    await _announce(session, step, kind, notifications.recipients_of(staff), **context)


async def _notify_submitter(
    session: AsyncSession, step: Step, kind: MailKind, **context: Any
) -> None:
    await _announce(session, step, kind, notifications.submitter_of(step.proposal), **context)


async def acknowledge(
    session: AsyncSession, actor: Actor, proposal_id: int, language: Language = DEFAULT_LANGUAGE
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.ACKNOWLEDGE, language)
    return await _record(session, proposal, actor, Action.ACKNOWLEDGE, ProposalStatus.ACKNOWLEDGED)


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """What a bulk acknowledge did: the submissions acknowledged and those it left as they were."""

    done: list[int]
    skipped: list[int]


async def acknowledge_many(
    session: AsyncSession,
    actor: Actor,
    proposal_ids: Iterable[int],
    language: Language = DEFAULT_LANGUAGE,
) -> Acknowledged:
    """Acknowledge every one of them the actor may acknowledge now; skip the others."""
    done: list[int] = []
    skipped: list[int] = []
    # In id order, whatever order they were picked in: two officials acknowledging overlapping
    # selections take the row locks in the same order, so one waits for the other where
    # opposite orders would deadlock.
    for proposal_id in sorted(set(proposal_ids)):
        try:
            await acknowledge(session, actor, proposal_id, language)
        except (ProposalNotFound, NotPermitted, InvalidTransition):
            skipped.append(proposal_id)  # refused before anything is written: the others go on
        else:
            done.append(proposal_id)
    return Acknowledged(done, skipped)


async def request_information(
    session: AsyncSession, actor: Actor, proposal_id: int, question: str, language: Language
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.REQUEST_INFO, language)
    question = _text("question", question, language)
    proposal.paused_at = utcnow()  # the deadline waits for the submitter
    step = await _record(
        session, proposal, actor, Action.REQUEST_INFO, ProposalStatus.NEEDS_INFO, question
    )
    await _notify_submitter(session, step, mail.INFORMATION_REQUESTED, note=question)
    return step


async def respond(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    text: str,
    *,
    publish: bool,
    language: Language,
    settings: Settings | None = None,
    files: Sequence[IncomingFile] = (),
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.RESPOND, language)
    # The text's problems and the files' come at once, as submitProposal gives them.
    checks = _Checks(language)
    text = checks.text("text", text)
    checked: list[CheckedFile] = []
    if settings is not None:
        try:
            checked = attachments.check_files(list(files), settings, language)
        except ValidationFailed as failure:
            checks.problems += failure.errors
    checks.done()
    assert proposal.id is not None
    assert proposal.agency_id is not None
    # Public only with the submitter's consent. Without it the answer is stored unpublished,
    # not refused: `publish` asks for publication where it is allowed (the API's defaults to
    # true), and nobody but the submitter and the officials could read it anyway.
    published = publish and proposal.consent_to_publish
    response = Response(
        proposal_id=proposal.id,
        agency_id=proposal.agency_id,
        author=actor.label,
        text=text,
        published=published,
    )
    repository.add(session, response)
    await session.flush()
    if checked and settings is not None:
        await attachments.store(
            session,
            settings,
            checked,
            proposal_id=proposal.id,
            uploaded_by=actor.label,
            response_id=response.id,
        )
    step = await _record(session, proposal, actor, Action.RESPOND, ProposalStatus.RESPONDED)
    # The mail lists this answer's files as they are when it goes out (an erased one is gone).
    await _notify_submitter(
        session, step, mail.RESPONDED, note=text, published=published, response_id=response.id
    )
    for follower in await proposals.merged_into(session, proposal.id):
        # Merged into this one, they follow its answer: each submitter is told under their own
        # code and link, where the answer can be read.
        await notifications.queue(
            session,
            event_key=f"proposal-event:{step.event.id}:{mail.RESPONDED.template}:{follower.id}",
            recipients=notifications.submitter_of(follower),
            template=mail.RESPONDED.template,
            proposal_id=follower.id,
            context={
                "note": text,
                "response_id": response.id,
                "agency_id": proposal.agency_id,
                "lead_code": proposal.tracking_code,
            },
        )
    return step


async def decline(
    session: AsyncSession, actor: Actor, proposal_id: int, reason: str, language: Language
) -> Step:
    """The agency is not competent: back to the secretariat's triage, with the reason."""
    proposal = await _load(session, actor, proposal_id, Action.DECLINE, language)
    reason = _text("reason", reason, language)
    declining = proposal.agency_id
    secretariat = await directory_service.secretariat(session)
    assert proposal.id is not None
    for assignment in await proposals.active_assignments(session, proposal.id):
        # Back in triage nobody handles it: the cooperation asked for it ends with the lead's.
        if assignment.agency_id == declining or assignment.role is AssignmentRole.COOPERATING:
            assignment.active = False
    declined_by = await directory.get_agency(session, declining) if declining else None
    if declined_by is not None:
        await routing.record_decline(session, proposal, declined_by, reason, actor.label)
    proposal.agency_id = secretariat.id
    # Back in triage no agency's clock runs: the next assignment sets new deadlines.
    proposal.acknowledge_deadline = proposal.deadline = proposal.paused_at = None
    step = await _record(
        session, proposal, actor, Action.DECLINE, ProposalStatus.TRIAGE, reason, declining
    )
    await _notify_secretariat(session, step, mail.DECLINED, note=reason, from_agency_id=declining)
    return step


async def assign(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    agency_code: str,
    settings: Settings,
    language: Language,
    *,
    cooperating: Sequence[str] = (),
    note: str = "",
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.ASSIGN, language)
    checks = _Checks(language)
    note = checks.text("note", note, required=False)
    lead_code = agency_code.strip().upper()
    if lead_code and any(code.strip().upper() == lead_code for code in cooperating):
        # Refused, not silently dropped: the secretariat may have meant another agency.
        message = checks.gettext("The lead agency cannot also be a cooperating agency.")
        checks.fail("cooperatingAgencyCodes", "lead_cooperating", message)
    return await _route(
        session, actor, proposal, Action.ASSIGN, agency_code, settings, checks, cooperating, note
    )


async def transfer(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    agency_code: str,
    settings: Settings,
    language: Language,
    *,
    reason: str,
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.TRANSFER, language)
    checks = _Checks(language)
    reason = checks.text("reason", reason)
    previous = proposal.agency_id
    step = await _route(
        session, actor, proposal, Action.TRANSFER, agency_code, settings, checks, (), reason
    )
    await _notify_secretariat(session, step, mail.TRANSFERRED, note=reason, from_agency_id=previous)
    return step


async def _route(
    session: AsyncSession,
    actor: Actor,
    proposal: Proposal,
    action: Action,
    agency_code: str,
    settings: Settings,
    checks: _Checks,
    cooperating: Sequence[str],
    note: str,
) -> Step:
    """Hand the submission to an agency; `checks` holds the note's (or reason's) problems."""
    agency = await checks.agency(session, agency_code, "agencyCode")
    partners = [
        partner
        for code in cooperating
        if (partner := await checks.agency(session, code, "cooperatingAgencyCodes")) is not None
    ]
    # In triage the secretariat only holds it (and is refused above): any agency may take it.
    if (
        agency is not None
        and agency.id == proposal.agency_id
        and proposal.status is not ProposalStatus.TRIAGE
    ):
        message = checks.gettext("The submission is already with this agency.")
        checks.fail("agencyCode", "unchanged", message)
    checks.done()
    assert agency is not None
    await _hand_to(session, proposal, agency, settings)
    await routing.record_secretariat_routing(session, proposal, agency, actor.label, note)
    await _end_cooperation(session, proposal, keeping={p.id for p in partners})
    for partner in partners:
        if partner.id != agency.id:
            await _hand_to(session, proposal, partner, settings, AssignmentRole.COOPERATING)
    step = await _record(session, proposal, actor, action, ProposalStatus.ROUTED, note, agency.id)
    assert agency.id is not None
    # The secretariat's note (a transfer's reason) goes with the case, in the mail too.
    await _notify_agency(session, step, agency.id, note=note)
    for partner in partners:
        assert partner.id is not None
        if partner.id != agency.id:
            # Told whose case it is, and that they are asked to cooperate on it.
            await _notify_agency(
                session,
                step,
                partner.id,
                agency_id=agency.id,
                cooperating_agency_id=partner.id,
                note=note,
            )
    return step


async def _end_cooperation(
    session: AsyncSession, proposal: Proposal, keeping: set[int | None]
) -> None:
    """Cooperation is asked with an assignment, for its lead: an assignment names its cooperating
    agencies afresh (none when none is given) and a transfer, which names none, ends it. Those
    let go keep read access, as a former lead does."""
    assert proposal.id is not None
    for assignment in await proposals.active_assignments(session, proposal.id):
        if assignment.role is AssignmentRole.COOPERATING and assignment.agency_id not in keeping:
            assignment.active = False


async def reject(
    session: AsyncSession, actor: Actor, proposal_id: int, reason: str, language: Language
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.REJECT, language)
    reason = _text("reason", reason, language)
    proposal.published = False
    step = await _record(session, proposal, actor, Action.REJECT, ProposalStatus.REJECTED, reason)
    await _notify_submitter(session, step, mail.REJECTED, note=reason)
    return step


# A duplicate follows its lead's status and answer: not one that ended without an answer.
_NO_LEAD = frozenset({ProposalStatus.MERGED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN})


async def _lock_with_followers(session: AsyncSession, proposal_id: int, involved: set[int]) -> None:
    """Lock the submissions a step changes: `involved` and those merged into `proposal_id`.

    All in one order (by id) and before their states are read, so that two merges or a merge
    and a withdrawal crossing each other wait for one another and the second sees what the
    first did, instead of leaving a submission merged into one that has ended or moved.
    """
    followers = await _followers(session, proposal_id)
    await repository.lock_proposals(session, involved | followers)
    # Merged into it between that read and the lock: no more can come now (a merge into it
    # locks it first), so the newcomers are locked too.
    await repository.lock_proposals(
        session, await _followers(session, proposal_id) - followers - involved
    )


async def _followers(session: AsyncSession, proposal_id: int) -> set[int]:
    rows = await proposals.merged_into(session, proposal_id)
    return {row.id for row in rows if row.id is not None}


async def merge(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    into_id: int | None,
    language: Language,
) -> Step:
    """Fold a duplicate into a lead submission (None: none was given), which its submitter
    then follows."""
    involved = {proposal_id} if into_id is None else {proposal_id, into_id}
    await _lock_with_followers(session, proposal_id, involved)
    proposal = await _load(session, actor, proposal_id, Action.MERGE, language)
    _ = translations(language).gettext
    if into_id is None:
        raise ValidationFailed([FieldError("intoId", "required", _("This field is required."))])
    if into_id == proposal.id:
        message = _("A submission cannot be merged into itself.")
        raise ValidationFailed([FieldError("intoId", "self", message)])
    lead = await proposals.get_visible(session, actor.scope, into_id)
    if lead is None:
        message = _("No submission has this id.")
        raise ValidationFailed([FieldError("intoId", "unknown", message)])
    if lead.status in _NO_LEAD:
        message = _(
            "Choose another submission that is still handled or answered: not merged, "
            "rejected or withdrawn."
        )
        raise ValidationFailed([FieldError("intoId", "invalid", message)])
    proposal.merged_into_id = lead.id
    assert proposal.id is not None
    # Those merged into this one follow the new lead too: no chain of merged submissions.
    for follower in await proposals.merged_into(session, proposal.id):
        follower.merged_into_id = lead.id
    step = await _record(
        session, proposal, actor, Action.MERGE, ProposalStatus.MERGED, lead.tracking_code
    )
    await _notify_submitter(session, step, mail.MERGED, into_code=lead.tracking_code)
    return step


async def reopen(
    session: AsyncSession, actor: Actor, proposal_id: int, reason: str, language: Language
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.REOPEN, language)
    reason = _text("reason", reason, language)
    secretariat = await directory_service.secretariat(session)
    with_agency = proposal.agency_id is not None and proposal.agency_id != secretariat.id
    target = ProposalStatus.ROUTED if with_agency else ProposalStatus.TRIAGE
    # Rejecting took it off the public pages; the submitter's consent to publish still holds.
    proposal.published = proposal.consent_to_publish
    if with_agency:
        # The agency's clock stopped when the submission was rejected or answered: it resumes
        # with the days it had left, as after a question, instead of counting that time.
        assert proposal.id is not None
        history = await proposals.events(session, proposal.id)
        stopped = [e for e in history if e.from_status in AWAITING_AGENCY]
        if not stopped:
            proposal.paused_at = None
        elif stopped[-1].from_status is not ProposalStatus.NEEDS_INFO or proposal.paused_at is None:
            proposal.paused_at = stopped[-1].at
        # Else it ended while waiting for the submitter's answer: its clock had stopped at the
        # question (paused_at) already, and stays stopped from then until now. The deadline
        # moves as if the answer had come when it ended, the clock stopping again until now.
        _resume_clock(proposal, await holiday_dates(session))
    step = await _record(session, proposal, actor, Action.REOPEN, target, reason)
    await _notify_reopened(session, step, with_agency)
    return step


async def _notify_reopened(session: AsyncSession, step: Step, with_agency: bool) -> None:
    """Tell the submitter, and the agencies it is back with as an assignment tells them."""
    proposal = step.proposal
    note = step.event.note
    if not with_agency:  # back in triage: the secretariat, who reopened it, chooses an agency
        await _notify_submitter(session, step, mail.REOPENED, note=note, with_agency=False)
        return
    assert proposal.id is not None
    assert proposal.agency_id is not None
    lead = proposal.agency_id
    await _notify_submitter(
        session, step, mail.REOPENED, note=note, with_agency=True, agency_id=lead
    )
    await _notify_agency(session, step, lead, mail.REOPENED_ASSIGNMENT, note=note)
    active = await proposals.active_assignments(session, proposal.id)
    for assignment in sorted(active, key=lambda a: a.agency_id):
        if assignment.role is AssignmentRole.COOPERATING and assignment.agency_id != lead:
            await _notify_agency(
                session,
                step,
                assignment.agency_id,
                mail.REOPENED_ASSIGNMENT,
                note=note,
                agency_id=lead,
                cooperating_agency_id=assignment.agency_id,
            )


async def close(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    note: str,
    language: Language = DEFAULT_LANGUAGE,
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.CLOSE, language)
    note = _text("note", note, language, required=False)
    step = await _record(session, proposal, actor, Action.CLOSE, ProposalStatus.CLOSED, note)
    await _notify_submitter(session, step, mail.CLOSED, note=step.event.note)
    return step


async def withdraw(
    session: AsyncSession, actor: Actor, proposal_id: int, reason: str, language: Language
) -> Step:
    """The submitter takes their submission back: it leaves the public pages, and what was
    merged into it goes back to the secretariat's triage, since nobody will answer it here."""
    await _lock_with_followers(session, proposal_id, {proposal_id})
    proposal = await _load(session, actor, proposal_id, Action.WITHDRAW, language)
    reason = _text("reason", reason, language, required=False)
    proposal.published = False
    step = await _record(
        session, proposal, actor, Action.WITHDRAW, ProposalStatus.WITHDRAWN, reason
    )
    assert proposal.id is not None
    followers = await proposals.merged_into(session, proposal.id)
    if followers:
        secretariat = await directory_service.secretariat(session)
        for follower in followers:
            follower.merged_into_id = None
            follower.agency_id = secretariat.id
            follower.acknowledge_deadline = follower.deadline = follower.paused_at = None
            await _record(
                session,
                follower,
                Actor.system(),
                Action.REOPEN,
                ProposalStatus.TRIAGE,
                proposal.tracking_code,  # the lead it left, as a merge's note names the lead
            )
    return step


def _resume_clock(proposal: Proposal, holidays: frozenset[date]) -> None:
    """NEEDS_INFO stopped the clock: the deadline moves by the business days it waited."""
    if proposal.paused_at is None:
        return
    waited = business_days_between(proposal.paused_at, utcnow(), holidays)
    if proposal.deadline is not None:
        proposal.deadline = add_business_days(proposal.deadline, waited, holidays)
    proposal.paused_at = None


async def extend_deadline(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    days: int,
    reason: str,
    settings: Settings,
    language: Language,
) -> Step:
    """The lead agency's one extension of the response deadline, with a reason."""
    proposal = await _load(session, actor, proposal_id, Action.EXTEND_DEADLINE, language)
    checks = _Checks(language)
    _ = checks.gettext
    if proposal.deadline_extended:
        message = _("The deadline of this submission has already been extended once.")
        checks.fail("days", "already_extended", message)
    elif not 1 <= days <= settings.max_extension_business_days:
        message = _("Choose from 1 to %(max)s business days.") % {
            "max": settings.max_extension_business_days
        }
        checks.fail("days", "out_of_range", message)
    reason = checks.text("reason", reason)
    checks.done()
    base = proposal.deadline or utcnow()
    proposal.deadline = add_business_days(base, days, await holiday_dates(session))
    proposal.deadline_extended = True
    step = await _record(
        session,
        proposal,
        actor,
        Action.EXTEND_DEADLINE,
        proposal.status,
        reason,
        deadline=proposal.deadline,
    )
    await _notify_submitter(
        session,
        step,
        mail.DEADLINE_EXTENDED,
        note=reason,
        agency_id=proposal.agency_id,
        deadline=proposal.deadline.isoformat(),
    )
    return step


async def answer_information(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    answer: str,
    language: Language,
    settings: Settings | None = None,
) -> Step:
    """The submitter's answer returns the submission to where it was before the question."""
    proposal = await _load(session, actor, proposal_id, Action.ANSWER_INFO, language)
    answer = _text("answer", answer, language)
    assert proposal.id is not None
    history = await proposals.events(session, proposal.id)
    # The question's own step: a later step in NEEDS_INFO (an extension) goes from it to itself.
    asked = [e for e in history if e.action == Action.REQUEST_INFO.value]
    before = asked[-1].from_status if asked else None
    target = before if before is not None else ProposalStatus.ACKNOWLEDGED
    paused_deadline = proposal.deadline
    _resume_clock(proposal, await holiday_dates(session))
    moved = proposal.deadline if proposal.deadline != paused_deadline else None
    step = await _record(
        session, proposal, actor, Action.ANSWER_INFO, target, answer, deadline=moved
    )
    if proposal.agency_id is not None:
        await _notify_agency(session, step, proposal.agency_id, mail.ANSWER_RECEIVED, note=answer)
    return step


async def rate(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    score: int,
    comment: str,
    language: Language,
) -> Step:
    proposal = await _load(session, actor, proposal_id, Action.RATE, language)
    checks = _Checks(language)
    if not 1 <= score <= 5:
        checks.fail("score", "out_of_range", checks.gettext("Choose a score from 1 to 5."))
    comment = checks.text("comment", comment, required=False)
    checks.done()
    assert proposal.id is not None
    earlier = await repository.get_rating(session, proposal.id)
    if earlier is None:
        repository.add(session, Rating(proposal_id=proposal.id, score=score, comment=comment))
    else:
        # Reopened and answered again: the submitter rates the new answer, which replaces the
        # rating of the old one (one rating per submission; the timeline keeps both steps).
        earlier.score, earlier.comment, earlier.created_at = score, comment, utcnow()
    return await _record(session, proposal, actor, Action.RATE, ProposalStatus.CLOSED)


def _may_note(actor: Actor, handling_now: set[int]) -> bool:
    """The secretariat, or an agency the submission is assigned to now (lead or cooperating)."""
    return actor.is_secretariat or (actor.is_agency_official and actor.agency_id in handling_now)


async def add_note(
    session: AsyncSession, actor: Actor, proposal_id: int, text: str, language: Language
) -> ProposalNote:
    """An internal note by an official handling the submission; a contribution when co-handling.

    The same text by the same official on the same submission within NOTE_REPEAT_WINDOW is the
    note already written, which is returned: a double post stores it once.
    """
    # Locked: a double post waits for the first and then finds its note.
    proposal = await proposals.get_visible(session, actor.scope, proposal_id, for_update=True)
    if proposal is None or proposal.id is None:
        raise ProposalNotFound(str(proposal_id))
    handling = {a.agency_id for a in await proposals.active_assignments(session, proposal.id)}
    if not _may_note(actor, handling):
        raise NotPermitted(ADD_NOTE, language)
    text = _text("text", text, language)
    since = utcnow() - NOTE_REPEAT_WINDOW
    repeated = await repository.recent_note(session, proposal.id, actor.label, text, since)
    if repeated is not None:
        return repeated
    kind = NoteKind.NOTE
    if actor.is_agency_official and actor.agency_id != proposal.agency_id:
        kind = NoteKind.CONTRIBUTION
    note = ProposalNote(
        proposal_id=proposal.id,
        agency_id=actor.agency_id,
        kind=kind,
        author=actor.label,
        text=text,
    )
    repository.add(session, note)
    await session.flush()
    return note


async def response_templates(session: AsyncSession, actor: Actor) -> list[ResponseTemplate]:
    """The templates of the caller's agency; none for anyone else."""
    if not actor.is_agency_official or actor.agency_id is None:
        return []
    return list(await repository.templates(session, actor.agency_id))


async def save_response_template(
    session: AsyncSession,
    actor: Actor,
    name: str,
    body: str,
    language: Language,
    template_id: int | None = None,
) -> ResponseTemplate:
    """Create or change one of the caller's agency's templates; names are unique per agency."""
    if not actor.is_agency_official or actor.agency_id is None:
        raise NotPermitted(SAVE_TEMPLATE, language)
    checks = _Checks(language)
    _ = checks.gettext
    name = checks.text("name", name, limit=100)
    body = checks.text("body", body)
    checks.done()
    existing = {t.name: t for t in await repository.templates(session, actor.agency_id)}
    template = None
    if template_id is not None:
        template = await repository.get_template(session, template_id)
        if template is None or template.agency_id != actor.agency_id:
            raise ProposalNotFound(str(template_id))
    clash = existing.get(name)
    duplicate = ValidationFailed(
        [FieldError("name", "duplicate", _("Your agency already has a template with this name."))]
    )
    if clash is not None and clash is not template:
        raise duplicate
    try:
        async with session.begin_nested():
            if template is None:
                template = ResponseTemplate(agency_id=actor.agency_id, name=name, body=body)
                repository.add(session, template)
            else:
                template.name, template.body = name, body
            await session.flush()
    except IntegrityError:
        # Another official saved a template of this name since the check above (PostgreSQL
        # made this insert wait for theirs): the same refusal as when it came first.
        if await repository.template_named(session, actor.agency_id, name) is not None:
            raise duplicate from None
        raise
    return template


async def delete_response_template(session: AsyncSession, actor: Actor, template_id: int) -> bool:
    template = await repository.get_template(session, template_id)
    if template is None or template.agency_id != actor.agency_id or not actor.is_agency_official:
        return False
    await repository.delete(session, template)
    return True


@dataclass(frozen=True, slots=True)
class Record:
    """What a page shows of a submission beyond its timeline, already cut to the viewer."""

    handling: bool  # the secretariat, or an agency assigned to it now or earlier
    may_note: bool  # the secretariat, or an agency assigned to it now
    # The submitter's contact: for those handling it now (an agency it was transferred away
    # from keeps the case's history, not the submitter's address).
    sees_contact: bool
    responses: list[Response]
    notes: list[ProposalNote]
    rating: Rating | None
    attachments: list[Attachment]
    cooperating_agency_ids: list[int]


async def record(session: AsyncSession, actor: Actor, proposal: Proposal) -> Record:
    """Answers, notes, rating and files of a submission the actor may already read.

    Notes are for officials handling it; unpublished answers, the rating and the submitter's
    files for them and the submitter; published answers (and their files) of a published
    submission for everyone: an answer marked published stays private while the submitter
    has not consented to publication.
    """
    assert proposal.id is not None
    handling = await proposal_service.handles_or_handled(session, actor, proposal.id)
    own = actor.kind is ActorKind.SUBMITTER and actor.proposal_id == proposal.id
    involved = handling or own
    answered = [proposal.id]
    if own and proposal.merged_into_id is not None:
        # A merged submission follows its lead: its submitter reads the lead's answers.
        answered.append(proposal.merged_into_id)
    answers = await repository.responses_for(session, answered)
    shown = [r for r in answers if involved or (r.published and proposal.published)]
    shown_ids = {r.id for r in shown}
    files = await attachments_repository.for_proposals(session, answered)
    active = await proposals.active_assignments(session, proposal.id)
    handling_now = _may_note(actor, {a.agency_id for a in active})
    return Record(
        handling=handling,
        may_note=handling_now,
        sees_contact=handling_now,
        responses=shown,
        notes=list(await repository.notes_for(session, [proposal.id])) if handling else [],
        rating=await repository.get_rating(session, proposal.id) if involved else None,
        attachments=[
            a
            for a in files
            if (involved and a.proposal_id == proposal.id)
            or (a.response_id is not None and a.response_id in shown_ids)
        ],
        cooperating_agency_ids=[
            a.agency_id for a in active if a.role is AssignmentRole.COOPERATING
        ],
    )
