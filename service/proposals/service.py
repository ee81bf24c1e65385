"""Submitting a proposal or obstacle report, and what its submitter may see of it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from search.base import SearchBackend, SearchResult, SearchScope
from search.text import fold
from service.accounts.actor import Actor
from service.attachments import service as attachments
from service.attachments.service import CheckedFile, IncomingFile
from service.db import utcnow
from service.directory import repository as directory
from service.directory.models import Agency, Category, Province
from service.errors import FieldError, ValidationFailed
from service.i18n import Language, parse_language, translations
from service.notifications import service as notifications
from service.outbox import service as outbox
from service.proposals import events, repository
from service.proposals.access import access_key
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    Proposal,
    ProposalEvent,
    ProposalFilter,
    ProposalOrder,
    ProposalStatus,
)
from service.proposals.validation import SubmissionInput, check_submission
from service.settings import Settings
from service.text import normalize

# No 0/O, 1/I/L: a code read aloud over the phone or copied by hand survives.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_CODE_LENGTH = 10
ROUTE_JOB = "proposal.route"


@dataclass(frozen=True, slots=True)
class TrackedProposal:
    proposal: Proposal
    agency: Agency | None
    events: list[tuple[ProposalEvent, Agency | None]]
    merged_into: str | None = None  # the tracking code of the submission it continues as


async def submitter_actor(
    session: AsyncSession, settings: Settings, tracking_code: str, key: str
) -> tuple[Proposal, Actor]:
    """The submitter of the submission this secret link opens; raises ProposalNotFound."""
    code = normalize_tracking_code(tracking_code)
    proposal = await repository.get_by_tracking_code(session, code) if code else None
    if proposal is None or proposal.id is None:
        raise ProposalNotFound(tracking_code)
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone may send.
    if not hmac.compare_digest(
        access_key(settings, proposal).encode(), key.strip().encode(errors="replace")
    ):
        raise ProposalNotFound(tracking_code)
    return proposal, Actor.submitter(proposal.id)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))


def normalize_tracking_code(value: str) -> str | None:
    """The code as stored, or None when it cannot be a tracking code at all."""
    code = "".join(ch for ch in value.upper() if ch not in " -")
    if len(code) != TRACKING_CODE_LENGTH or any(ch not in TRACKING_ALPHABET for ch in code):
        return None
    return code


def content_hash(title: str, description: str) -> str:
    folded = " ".join(fold(title).split()) + "\n" + " ".join(fold(description).split())
    return hashlib.sha256(folded.encode()).hexdigest()


async def submit_proposal(
    session: AsyncSession,
    data: SubmissionInput,
    settings: Settings,
    language: Language,
    files: Sequence[IncomingFile] = (),
) -> Proposal:
    """Check and store a submission with its route job and receipt; raises ValidationFailed."""
    language = parse_language(data.language) or language
    clean, errors = check_submission(data, settings, language)
    errors += await _check_references(session, data, errors, language)
    checked: list[CheckedFile] = []
    try:
        checked = attachments.check_files(list(files), settings, language)
    except ValidationFailed as failure:
        errors += failure.errors
    if clean is None or errors:
        raise ValidationFailed(errors)
    digest = content_hash(clean.title, clean.description)
    await repository.lock_content(session, digest)
    earlier = await repository.find_resubmission(session, digest, clean.email, clean.phone)
    if earlier is not None:
        _ = translations(language).gettext
        message = _("You have already sent this content; its tracking code is %(code)s.")
        raise ValidationFailed(
            [FieldError("description", "duplicate", message % {"code": earlier.tracking_code})]
        )

    proposal = Proposal(
        tracking_code=await _unused_tracking_code(session),
        kind=clean.kind,
        status=ProposalStatus.SUBMITTED,
        title=clean.title,
        description=clean.description,
        legal_references=clean.legal_references,
        category_code=clean.category,
        province_code=clean.province,
        submitter_type=clean.submitter_type,
        submitter_name=clean.name,
        submitter_email=clean.email,
        submitter_phone=clean.phone,
        submitter_organisation=clean.organisation,
        consent_to_publish=clean.consent_to_publish,
        published=clean.consent_to_publish,
        language=clean.language,
        content_hash=digest,
    )
    repository.add(session, proposal)
    await session.flush()
    assert proposal.id is not None
    submitted = ProposalEvent(
        proposal_id=proposal.id, status=ProposalStatus.SUBMITTED, actor="submitter"
    )
    repository.add(session, submitted)
    await session.flush()
    events.announce(session, submitted)
    await attachments.store(
        session, settings, checked, proposal_id=proposal.id, uploaded_by="submitter"
    )
    outbox.add_job(session, ROUTE_JOB, {"proposal_id": proposal.id})
    await notifications.queue(
        session,
        event_key=f"proposal:{proposal.id}:receipt",
        recipients=notifications.submitter_of(proposal),
        template="receipt",
        proposal_id=proposal.id,
    )
    return proposal


async def _check_references(
    session: AsyncSession, data: SubmissionInput, found: list[FieldError], language: Language
) -> list[FieldError]:
    """Unknown category or province codes, for fields that passed the plain checks."""
    _ = translations(language).gettext
    failed = {e.field for e in found}
    category, province = normalize(data.category), normalize(data.province)
    errors = []
    if (
        category
        and "categoryCode" not in failed
        and not await _active(directory.get_category(session, category))
    ):
        errors.append(FieldError("categoryCode", "unknown", _("Choose a topic from the list.")))
    if (
        province
        and "provinceCode" not in failed
        and not await _active(directory.get_province(session, province))
    ):
        errors.append(FieldError("provinceCode", "unknown", _("Choose a province from the list.")))
    return errors


async def _active(lookup: Awaitable[Category | Province | None]) -> bool:
    """A category or province a new submission may choose: one the directory still lists."""
    row = await lookup
    return row is not None and row.is_active


async def _unused_tracking_code(session: AsyncSession) -> str:
    while True:
        code = new_tracking_code()
        if not await repository.tracking_code_taken(session, code):
            return code


async def search(
    backend: SearchBackend, query: str, scope: SearchScope, *, first: int, settings: Settings
) -> SearchResult:
    """Search within the caller's scope; `first` is clamped to the configured page size."""
    limit = max(1, min(first, settings.search_max_page_size))
    return await backend.search(query[: settings.max_search_query_length], scope, limit=limit)


