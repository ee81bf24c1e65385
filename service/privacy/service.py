"""A submitter's personal data: exporting all of it, erasing it, and erasing it when it expires.

Erasure keeps the submission as an anonymised record: its text, timeline, the agency's answer,
the rating's score and the statistics stay; name, email, phone and organisation are replaced,
the submitter's evidence files are deleted, the submitter's own notes (answers to questions, a
withdrawal's reason, the rating's comment: they are where a phone number or an address gets
written) are replaced here and in the mail that quoted them to officials, mail not yet sent to
them is stopped, and the timeline records that the data was erased (without the data).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.actor import Actor, ActorKind
from service.attachments.service import uploads_dir
from service.audit import service as audit
from service.audit.models import AuditAction
from service.db import utcnow
from service.directory import repository as directory
from service.notifications.models import ERASED_RECIPIENT, NotificationState
from service.outbox import service as outbox
from service.privacy import repository
from service.privacy.errors import ErasureNotPermitted
from service.proposals import events
from service.proposals import repository as proposals
from service.proposals.access import access_key
from service.proposals.errors import ProposalNotFound
from service.proposals.models import Proposal, ProposalEvent, ProposalStatus, shown_note
from service.routing.service import INDEX_JOB
from service.settings import Settings
from service.workflow import repository as workflow

logger = logging.getLogger(__name__)

ERASED = ERASED_RECIPIENT  # the name's marker too
ERASE_ACTION = "ERASE_PERSONAL_DATA"
# Retention counts from the last change of a submission in one of these states.
FINISHED = frozenset(
    {
        ProposalStatus.CLOSED,
        ProposalStatus.REJECTED,
        ProposalStatus.MERGED,
        ProposalStatus.WITHDRAWN,
    }
)
RETENTION_BATCH = 200


@dataclass(slots=True)
class Erasure:
    proposal: Proposal
    already_erased: bool = False
    # Evidence files to delete from disk once the transaction has committed.
    storage_keys: list[str] = field(default_factory=list)


def _own_or_secretariat(actor: Actor, proposal_id: int) -> bool:
    if actor.is_secretariat or actor.kind is ActorKind.SYSTEM:
        return True
    return actor.kind is ActorKind.SUBMITTER and actor.proposal_id == proposal_id


async def export(
    session: AsyncSession, settings: Settings, actor: Actor, proposal_id: int
) -> dict[str, Any]:
    """Everything Intake keeps about the submitter of one submission, recorded in the audit log."""
    if not _own_or_secretariat(actor, proposal_id):
        raise ErasureNotPermitted()
    proposal = await proposals.get(session, proposal_id)
    if proposal is None:
        raise ProposalNotFound(str(proposal_id))
    timeline = await proposals.events(session, proposal_id)
    # The files' addresses carry the private link's code and key, as the tracking page's do:
    # the export is the submitter's, whoever downloads it for them.
    private = urlencode({"code": proposal.tracking_code, "key": access_key(settings, proposal)})
    answers = await workflow.responses_for(session, [proposal_id])
    rating = await workflow.get_rating(session, proposal_id)
    files = await repository.submitter_files(session, proposal_id)
    mail = (
        await repository.mail_to(session, proposal_id, proposal.submitter_email)
        if proposal.submitter_email
        else []
    )
    agency_ids = sorted(
        {a.agency_id for a in answers} | {e.agency_id for e in timeline if e.agency_id}
    )
    codes = {a.id: a.code for a in await directory.get_agencies(session, agency_ids)}
    audit.record(session, actor, AuditAction.EXPORT_PERSONAL_DATA, [proposal_id])
    return {
        "trackingCode": proposal.tracking_code,
        "exportedAt": utcnow().isoformat(),
        "submitter": {
            "name": proposal.submitter_name,
            "email": proposal.submitter_email,
            "phone": proposal.submitter_phone,
            "organisation": proposal.submitter_organisation,
            "type": proposal.submitter_type.value,
            "personalDataErasedAt": _iso(proposal.personal_data_erased_at),
        },
        "submission": {
            "kind": proposal.kind.value,
            "title": proposal.title,
            "description": proposal.description,
            "legalReferences": proposal.legal_references,
            "categoryCode": proposal.category_code,
            "provinceCode": proposal.province_code,
            "language": proposal.language,
            "consentToPublish": proposal.consent_to_publish,
            "published": proposal.published,
            "status": proposal.status.value,
            "createdAt": _iso(proposal.created_at),
        },
        "timeline": [
            {
                "at": _iso(e.at),
                "status": e.status.value,
                "action": e.action,
                "agency": codes.get(e.agency_id) if e.agency_id else None,
                # What the tracking page shows them: not the routing engine's reasons.
                "note": shown_note(e.actor, e.note, official=False, submitter=True),
            }
            for e in timeline
        ],
        "answers": [
            {"at": _iso(r.created_at), "agency": codes.get(r.agency_id), "text": r.text}
            for r in answers
        ],
        "rating": (
            {"score": rating.score, "comment": rating.comment, "at": _iso(rating.created_at)}
            if rating
            else None
        ),
        "files": [
            {
                "filename": f.filename,
                "contentType": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "url": f"{settings.base_url.rstrip('/')}/attachments/{f.id}?{private}",
            }
            for f in files
        ],
        "emails": [
            {"template": n.template, "state": n.state.value, "sentAt": _iso(n.sent_at)}
            for n in mail
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def erase(
    session: AsyncSession, actor: Actor, proposal_id: int, *, reason: str = ""
) -> Erasure:
    """Erase the submitter's personal fields in the caller's transaction; safe to repeat."""
    if not _own_or_secretariat(actor, proposal_id):
        raise ErasureNotPermitted()
    proposal = await repository.get_for_update(session, proposal_id)
    if proposal is None or proposal.id is None:
        raise ProposalNotFound(str(proposal_id))
    if proposal.personal_data_erased_at is not None:
        return Erasure(proposal, already_erased=True)
    now = utcnow()
    if proposal.submitter_email:
        for notification in await repository.mail_to(
            session, proposal.id, proposal.submitter_email
        ):
            # A message still waiting is never sent. One being handed to the SMTP server right
            # now cannot be called back; should that attempt fail, its retry finds the address
            # gone and stops (service/notifications/delivery.py).
            if notification.state is NotificationState.PENDING:
                notification.state = NotificationState.SKIPPED
                notification.last_error = "the recipient's personal data was erased"
            notification.recipient = ERASED_RECIPIENT
    await _erase_submitter_notes(session, proposal.id)
    keys = []
    for attachment in await repository.submitter_files(session, proposal.id):
        keys.append(attachment.storage_key)
        await repository.delete(session, attachment)
    proposal.submitter_name = ERASED
    proposal.submitter_email = ""
    proposal.submitter_phone = ""
    proposal.submitter_organisation = ""
    proposal.personal_data_erased_at = now
    event = ProposalEvent(
        proposal_id=proposal.id,
        from_status=proposal.status,
        status=proposal.status,
        actor=actor.label,
        action=ERASE_ACTION,
        at=now,
    )
    proposals.add(session, event)
    await session.flush()
    events.announce(session, event)
    outbox.add_job(session, INDEX_JOB, {"proposal_id": proposal.id})
    audit.record(session, actor, AuditAction.ERASE_PERSONAL_DATA, [proposal.id], detail=reason)
    return Erasure(proposal, storage_keys=keys)


async def _erase_submitter_notes(session: AsyncSession, proposal_id: int) -> None:
    notes = set()
    for event in await repository.submitter_notes(session, proposal_id):
        notes.add(event.note)
        event.note = ERASED
    rating = await workflow.get_rating(session, proposal_id)
    if rating is not None and rating.comment:  # the score stays, for the statistics
        rating.comment = ERASED
    if not notes:
        return
    for notification in await repository.mail_about(session, proposal_id):
        if notification.context.get("note") in notes:
            notification.context = {**notification.context, "note": ERASED}


def delete_files(settings: Settings, storage_keys: list[str]) -> int:
    """Remove erased evidence files from disk (after the erasure has committed)."""
    removed = 0
    directory: Path = uploads_dir(settings)
    for key in storage_keys:
        try:
            (directory / key).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


async def expire(session: AsyncSession, settings: Settings, now: datetime) -> list[Erasure]:
    """Erase the personal data of finished submissions older than the retention period."""
    days = settings.retention_personal_days
    if days <= 0:
        return []
    before = now - timedelta(days=days)
    erased = []
    for proposal_id in await repository.expired(session, FINISHED, before, RETENTION_BATCH):
        erased.append(
            await erase(session, Actor.system(), proposal_id, reason="retention period ended")
        )
    return erased
