"""Paths through the workflow that cross each other: an extension while a question waits, a
second rating after a reopen, merges into what has ended, reopened clocks, and who reads the
answers and the contact of a submission that moved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.accounts.actor import Actor
from service.db import Database, utcnow
from service.errors import ValidationFailed
from service.proposals import repository as proposals
from service.proposals.models import ProposalStatus
from service.settings import Settings
from service.workflow import repository
from service.workflow import service as workflow
from service.workflow.rules import Action
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed, submitter_of

S = ProposalStatus


async def test_an_answer_after_an_extension_returns_to_where_the_question_was_asked(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.acknowledge(session, reviewer, pid)
        await workflow.request_information(session, reviewer, pid, "Số hồ sơ?", "vi")
    async with db.transaction() as session:
        await workflow.extend_deadline(session, reviewer, pid, 5, "Chờ hồ sơ.", settings, "vi")
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        step = await workflow.answer_information(session, submitter, pid, "Số 12/2026.", "vi")
    assert (step.event.from_status, step.event.status) == (S.NEEDS_INFO, S.ACKNOWLEDGED)
    assert step.proposal.paused_at is None


async def test_a_reopened_and_answered_again_submission_is_rated_again(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"))
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        await workflow.respond(session, reviewer, pid, "Trả lời.", publish=True, language="vi")
    async with db.transaction() as session:
        await workflow.rate(session, submitter, pid, 1, "Chưa rõ.", "vi")
    async with db.transaction() as session:
        await workflow.reopen(session, SECRETARIAT, pid, "Trả lời lại.", "vi")
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, pid, "Trả lời đầy đủ.", publish=True, language="vi"
        )
    async with db.transaction() as session:
        step = await workflow.rate(session, submitter, pid, 5, "Rõ ràng.", "vi")
    assert step.proposal.status is S.CLOSED
    async with db.session() as session:
        rating = await repository.get_rating(session, pid)
    assert rating is not None
    assert (rating.score, rating.comment) == (5, "Rõ ràng.")


async def test_a_merge_leads_only_to_a_submission_still_handled_and_takes_its_followers(
    db: Database, settings: Settings
) -> None:
    lead = await submitted_and_routed(db, settings, email="lead@example.com")
    middle = await submitted_and_routed(db, settings, email="middle@example.com")
    follower = await submitted_and_routed(db, settings, email="follower@example.com")
    ended = await submitted_and_routed(db, settings, email="ended@example.com")
    assert lead.id is not None
    assert middle.id is not None
    assert follower.id is not None
    assert ended.id is not None
    async with db.transaction() as session:
        await workflow.reject(session, SECRETARIAT, ended.id, "Không thuộc phạm vi.", "vi")
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await workflow.merge(session, SECRETARIAT, follower.id, ended.id, "en")
    [error] = refused.value.errors
    assert error.field == "intoId"
    assert "rejected" in error.message
    async with db.transaction() as session:
        await workflow.merge(session, SECRETARIAT, follower.id, middle.id, "vi")
    async with db.transaction() as session:
        await workflow.merge(session, SECRETARIAT, middle.id, lead.id, "vi")
    async with db.session() as session:
        moved = await proposals.get(session, follower.id)
    assert moved is not None
    assert (moved.status, moved.merged_into_id) == (S.MERGED, lead.id)


async def test_a_reopened_submission_resumes_its_clock_instead_of_counting_the_time_ended(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    async with db.transaction() as session:
        await workflow.reject(session, SECRETARIAT, pid, "Thiếu thông tin.", "vi")
    # Three weeks pass while it is rejected: its deadline falls in that time.
    async with db.transaction() as session:
        row = await proposals.get(session, pid)
        assert row is not None
        assert row.deadline is not None
        left = row.deadline - utcnow()
        row.deadline = utcnow() - timedelta(days=7)
        for event in await proposals.events(session, pid):
            if event.action == Action.REJECT.value:
                event.at = utcnow() - timedelta(days=7) - left
    async with db.transaction() as session:
        step = await workflow.reopen(session, SECRETARIAT, pid, "Đã có thông tin.", "vi")
    assert step.proposal.status is S.ROUTED
    assert step.proposal.deadline is not None
    assert step.proposal.deadline > utcnow()


async def test_an_answer_is_public_only_with_the_submitters_consent(
    db: Database, settings: Settings
) -> None:
    private = await submitted_and_routed(db, settings, consent_to_publish=False)
    assert private.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, private.id, "Trả lời.", publish=True, language="vi"
        )
    async with db.session() as session:
        row = await proposals.get(session, private.id)
        assert row is not None
        public = await workflow.record(session, Actor.anonymous(), row)
        own = await workflow.record(session, await submitter_of(db, settings, private.id), row)
    assert public.responses == []
    assert [r.text for r in own.responses] == ["Trả lời."]


async def test_an_agency_it_was_transferred_away_from_keeps_the_case_not_the_contact(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, proposal.id, "BCT", settings, "vi", reason="Thuộc Bộ Công Thương."
        )
    earlier = official(await agency_id(db, "BKHCN"))
    now = official(await agency_id(db, "BCT"))
    async with db.session() as session:
        row = await proposals.get(session, proposal.id)
        assert row is not None
        theirs_before = await workflow.record(session, earlier, row)
        theirs_now = await workflow.record(session, now, row)
    assert (theirs_before.handling, theirs_before.sees_contact) == (True, False)
    assert (theirs_now.handling, theirs_now.sees_contact) == (True, True)


async def test_a_withdrawn_lead_leaves_the_public_pages_and_sends_its_followers_to_triage(
    db: Database, settings: Settings
) -> None:
    lead = await submitted_and_routed(
        db, settings, email="lead@example.com", consent_to_publish=True
    )
    follower = await submitted_and_routed(db, settings, email="follower@example.com")
    assert lead.id is not None
    assert follower.id is not None
    assert lead.published
    async with db.transaction() as session:
        await workflow.merge(session, SECRETARIAT, follower.id, lead.id, "vi")
    submitter = await submitter_of(db, settings, lead.id)
    async with db.transaction() as session:
        await workflow.withdraw(session, submitter, lead.id, "Tôi gửi nhầm.", "vi")
    async with db.session() as session:
        withdrawn = await proposals.get(session, lead.id)
        released = await proposals.get(session, follower.id)
        timeline = await proposals.events(session, follower.id)
    assert withdrawn is not None
    assert (withdrawn.status, withdrawn.published) == (S.WITHDRAWN, False)
    assert released is not None
    assert (released.status, released.merged_into_id, released.deadline) == (S.TRIAGE, None, None)
    last = timeline[-1]
    assert (last.action, last.actor, last.from_status, last.note) == (
        Action.REOPEN.value,
        "system",
        S.MERGED,
        lead.tracking_code,
    )
    # The secretariat handles it again from triage.
    async with db.transaction() as session:
        step = await workflow.assign(session, SECRETARIAT, follower.id, "BTC", settings, "vi")
    assert step.proposal.status is S.ROUTED