async def track(session: AsyncSession, tracking_code: str) -> TrackedProposal:
    """The public view of one submission and its timeline; raises ProposalNotFound."""
    code = normalize_tracking_code(tracking_code)
    proposal = await repository.get_by_tracking_code(session, code) if code else None
    if proposal is None or proposal.id is None:
        raise ProposalNotFound(tracking_code)
    events = await repository.events(session, proposal.id)
    lead = None
    if proposal.merged_into_id is not None:
        lead = await repository.get(session, proposal.merged_into_id)
    # A merged submission is handled where its lead is.
    handler = lead.agency_id if lead is not None else proposal.agency_id
    agency_ids = {e.agency_id for e in events if e.agency_id} | ({handler} if handler else set())
    agencies = {a.id: a for a in await directory.get_agencies(session, sorted(agency_ids))}
    return TrackedProposal(
        proposal=proposal,
        agency=agencies.get(handler) if handler else None,
        events=[(e, agencies.get(e.agency_id) if e.agency_id else None) for e in events],
        merged_into=lead.tracking_code if lead is not None else None,
    )


async def get_for(session: AsyncSession, actor: Actor, proposal_id: int) -> Proposal | None:
    """The submission if the actor may see it; None alike for missing and hidden ones."""
    return await repository.get_visible(session, actor.scope, proposal_id)


async def list_for(
    session: AsyncSession,
    actor: Actor,
    where: ProposalFilter,
    *,
    order: ProposalOrder,
    limit: int,
    offset: int,
) -> tuple[list[Proposal], int]:
    """One page of what the actor may see, and how many there are in all."""
    now = utcnow()
    rows = await repository.list_visible(
        session, actor.scope, where, order=order, limit=limit, offset=offset, now=now
    )
    return list(rows), await repository.count_visible(session, actor.scope, where, now)


async def handles_or_handled(session: AsyncSession, actor: Actor, proposal_id: int) -> bool:
    """The secretariat, or an official of an agency the submission is or was assigned to: who
    reads its internal notes, the routing reasons and who took each step."""
    if actor.is_secretariat:
        return True
    if not actor.is_agency_official:
        return False
    return actor.agency_id in await repository.assigned_agency_ids(session, proposal_id)


async def visible_event(
    session: AsyncSession, actor: Actor, event_id: int
) -> tuple[Proposal, ProposalEvent] | None:
    """A timeline event and its submission, if the actor may see the submission."""
    event = await repository.get_event(session, event_id)
    if event is None:
        return None
    proposal = await repository.get_visible(session, actor.scope, event.proposal_id)
    return (proposal, event) if proposal else None


async def timelines(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> dict[int, list[ProposalEvent]]:
    """The timeline events of each submission, oldest first, in one query."""
    found: dict[int, list[ProposalEvent]] = {}
    for event in await repository.events_for(session, proposal_ids):
        found.setdefault(event.proposal_id, []).append(event)
    return found
