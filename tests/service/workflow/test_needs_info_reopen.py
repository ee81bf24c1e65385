"""A submission that ends while its clock is paused for the submitter's answer, then reopens:
the deadline counts neither the days it waited for the answer nor the days it was ended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.calendar import add_business_days, business_days_between
from service.db import Database, utcnow
from service.holidays.service import holiday_dates
from service.proposals import repository as proposals
from service.proposals.models import ProposalStatus
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.rules import Action
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed, submitter_of

S = ProposalStatus


@pytest.mark.parametrize("ending", [Action.REJECT, Action.WITHDRAW])
async def test_a_submission_ended_while_waiting_for_an_answer_reopens_with_its_waiting_days(
    db: Database, settings: Settings, ending: Action
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"))
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        await workflow.acknowledge(session, reviewer, pid)
        await workflow.request_information(session, reviewer, pid, "Số hồ sơ?", "vi")
    async with db.transaction() as session:
        if ending is Action.REJECT:
            await workflow.reject(session, SECRETARIAT, pid, "Không bổ sung hồ sơ.", "vi")
        else:
            await workflow.withdraw(session, submitter, pid, "Tôi không gửi được hồ sơ.", "vi")
    # Asked sixty days ago, ended thirty days ago: both spans are many business days.
    asked_at, ended_at = utcnow() - timedelta(days=60), utcnow() - timedelta(days=30)
    async with db.transaction() as session:
        row = await proposals.get(session, pid)
        assert row is not None
        assert row.paused_at is not None
        assert row.deadline is not None
        deadline = row.deadline
        row.paused_at = asked_at
        for event in await proposals.events(session, pid):
            # The timeline moves back with it, in the same order.
            event.at = ended_at if event.action == ending.value else asked_at
        holidays = await holiday_dates(session)

    async with db.transaction() as session:
        step = await workflow.reopen(session, SECRETARIAT, pid, "Đã có hồ sơ.", "vi")

    now = utcnow()
    waited = business_days_between(asked_at, now, holidays)
    assert step.proposal.status is S.ROUTED
    assert step.proposal.paused_at is None
    assert step.proposal.deadline == add_business_days(deadline, waited, holidays)
    # The same as had the answer come when it ended, the clock then stopping until the reopen.
    answered = add_business_days(
        deadline, business_days_between(asked_at, ended_at, holidays), holidays
    )
    assert step.proposal.deadline == add_business_days(
        answered, business_days_between(ended_at, now, holidays), holidays
    )
    async with db.session() as session:
        stored = await proposals.get(session, pid)
    assert stored is not None
    assert (stored.deadline, stored.paused_at) == (step.proposal.deadline, None)


async def test_a_submission_rejected_after_its_answer_came_counts_from_the_rejection(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"))
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        await workflow.request_information(session, reviewer, pid, "Số hồ sơ?", "vi")
    async with db.transaction() as session:
        await workflow.answer_information(session, submitter, pid, "Số 12/2026.", "vi")
    async with db.transaction() as session:
        await workflow.reject(session, SECRETARIAT, pid, "Không thuộc phạm vi.", "vi")
    async with db.transaction() as session:
        row = await proposals.get(session, pid)
        assert row is not None
        assert row.paused_at is None
        assert row.deadline is not None
        deadline = row.deadline
        for event in await proposals.events(session, pid):
            event.at -= timedelta(days=30)  # the whole timeline, in the same order
        rejected_at = event.at
        holidays = await holiday_dates(session)

    async with db.transaction() as session:
        step = await workflow.reopen(session, SECRETARIAT, pid, "Xem xét lại.", "vi")

    waited = business_days_between(rejected_at, utcnow(), holidays)
    assert step.proposal.deadline == add_business_days(deadline, waited, holidays)
