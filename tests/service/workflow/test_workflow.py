"""The workflow: who may take each step, from which state, and what each step records."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from service.db import Database
from service.errors import ValidationFailed
from service.notifications.models import Notification
from service.proposals import repository as proposals
from service.proposals import service as proposal_service
from service.proposals.errors import ProposalNotFound
from service.proposals.models import ProposalFilter, ProposalOrder, ProposalStatus
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.errors import InvalidTransition, NotPermitted
from service.workflow.models import NoteKind, Rating, Response
from service.workflow.rules import Action
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed, submitter_of

S = ProposalStatus


async def _timeline(db: Database, proposal_id: int) -> list[tuple[str, S | None, S, str]]:
    async with db.session() as session:
        events = await proposals.events(session, proposal_id)
    return [(e.action, e.from_status, e.status, e.actor) for e in events]


async def test_the_whole_life_of_a_submission(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    # Published with the submitter's consent: without it the answer could not be.
    proposal = await submitted_and_routed(db, settings, consent_to_publish=True)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"), user_id=7)
    submitter = await submitter_of(db, settings, pid)

    async with db.transaction() as session:
        await workflow.acknowledge(session, reviewer, pid)
    async with db.transaction() as session:
        await workflow.request_information(session, reviewer, pid, "Xin gửi số hồ sơ.", "vi")
    async with db.transaction() as session:
        await workflow.answer_information(session, submitter, pid, "Hồ sơ số 12/2026.", "vi")
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, pid, "Bộ sẽ sửa quy trình cấp phép.", publish=True, language="vi"
        )
    async with db.transaction() as session:
        await workflow.rate(session, submitter, pid, 4, "Cảm ơn.", "vi")

    assert await _timeline(db, pid) == [
        ("", None, S.SUBMITTED, "submitter"),
        ("", S.SUBMITTED, S.ROUTED, "system"),
        ("ACKNOWLEDGE", S.ROUTED, S.ACKNOWLEDGED, "user:7"),
        ("REQUEST_INFO", S.ACKNOWLEDGED, S.NEEDS_INFO, "user:7"),
        ("ANSWER_INFO", S.NEEDS_INFO, S.ACKNOWLEDGED, "submitter"),
        ("RESPOND", S.ACKNOWLEDGED, S.RESPONDED, "user:7"),
        ("RATE", S.RESPONDED, S.CLOSED, "submitter"),
    ]
    async with db.session() as session:
        [response] = (await session.exec(select(Response))).all()
        [rating] = (await session.exec(select(Rating))).all()
    await db.dispose()
    assert (response.text, response.published, response.author) == (
        "Bộ sẽ sửa quy trình cấp phép.",
        True,
        "user:7",
    )
    assert (rating.score, rating.comment) == (4, "Cảm ơn.")


async def test_invalid_transition_names_the_state_and_what_is_allowed(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.acknowledge(session, reviewer, proposal.id)
    with pytest.raises(InvalidTransition) as failure:
        async with db.transaction() as session:
            await workflow.acknowledge(session, reviewer, proposal.id)
    await db.dispose()
    assert failure.value.current is S.ACKNOWLEDGED
    assert failure.value.allowed == (
        Action.REQUEST_INFO,
        Action.RESPOND,
        Action.DECLINE,
        Action.EXTEND_DEADLINE,
    )
    assert str(failure.value) == (
        "Chưa thể tiếp nhận nội dung này. Trạng thái hiện tại là “Cơ quan đã tiếp nhận”."
        " Bạn có thể: yêu cầu bổ sung thông tin, trả lời, từ chối xử lý, gia hạn."
    )
    assert failure.value.message("en") == (
        "This submission cannot be acknowledged now. Its status is “Acknowledged by the agency”."
        " Open to you now: request information, respond, decline, extend the deadline."
    )


async def test_another_agency_cannot_see_or_act(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    hidden = await submitted_and_routed(db, settings)
    public = await submitted_and_routed(
        db, settings, consent_to_publish=True, email="other@example.com"
    )
    assert hidden.id is not None
    assert public.id is not None
    outsider = official(await agency_id(db, "BCA"))
    with pytest.raises(ProposalNotFound):
        async with db.transaction() as session:
            await workflow.acknowledge(session, outsider, hidden.id)
    with pytest.raises(NotPermitted):
        async with db.transaction() as session:
            await workflow.acknowledge(session, outsider, public.id)
    with pytest.raises(NotPermitted):
        async with db.transaction() as session:
            await workflow.assign(session, outsider, public.id, "BCA", settings, "vi")
    async with db.session() as session:
        seen = await proposals.list_visible(
            session,
            outsider.scope,
            ProposalFilter(),
            order=ProposalOrder.NEWEST,
            limit=10,
            offset=0,
            now=public.created_at,
        )
    await db.dispose()
    assert [p.id for p in seen] == [public.id]


async def test_decline_then_assign_with_a_cooperating_agency(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    bkhcn, bca, bct = [await agency_id(db, code) for code in ("BKHCN", "BCA", "BCT")]
    async with db.transaction() as session:
        await workflow.decline(session, official(bkhcn), pid, "Thuộc lĩnh vực dữ liệu.", "vi")
    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, pid, "bca", settings, "vi", cooperating=["BCT"])
    async with db.transaction() as session:
        contribution = await workflow.add_note(session, official(bct), pid, "Ý kiến BCT.", "vi")
    with pytest.raises(NotPermitted):
        async with db.transaction() as session:
            await workflow.add_note(session, official(bkhcn), pid, "Đã chuyển đi.", "vi")
    with pytest.raises(NotPermitted):
        async with db.transaction() as session:
            await workflow.respond(session, official(bct), pid, "x", publish=False, language="vi")

    async with db.session() as session:
        current = await proposals.get(session, pid)
        still_visible = await proposals.get_visible(session, official(bkhcn).scope, pid)
        mail = (
            await session.exec(
                select(Notification.recipient, Notification.template).order_by(col(Notification.id))
            )
        ).all()
    await db.dispose()
    assert current is not None
    assert (current.status, current.agency_id) == (S.ROUTED, bca)
    assert still_visible is not None  # an agency keeps seeing what it once handled
    assert contribution.kind is NoteKind.CONTRIBUTION
    assert [tuple(m) for m in mail] == [
        ("minh@example.com", "receipt"),
        ("reviewer.bkhcn@intake.localhost", "assignment"),
        ("secretariat@intake.localhost", "declined"),
        ("reviewer.bca@intake.localhost", "assignment"),
        ("reviewer.bct@intake.localhost", "assignment"),
    ]


async def test_transfer_reject_reopen_and_merge(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    first = await submitted_and_routed(db, settings)
    second = await submitted_and_routed(db, settings, email="b@example.com")
    assert first.id is not None
    assert second.id is not None
    old_deadline = first.deadline
    async with db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, first.id, "BTC", settings, "vi", reason="Thuộc tài chính."
        )
    async with db.transaction() as session:
        await workflow.reject(session, SECRETARIAT, first.id, "Trùng lặp nội dung.", "vi")
    async with db.transaction() as session:
        await workflow.reopen(session, SECRETARIAT, first.id, "Xem xét lại.", "vi")
    async with db.transaction() as session:
        await workflow.merge(session, SECRETARIAT, second.id, first.id, "vi")
    with pytest.raises(ValidationFailed) as self_merge:
        async with db.transaction() as session:
            await workflow.merge(session, SECRETARIAT, first.id, first.id, "vi")

    async with db.session() as session:
        moved = await proposals.get(session, first.id)
        merged = await proposals.get(session, second.id)
    btc = await agency_id(db, "BTC")
    assert await _timeline(db, first.id) == [
        ("", None, S.SUBMITTED, "submitter"),
        ("", S.SUBMITTED, S.ROUTED, "system"),
        ("TRANSFER", S.ROUTED, S.ROUTED, "user:999"),
        ("REJECT", S.ROUTED, S.REJECTED, "user:999"),
        ("REOPEN", S.REJECTED, S.ROUTED, "user:999"),
    ]
    await db.dispose()
    assert moved is not None
    assert merged is not None
    assert moved.agency_id == btc
    assert moved.deadline is not None
    assert old_deadline is not None
    assert moved.deadline >= old_deadline
    assert (merged.status, merged.merged_into_id) == (S.MERGED, first.id)
    assert [(e.field, e.code, e.message) for e in self_merge.value.errors] == [
        ("intoId", "self", "Không thể gộp một nội dung vào chính nó.")
    ]


async def test_submitter_withdraws_with_the_key_and_nobody_else_can(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.session() as session:
        with pytest.raises(ProposalNotFound):
            await proposal_service.submitter_actor(
                session, settings, proposal.tracking_code, "wrong-key"
            )
    with pytest.raises(NotPermitted):
        async with db.transaction() as session:
            await workflow.withdraw(session, SECRETARIAT, proposal.id, "", "vi")
    submitter = await submitter_of(db, settings, proposal.id)
    with pytest.raises(InvalidTransition):  # nothing to rate before an answer
        async with db.transaction() as session:
            await workflow.rate(session, submitter, proposal.id, 5, "", "en")
    async with db.transaction() as session:
        step = await workflow.withdraw(session, submitter, proposal.id, "Đã được giải quyết.", "vi")
    await db.dispose()
    assert step.proposal.status is S.WITHDRAWN
    assert step.event.note == "Đã được giải quyết."


async def test_a_rating_is_one_to_five(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, proposal.id, "Trả lời.", publish=False, language="vi"
        )
    submitter = await submitter_of(db, settings, proposal.id)
    with pytest.raises(ValidationFailed) as bad_score:
        async with db.transaction() as session:
            await workflow.rate(session, submitter, proposal.id, 6, "", "en")
    async with db.session() as session:
        unchanged = await proposals.get(session, proposal.id)
    await db.dispose()
    assert [(e.field, e.code, e.message) for e in bad_score.value.errors] == [
        ("score", "out_of_range", "Choose a score from 1 to 5.")
    ]
    assert unchanged is not None
    assert unchanged.status is S.RESPONDED
