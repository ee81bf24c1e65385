"""Erasing and exporting a submitter's personal data, retention, and the audit log behind them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from service.accounts.actor import Actor
from service.attachments.models import Attachment
from service.attachments.service import IncomingFile, uploads_dir
from service.audit import service as audit
from service.audit.errors import AuditNotPermitted
from service.audit.models import AuditAction, AuditEntry, AuditFilter
from service.db import Database, utcnow
from service.notifications import delivery
from service.notifications.models import Notification, NotificationState
from service.outbox.models import OutboxMessage
from service.privacy import service as privacy
from service.privacy.errors import ErasureNotPermitted
from service.proposals import repository as proposals
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.service import submit_proposal
from service.request_id import use_request_id
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.models import Rating, Response
from tests.factories import (
    SECRETARIAT,
    agency_id,
    official,
    submission,
    submitted_and_routed,
    submitter_of,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _with_file(db: Database, settings: Settings) -> Proposal:
    async with db.transaction() as session:
        return await submit_proposal(
            session,
            submission(
                phone="0912345678", organisation="Công ty Minh Anh", consent_to_publish=False
            ),
            settings,
            "vi",
            files=[IncomingFile("cccd-nguyen-thi-minh.pdf", PDF)],
        )


async def _audit(db: Database) -> list[tuple[str, str, list[int], str, str]]:
    async with db.session() as session:
        rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    return [(r.actor, r.action, r.proposal_ids, r.detail, r.request_id) for r in rows]


async def test_erasure_keeps_the_anonymised_submission_and_stops_its_mail(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await _with_file(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    async with db.session() as session:
        [stored] = (await session.exec(select(Attachment))).all()
    assert (uploads_dir(settings) / stored.storage_key).exists()

    use_request_id("erasure-request-0001")
    try:
        async with db.transaction() as session:
            erasure = await privacy.erase(
                session, Actor.submitter(pid), pid, reason="asked through the private link"
            )
    finally:
        use_request_id(None)
    assert erasure.already_erased is False
    assert erasure.storage_keys == [stored.storage_key]
    assert privacy.delete_files(settings, erasure.storage_keys) == 1
    assert not (uploads_dir(settings) / stored.storage_key).exists()

    async with db.session() as session:
        row = await proposals.get(session, pid)
        assert row is not None
        timeline = await proposals.events(session, pid)
        mail = (
            await session.exec(select(Notification).where(Notification.proposal_id == pid))
        ).all()
        files = (await session.exec(select(Attachment))).all()
        jobs = (await session.exec(select(OutboxMessage.job))).all()
    assert (row.submitter_name, row.submitter_email, row.submitter_phone) == ("[erased]", "", "")
    assert row.submitter_organisation == ""
    assert row.personal_data_erased_at is not None
    assert (row.title, row.status) == (proposal.title, ProposalStatus.SUBMITTED)
    assert [(e.action, e.actor, e.note) for e in timeline] == [
        ("", "submitter", ""),
        ("ERASE_PERSONAL_DATA", "submitter", ""),
    ]
    # The receipt was still waiting for its job: it is never sent, and the address is gone.
    assert [(n.template, n.recipient, n.state) for n in mail] == [
        ("receipt", "[erased]", NotificationState.SKIPPED)
    ]
    assert files == []
    assert "search.index" in jobs
    assert await _audit(db) == [
        (
            "submitter",
            "ERASE_PERSONAL_DATA",
            [pid],
            "asked through the private link",
            "erasure-request-0001",
        )
    ]

    async with db.transaction() as session:
        again = await privacy.erase(session, SECRETARIAT, pid)
    assert (again.already_erased, again.storage_keys) == (True, [])
    assert len(await _audit(db)) == 1


async def test_the_answer_and_the_ratings_score_survive_erasure_and_its_comment_does_not(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"), user_id=7)
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, pid, "Bộ sẽ nghiên cứu đề xuất.", publish=False, language="vi"
        )
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        await workflow.rate(session, submitter, pid, 4, "Gọi tôi: 0912 345 678.", "vi")
    async with db.transaction() as session:
        await privacy.erase(session, SECRETARIAT, pid, reason="letter of 2026-11-30")
    async with db.session() as session:
        answers = (await session.exec(select(Response).where(Response.proposal_id == pid))).all()
        row = await proposals.get(session, pid)
        rating = await session.get(Rating, pid)
    assert [a.text for a in answers] == ["Bộ sẽ nghiên cứu đề xuất."]
    assert rating is not None
    assert (rating.score, rating.comment) == (4, privacy.ERASED)
    assert row is not None
    assert (row.status, row.agency_id) == (ProposalStatus.CLOSED, proposal.agency_id)


async def test_only_the_submitter_and_the_secretariat_erase_or_export(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    reviewer = official(await agency_id(db, "BKHCN"), user_id=7)
    for actor in (reviewer, Actor.submitter(proposal.id + 1), Actor.anonymous()):
        with pytest.raises(ErasureNotPermitted):
            async with db.transaction() as session:
                await privacy.erase(session, actor, proposal.id)
        with pytest.raises(ErasureNotPermitted):
            async with db.session() as session:
                await privacy.export(session, settings, actor, proposal.id)
    async with db.session() as session:
        row = await proposals.get(session, proposal.id)
    assert row is not None
    assert row.submitter_name == "Nguyễn Thị Minh"


async def test_the_export_holds_everything_kept_about_the_submitter(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await _with_file(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        data = await privacy.export(session, settings, Actor.submitter(proposal.id), proposal.id)
    assert data["trackingCode"] == proposal.tracking_code
    assert data["submitter"] == {
        "name": "Nguyễn Thị Minh",
        "email": "minh@example.com",
        "phone": "0912345678",
        "organisation": "Công ty Minh Anh",
        "type": "ENTERPRISE",
        "personalDataErasedAt": None,
    }
    assert data["submission"]["title"] == proposal.title
    assert [e["status"] for e in data["timeline"]] == ["SUBMITTED"]
    assert [(f["filename"], f["size"]) for f in data["files"]] == [
        ("cccd-nguyen-thi-minh.pdf", len(PDF))
    ]
    assert data["emails"] == [{"template": "receipt", "state": "PENDING", "sentAt": None}]
    assert (data["answers"], data["rating"]) == ([], None)
    assert [(a, b, c) for a, b, c, _, _ in await _audit(db)] == [
        ("submitter", "EXPORT_PERSONAL_DATA", [proposal.id])
    ]


async def test_retention_erases_finished_submissions_once_their_period_is_over(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    settings = settings.model_copy(update={"retention_personal_days": 30})
    old_closed = await submitted_and_routed(db, settings, title="Đề xuất cũ đã đóng về quỹ số")
    recent_closed = await submitted_and_routed(db, settings, title="Đề xuất mới đóng về quỹ số")
    old_open = await submitted_and_routed(db, settings, title="Đề xuất cũ còn mở về quỹ số")
    long_ago = utcnow() - timedelta(days=31)
    async with db.transaction() as session:
        for proposal, status, when in (
            (old_closed, ProposalStatus.CLOSED, long_ago),
            (recent_closed, ProposalStatus.CLOSED, utcnow()),
            (old_open, ProposalStatus.ROUTED, long_ago),
        ):
            assert proposal.id is not None
            row = await proposals.get(session, proposal.id)
            assert row is not None
            row.status, row.updated_at = status, when
    async with db.transaction() as session:
        erased = await privacy.expire(session, settings, utcnow())
    assert [e.proposal.id for e in erased] == [old_closed.id]
    async with db.transaction() as session:
        assert await privacy.expire(session, settings, utcnow()) == []
    async with db.session() as session:
        names = {p.id: p.submitter_name for p in (await session.exec(select(Proposal))).all()}
    assert names[old_closed.id] == "[erased]"
    assert names[recent_closed.id] == names[old_open.id] == "Nguyễn Thị Minh"
    assert await _audit(db) == [
        ("system", "ERASE_PERSONAL_DATA", [old_closed.id], "retention period ended", "")
    ]

    async with db.transaction() as session:
        assert (
            await privacy.expire(
                session, settings.model_copy(update={"retention_personal_days": 0}), utcnow()
            )
            == []
        )


async def test_the_audit_log_is_read_by_the_secretariat_and_purged_after_its_period(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    reviewer = official(await agency_id(db, "BKHCN"), user_id=7)
    async with db.transaction() as session:
        old = audit.record(session, reviewer, AuditAction.VIEW_CONTACT, [3])
        old.at = utcnow() - timedelta(days=400)
        audit.record(session, reviewer, AuditAction.VIEW_CONTACT, [13, 31])
        audit.record(session, SECRETARIAT, AuditAction.EXPORT_SEARCH, [], detail="csv q=quỹ")
    async with db.session() as session:
        rows, total = await audit.entries(session, SECRETARIAT, AuditFilter(), limit=10, offset=0)
        assert ([r.action for r in rows], total) == (
            ["EXPORT_SEARCH", "VIEW_CONTACT", "VIEW_CONTACT"],
            3,
        )
        by_proposal = await audit.entries(
            session, SECRETARIAT, AuditFilter(proposal_id=3), limit=10, offset=0
        )
        assert [r.proposal_ids for r in by_proposal[0]] == [[3]]
        by_actor = await audit.entries(
            session,
            SECRETARIAT,
            AuditFilter(actor="user:999", action=AuditAction.EXPORT_SEARCH),
            limit=10,
            offset=0,
        )
        assert [r.detail for r in by_actor[0]] == ["csv q=quỹ"]
        with pytest.raises(AuditNotPermitted):
            await audit.entries(session, reviewer, AuditFilter(), limit=10, offset=0)
    async with db.transaction() as session:
        assert await audit.purge(session, utcnow(), 365) == 1
        assert await audit.purge(session, utcnow(), 0) == 0
    assert [ids for _, _, ids, _, _ in await _audit(db)] == [[13, 31], []]


async def test_a_message_in_flight_during_erasure_is_never_retried_to_the_erased_address(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        [receipt] = (
            await session.exec(
                select(Notification).where(
                    Notification.proposal_id == proposal.id, Notification.template == "receipt"
                )
            )
        ).all()
        attempt = await delivery.claim(session, receipt.id or 0, settings, utcnow())
    assert isinstance(attempt, delivery.Claimed)
    async with db.transaction() as session:
        await privacy.erase(session, SECRETARIAT, proposal.id, reason="phone call")
    async with db.session() as session:
        held = await session.get(Notification, receipt.id)
    assert held is not None
    assert (held.state, held.recipient) == (NotificationState.SENDING, "[erased]")

    # The SMTP server answered with a temporary failure: the retry finds the address gone.
    later = utcnow() + timedelta(seconds=settings.mail_claim_stale_seconds + 1)
    async with db.transaction() as session:
        retry = await delivery.claim(session, receipt.id or 0, settings, later)
    assert retry == delivery.Settled(NotificationState.SKIPPED)


async def test_the_export_leaves_out_the_routing_engines_reasons(settings: Settings) -> None:
    """As the tracking page does for its submitter: those reasons name other submissions."""
    db = Database(settings.resolved_database_url)
    try:
        proposal = await submitted_and_routed(db, settings)
        assert proposal.id is not None
        async with db.session() as session:
            events = await proposals.events(session, proposal.id)
        assert events[-1].actor == "system"
        assert events[-1].note  # the engine's reasons
        async with db.transaction() as session:
            data = await privacy.export(
                session, settings, Actor.submitter(proposal.id), proposal.id
            )
    finally:
        await db.dispose()
    assert [(e["status"], e["note"]) for e in data["timeline"]] == [
        ("SUBMITTED", ""),
        ("ROUTED", ""),
    ]


async def test_erasure_replaces_the_submitters_own_notes_and_the_mail_that_quoted_them(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"), user_id=7)
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        await workflow.request_information(session, reviewer, pid, "Số điện thoại?", "vi")
    async with db.transaction() as session:
        await workflow.answer_information(session, submitter, pid, "Gọi 0912 345 678.", "vi")
    async with db.transaction() as session:
        await workflow.withdraw(session, submitter, pid, "Ông Nguyễn Văn An đã rút.", "vi")
    async with db.transaction() as session:
        await privacy.erase(session, SECRETARIAT, pid)
    async with db.session() as session:
        timeline = await proposals.events(session, pid)
        mail = (
            await session.exec(
                select(Notification)
                .where(Notification.proposal_id == pid)
                .order_by(col(Notification.id))
            )
        ).all()
    assert [(e.action, e.actor, e.note) for e in timeline if e.actor != "system"] == [
        ("", "submitter", ""),
        ("REQUEST_INFO", reviewer.label, "Số điện thoại?"),
        ("ANSWER_INFO", "submitter", "[erased]"),
        ("WITHDRAW", "submitter", "[erased]"),
        ("ERASE_PERSONAL_DATA", SECRETARIAT.label, ""),
    ]
    # The reviewer was told of the answer; the message keeps the step, not the number.
    notes = {n.template: n.context.get("note") for n in mail}
    assert notes["answer_received"] == "[erased]"
    assert notes["information_requested"] == "Số điện thoại?"
    assert "0912" not in repr([n.context for n in mail])
