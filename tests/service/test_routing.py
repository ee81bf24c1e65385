"""The foundation's rule table, deadlines, and routing run twice."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from service.calendar import add_business_days
from service.db import Database, utcnow
from service.directory import repository as directory
from service.notifications.models import Notification
from service.outbox.models import OutboxMessage
from service.proposals import repository
from service.proposals import service as proposals
from service.proposals.models import ProposalStatus
from service.routing.service import route_proposal
from service.settings import Settings
from tests.factories import submission


async def _submit_and_route(
    db: Database, settings: Settings, **fields: object
) -> tuple[int, str, ProposalStatus, str]:
    async with db.transaction() as session:
        proposal = await proposals.submit_proposal(session, submission(**fields), settings, "vi")
    assert proposal.id is not None
    async with db.transaction() as session:
        routed = await route_proposal(session, proposal.id, settings)
    assert routed is not None
    return proposal.id, routed.agency.code, routed.status, routed.reason


async def test_local_obstacle_goes_to_the_provinces_peoples_committee(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    _, agency, status, reason = await _submit_and_route(
        db, settings, kind="OBSTACLE", category="DIGITAL_GOVERNMENT", province="DAK-LAK"
    )
    await db.dispose()
    assert (agency, status, reason) == (
        "UBND-DAK-LAK",
        ProposalStatus.ROUTED,
        "rule: local obstacle in DAK-LAK",
    )


async def test_proposal_goes_to_the_ministry_for_its_topic_even_with_a_province(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    _, agency, status, reason = await _submit_and_route(
        db, settings, kind="PROPOSAL", category="CYBERSECURITY", province="HA-NOI"
    )
    await db.dispose()
    assert (agency, status, reason) == ("BCA", ProposalStatus.ROUTED, "rule: topic CYBERSECURITY")


async def test_no_rule_sends_it_to_the_secretariats_triage(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id, agency, status, _ = await _submit_and_route(db, settings, category="OTHER")
    async with db.session() as session:
        mail = (
            await session.exec(select(Notification).where(Notification.template == "triage"))
        ).all()
    await db.dispose()
    assert (agency, status) == ("THUONGTRUC", ProposalStatus.TRIAGE)
    assert [(n.recipient, n.proposal_id) for n in mail] == [
        ("secretariat@intake.localhost", proposal_id)
    ]


async def test_routing_sets_deadline_timeline_index_job_and_reviewer_mail(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id, _, _, _ = await _submit_and_route(db, settings, category="INNOVATION")
    code = await _tracking_code(db, proposal_id)
    async with db.session() as session:
        tracked = await proposals.track(session, code)
        jobs = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.job == "search.index"))
        ).all()
        assignment = (
            await session.exec(select(Notification).where(Notification.template == "assignment"))
        ).all()
    await db.dispose()
    deadline = tracked.proposal.deadline
    assert deadline is not None
    assert deadline > datetime.now(UTC)
    assert [(e.status, a.code if a else None) for e, a in tracked.events] == [
        (ProposalStatus.SUBMITTED, None),
        (ProposalStatus.ROUTED, "BKHCN"),
    ]
    assert [j.payload for j in jobs] == [{"proposal_id": proposal_id}]
    assert [n.recipient for n in assignment] == ["reviewer.bkhcn@intake.localhost"]


async def _tracking_code(db: Database, proposal_id: int) -> str:
    async with db.session() as session:
        proposal = await repository.get(session, proposal_id)
    assert proposal is not None
    return proposal.tracking_code


async def test_routing_twice_changes_nothing(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id, _, _, _ = await _submit_and_route(db, settings)
    async with db.transaction() as session:
        again = await route_proposal(session, proposal_id, settings)
    async with db.transaction() as session:
        missing = await route_proposal(session, 999_999, settings)
    async with db.session() as session:
        jobs = (await session.exec(select(OutboxMessage))).all()
    await db.dispose()
    assert again is None
    assert missing is None
    assert sorted(j.job for j in jobs) == [
        "notification.send",
        "notification.send",
        "proposal.event",
        "proposal.event",
        "proposal.route",
        "search.index",
    ]


async def test_an_obstacle_naming_a_former_province_goes_to_its_new_committee(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    _, agency, status, reason = await _submit_and_route(
        db,
        settings,
        kind="OBSTACLE",
        category="DIGITAL_GOVERNMENT",
        title="Cấp phép xây dựng trạm 5G ở Bắc Giang kéo dài",
        description="Hồ sơ nộp tại huyện Lục Ngạn đã quá hạn ba tháng mà chưa có kết quả.",
    )
    await db.dispose()
    assert (agency, status, reason) == (
        "UBND-BAC-NINH",
        ProposalStatus.ROUTED,
        "rule: local obstacle naming BAC-NINH",
    )


async def test_an_obstacle_naming_two_provinces_goes_by_its_topic(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    _, agency, _, reason = await _submit_and_route(
        db,
        settings,
        kind="OBSTACLE",
        category="DIGITAL_GOVERNMENT",
        title="Hồ sơ chuyển trụ sở từ Hà Nội vào Đà Nẵng phải nộp giấy",
        description="Thủ tục liên tỉnh chưa liên thông trên Cổng Dịch vụ công quốc gia.",
    )
    await db.dispose()
    assert (agency, reason) == ("VPCP", "rule: topic DIGITAL_GOVERNMENT")


async def test_a_proposal_naming_a_province_goes_by_its_topic(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    _, agency, _, _ = await _submit_and_route(
        db, settings, kind="PROPOSAL", category="INNOVATION",
        title="Trung tâm đổi mới sáng tạo cho Quảng Nam",
    )  # fmt: skip
    await db.dispose()
    assert agency == "BKHCN"


async def test_the_agencys_own_response_days_set_the_deadline(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        bkhcn = await directory.get_agency_by_code(session, "BKHCN")
        assert bkhcn is not None
        bkhcn.respond_days = 30
    before = utcnow()
    proposal_id, agency, _, _ = await _submit_and_route(db, settings, category="INNOVATION")
    after = utcnow()
    async with db.session() as session:
        proposal = await repository.get(session, proposal_id)
    await db.dispose()
    assert proposal is not None
    assert proposal.deadline is not None
    assert agency == "BKHCN"
    assert add_business_days(before, 30) <= proposal.deadline <= add_business_days(after, 30)
