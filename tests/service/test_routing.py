"""Routing: rules, competences, confidence and triage, precedent and learning, declines,
near-duplicates, deadlines, and routing run twice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from search.documents import index_proposal
from service.calendar import add_business_days
from service.db import Database, utcnow
from service.directory import repository as directory
from service.notifications.models import Notification
from service.outbox.models import OutboxMessage
from service.proposals import repository
from service.proposals import service as proposals
from service.proposals.models import ProposalStatus
from service.routing import repository as routing
from service.routing.errors import RoutingOutdated
from service.routing.models import RoutingMethod
from service.routing.reasons import english
from service.routing.service import Routed, decide_routing, record_routing, route_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, official, submission

DRONE: dict[str, Any] = {
    "kind": "OBSTACLE",
    "category": "OTHER",
    "title": "Xin phép bay flycam khảo sát đồng ruộng phải chờ hai tuần",
    "description": "Hợp tác xã muốn dùng flycam để khảo sát sâu bệnh trên cánh đồng lúa "
    "nhưng mỗi lần bay đều phải xin phép và chờ hai tuần.",
}


LONG = "Hồ sơ nộp từ tháng trước đến nay vẫn chưa có kết quả, đề nghị giải quyết sớm."


async def _route(
    db: Database, settings: Settings, runtime: Runtime | None = None, **fields: Any
) -> Routed:
    async with db.transaction() as session:
        proposal = await proposals.submit_proposal(session, submission(**fields), settings, "vi")
    assert proposal.id is not None
    async with db.transaction() as session:
        routed = await route_proposal(
            session, proposal.id, settings, runtime.search if runtime else None
        )
    assert routed is not None
    return routed


async def _index(db: Database, runtime: Runtime, proposal_id: int) -> None:
    async with db.session() as session:
        await index_proposal(session, runtime.search, proposal_id)


async def test_local_obstacle_goes_to_the_provinces_peoples_committee(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    routed = await _route(
        db,
        settings,
        kind="OBSTACLE",
        category="DIGITAL_GOVERNMENT",
        province="DAK-LAK",
        title="Bộ phận một cửa ở phường không nhận hồ sơ trực tuyến",
        description="Cán bộ yêu cầu nộp bản giấy dù hồ sơ đã nộp trên cổng của tỉnh.",
    )
    await db.dispose()
    decision = routed.decision
    assert (routed.agency.code, routed.status, decision.method) == (
        "UBND-DAK-LAK",
        ProposalStatus.ROUTED,
        RoutingMethod.RULE,
    )
    assert decision.confidence == 0.552  # 8 / (8 + 4.5 + 2)
    assert english(decision.reasons) == [
        "UBND-DAK-LAK: confidence 0.55",
        "rule 1: a local obstacle goes to the People's Committee of its province",
        "rule 2: a local procedure or local land goes to the People's Committee of its province",
    ]
    assert [(s["agency"], s["score"]) for s in decision.suggestions] == [
        ("UBND-DAK-LAK", 8.0),
        ("VPCP", 4.5),
        ("BNV", 2.0),
    ]


async def test_a_national_matter_in_a_province_goes_to_the_ministry(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    routed = await _route(db, settings, province="DA-NANG", **DRONE)
    await db.dispose()
    assert (routed.agency.code, routed.status) == ("BQP", ProposalStatus.ROUTED)
    assert english(routed.decision.reasons)[1] == (
        "rule 4: flights of drones are the Ministry of National Defence's wherever they happen"
    )


async def test_a_proposal_asking_the_province_itself_to_act_goes_to_its_committee(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    fields: dict[str, Any] = {
        "kind": "PROPOSAL",
        "category": "OTHER",
        "title": "Mở cửa thư viện cuối tuần ở Quảng Ninh",
    }
    asked = await _route(
        db,
        settings,
        **fields,
        description="Đề nghị tỉnh Quảng Ninh kéo dài giờ mở cửa thư viện vào cuối tuần để học "
        "sinh ôn thi.",
    )
    unasked = await _route(
        db,
        settings,
        **fields,
        description="Cần kéo dài giờ mở cửa thư viện vào cuối tuần để học sinh ôn thi.",
    )
    await db.dispose()
    assert (asked.agency.code, asked.status) == ("UBND-QUANG-NINH", ProposalStatus.ROUTED)
    assert english(asked.decision.reasons)[1] == (
        "rule 7: a request that the province or city itself act is for its People's Committee"
    )
    # Without the request, the library's and the pupils' ministries share the evidence.
    assert unasked.status is ProposalStatus.TRIAGE
    assert [s["agency"] for s in unasked.decision.suggestions] == ["BVHTTDL", "BGDDT"]


async def test_a_proposal_goes_to_the_ministry_competent_for_its_topic(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    routed = await _route(
        db,
        settings,
        category="OTHER",
        title="Cơ chế thử nghiệm có kiểm soát cho trí tuệ nhân tạo",
        description="Đề xuất khung thử nghiệm có kiểm soát cho sản phẩm trí tuệ nhân tạo.",
    )
    await db.dispose()
    assert (routed.agency.code, routed.decision.method) == ("BKHCN", RoutingMethod.RULE)
    assert english(routed.decision.reasons)[1] == (
        "keywords: cơ chế thử nghiệm có kiểm soát, trí tuệ nhân tạo"
    )


async def test_unclear_submissions_go_to_triage_with_suggestions(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    routed = await _route(
        db,
        settings,
        category="OTHER",
        title="Giấy phép lao động và bảo hiểm cho chuyên gia dạy đại học",
        description="Chuyên gia nước ngoài thỉnh giảng ở trường đại học vướng giấy phép lao động.",
    )
    async with db.session() as session:
        mail = (
            await session.exec(select(Notification).where(Notification.template == "triage"))
        ).all()
    await db.dispose()
    decision = routed.decision
    assert (routed.agency.code, routed.status, decision.method) == (
        "THUONGTRUC",
        ProposalStatus.TRIAGE,
        RoutingMethod.TRIAGE,
    )
    assert english(decision.reasons) == [
        "confidence 0.47 is below 0.50: the secretariat decides",
        "keyword: giấy phép lao động",
    ]
    assert [(s["agency"], s["score"]) for s in decision.suggestions] == [
        ("BNV", 4.5),
        ("BGDDT", 3.0),
    ]
    assert [n.recipient for n in mail] == ["secretariat@intake.localhost"]


async def test_routing_sets_deadlines_timeline_index_job_and_reviewer_mail(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    before = utcnow()
    routed = await _route(db, settings, category="INNOVATION")
    after = utcnow()
    proposal_id = routed.proposal.id
    assert proposal_id is not None
    async with db.session() as session:
        proposal = await repository.get(session, proposal_id)
        assert proposal is not None
        tracked = await proposals.track(session, proposal.tracking_code)
        jobs = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.job == "search.index"))
        ).all()
        assignment = (
            await session.exec(select(Notification).where(Notification.template == "assignment"))
        ).all()
    await db.dispose()
    assert proposal.deadline is not None
    assert proposal.acknowledge_deadline is not None
    assert add_business_days(before, 15) <= proposal.deadline <= add_business_days(after, 15)
    assert (
        add_business_days(before, 3) <= proposal.acknowledge_deadline <= add_business_days(after, 3)
    )
    assert [(e.status, a.code if a else None) for e, a in tracked.events] == [
        (ProposalStatus.SUBMITTED, None),
        (ProposalStatus.ROUTED, "BKHCN"),
    ]
    assert [j.payload for j in jobs] == [{"proposal_id": proposal_id}]
    assert [n.recipient for n in assignment] == ["reviewer.bkhcn@intake.localhost"]


async def test_routing_twice_changes_nothing(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    routed = await _route(db, settings)
    assert routed.proposal.id is not None
    async with db.transaction() as session:
        again = await route_proposal(session, routed.proposal.id, settings)
    async with db.transaction() as session:
        missing = await route_proposal(session, 999_999, settings)
    async with db.session() as session:
        jobs = (await session.exec(select(OutboxMessage))).all()
        decisions = await routing.decisions(session, routed.proposal.id)
    await db.dispose()
    assert again is None
    assert missing is None
    assert len(decisions) == 1
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
    routed = await _route(
        db,
        settings,
        kind="OBSTACLE",
        category="DIGITAL_GOVERNMENT",
        title="Cấp phép xây dựng trạm 5G ở Bắc Giang kéo dài",
        description="Hồ sơ nộp tại huyện Lục Ngạn đã quá hạn ba tháng mà chưa có kết quả.",
    )
    await db.dispose()
    assert (routed.agency.code, routed.status) == ("UBND-BAC-NINH", ProposalStatus.ROUTED)


async def test_the_agencys_own_response_days_set_the_deadline(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        bkhcn = await directory.get_agency_by_code(session, "BKHCN")
        assert bkhcn is not None
        bkhcn.respond_days = 30
    before = utcnow()
    routed = await _route(db, settings, category="INNOVATION")
    after = utcnow()
    await db.dispose()
    deadline = routed.proposal.deadline
    assert deadline is not None
    assert routed.agency.code == "BKHCN"
    assert add_business_days(before, 30) <= deadline <= add_business_days(after, 30)


CAMPAIGN: dict[str, Any] = {
    "category": "OTHER",
    "title": "Mở lại tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh",
    "description": "Cư dân khu Hòa Khánh đề nghị mở lại tuyến xe buýt điện số 12 đã dừng "
    "chạy từ tháng trước, vì hàng nghìn công nhân không còn phương tiện đi làm.",
}


async def test_a_triage_assignment_routes_the_next_similar_submission(
    settings: Settings, runtime: Runtime
) -> None:
    db = runtime.db
    first = await _route(db, settings, runtime, **CAMPAIGN)
    assert first.status is ProposalStatus.TRIAGE
    assert first.proposal.id is not None
    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, first.proposal.id, "UBND-DA-NANG", settings, "vi"
        )
    await _index(db, runtime, first.proposal.id)

    second = await _route(
        db,
        settings,
        runtime,
        email="khac@example.com",
        category="OTHER",
        title="Đề nghị mở lại tuyến xe buýt điện số 12 ở Hòa Khánh",
        description="Tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh dừng chạy, công nhân "
        "không có phương tiện đi làm; đề nghị mở lại.",
    )
    assert (second.agency.code, second.status, second.decision.method) == (
        "UBND-DA-NANG",
        ProposalStatus.ROUTED,
        RoutingMethod.PRECEDENT,
    )
    assert english(second.decision.reasons)[1].startswith(
        f"precedent: {first.proposal.tracking_code} (0."
    )


async def test_a_vietnamese_precedent_votes_for_an_english_submission_on_the_same_subject(
    settings: Settings, runtime: Runtime
) -> None:
    db = runtime.db
    first = await _route(
        db,
        settings,
        runtime,
        category="OTHER",
        title="Chuyên gia bán dẫn người Hàn Quốc chờ giấy phép lao động ba tháng",
        description="Công ty thiết kế chip tuyển hai chuyên gia nhưng hồ sơ xin giấy phép lao "
        "động bị trả lại nhiều lần.",
    )
    assert first.proposal.id is not None
    assert first.status is ProposalStatus.TRIAGE  # semiconductors or work permits?
    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, first.proposal.id, "BNV", settings, "vi")
    await _index(db, runtime, first.proposal.id)

    second = await _route(
        db,
        settings,
        runtime,
        email="korea@example.com",
        category="OTHER",
        title="Korean semiconductor engineers wait months for work permits",
        description="Our chip design company hired two engineers, but their work permit files "
        "were sent back twice.",
    )
    # No word in common but "chip": the concepts semiconductor, chip and work permit are.
    assert (second.agency.code, second.status, second.decision.method) == (
        "BNV",
        ProposalStatus.ROUTED,
        RoutingMethod.PRECEDENT,
    )
    assert english(second.decision.suggestions[0]["reasons"]) == [
        "keyword: work permit",
        f"precedent: {first.proposal.tracking_code} (0.50)",
    ]


async def test_a_transferred_routing_does_not_stand_as_precedent(
    settings: Settings, runtime: Runtime
) -> None:
    db = runtime.db
    first = await _route(db, settings, runtime, **CAMPAIGN)
    assert first.proposal.id is not None
    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, first.proposal.id, "BXD", settings, "vi")
    async with db.transaction() as session:
        await workflow.transfer(
            session,
            SECRETARIAT,
            first.proposal.id,
            "UBND-DA-NANG",
            settings,
            "vi",
            reason="Địa phương.",
        )
    async with db.session() as session:
        decisions = await routing.decisions(session, first.proposal.id)
        codes = {a.id: a.code for a in await directory.list_agencies(session)}
    assert [(d.method, codes[d.agency_id or 0], d.stood) for d in decisions] == [
        (RoutingMethod.TRIAGE, "THUONGTRUC", False),
        (RoutingMethod.SECRETARIAT, "BXD", False),
        (RoutingMethod.SECRETARIAT, "UBND-DA-NANG", True),
    ]


async def test_a_decline_returns_to_triage_and_excludes_the_agency(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    routed = await _route(db, settings, province="DA-NANG", **DRONE)
    assert routed.proposal.id is not None
    bqp = official(await agency_id(db, "BQP"))
    async with db.transaction() as session:
        await workflow.decline(session, bqp, routed.proposal.id, "Không thuộc thẩm quyền.", "vi")
    async with db.session() as session:
        decisions = await routing.decisions(session, routed.proposal.id)
        proposal = await repository.get(session, routed.proposal.id)
    await db.dispose()
    assert proposal is not None
    assert proposal.status is ProposalStatus.TRIAGE
    first, latest = decisions
    assert not first.stood
    assert (latest.method, latest.excluded) == (RoutingMethod.TRIAGE, ["BQP"])
    assert english(latest.reasons) == ["declined by BQP (user:1): Không thuộc thẩm quyền."]
    assert [s["agency"] for s in latest.suggestions] == ["UBND-DA-NANG"]


async def test_the_same_letter_from_many_senders_is_linked_to_the_first(
    settings: Settings, runtime: Runtime
) -> None:
    db = runtime.db
    first = await _route(db, settings, runtime, **CAMPAIGN)
    assert first.proposal.id is not None
    await _index(db, runtime, first.proposal.id)
    copy = await _route(db, settings, runtime, email="b@example.com", **CAMPAIGN)
    await _index(db, runtime, copy.proposal.id or 0)
    near = await _route(
        db,
        settings,
        runtime,
        email="c@example.com",
        category="OTHER",
        title=CAMPAIGN["title"],
        description=CAMPAIGN["description"] + " Xin cảm ơn.",
    )
    unrelated = await _route(db, settings, runtime, email="d@example.com")
    assert copy.proposal.duplicate_of_id == first.proposal.id
    assert near.proposal.duplicate_of_id == first.proposal.id
    assert english(near.decision.reasons)[-1] == f"near-duplicate of {first.proposal.tracking_code}"
    assert unrelated.proposal.duplicate_of_id is None
    async with db.session() as session:
        linked = await routing.duplicates_of(session, first.proposal.id)
    assert [p.id for p in linked] == [copy.proposal.id, near.proposal.id]


async def test_routing_counts_the_submissions_each_word_is_in(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    await _route(db, settings, title="Giấy phép lao động cho chuyên gia", description=LONG)
    await _route(db, settings, title="Giấy phép xây dựng nhà xưởng chậm", description=LONG)
    async with db.session() as session:
        documents, counts = await routing.term_counts(
            session, ["giay phep", "lao dong", "xay dung", "chuyen gia", "khong co"]
        )
    await db.dispose()
    assert documents == 2
    assert counts == {"giay phep": 2, "lao dong": 1, "xay dung": 1, "chuyen gia": 1}


async def _submitted(db: Database, settings: Settings, **fields: Any) -> int:
    async with db.transaction() as session:
        proposal = await proposals.submit_proposal(session, submission(**fields), settings, "vi")
    assert proposal.id is not None
    return proposal.id


async def test_routing_is_decided_in_a_read_session_and_written_after(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _submitted(db, settings, category="STRATEGIC_TECHNOLOGIES")
    async with db.session() as session:
        plan = await decide_routing(session, proposal_id, settings)
    async with db.session() as session:
        untouched = await repository.get(session, proposal_id)
        decided = await routing.decisions(session, proposal_id)
    assert plan is not None
    async with db.transaction() as session:
        routed = await record_routing(session, plan, settings)
    async with db.session() as session:
        stored = await routing.decisions(session, proposal_id)
    await db.dispose()
    assert untouched is not None
    assert (untouched.status, decided) == (ProposalStatus.SUBMITTED, [])
    assert routed is not None
    assert (routed.agency.code, routed.status) == ("BKHCN", ProposalStatus.ROUTED)
    assert [(d.agency_id, d.reasons) for d in stored] == [
        (routed.agency.id, routed.decision.reasons)
    ]


async def test_a_routing_decided_before_the_secretariat_assigned_is_not_written(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _submitted(db, settings, category="STRATEGIC_TECHNOLOGIES")
    async with db.session() as session:
        plan = await decide_routing(session, proposal_id, settings)
    assert plan is not None
    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, proposal_id, "BXD", settings, "vi")
    async with db.transaction() as session:
        routed = await record_routing(session, plan, settings)
    async with db.session() as session:
        proposal = await repository.get(session, proposal_id)
        stored = await routing.decisions(session, proposal_id)
    bxd = await agency_id(db, "BXD")
    await db.dispose()
    assert routed is None
    assert proposal is not None
    assert proposal.agency_id == bxd
    assert [d.method for d in stored] == [RoutingMethod.SECRETARIAT]


async def test_a_routing_decided_before_the_text_changed_is_refused_and_decided_again(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _submitted(db, settings, category="STRATEGIC_TECHNOLOGIES")
    async with db.session() as session:
        plan = await decide_routing(session, proposal_id, settings)
    assert plan is not None
    async with db.transaction() as session:
        proposal = await repository.get(session, proposal_id)
        assert proposal is not None
        proposal.title, proposal.updated_at = "[đã xoá]", utcnow()
    with pytest.raises(RoutingOutdated):
        async with db.transaction() as session:
            await record_routing(session, plan, settings)
    async with db.session() as session:
        stored = await routing.decisions(session, proposal_id)
        again = await decide_routing(session, proposal_id, settings)
    assert stored == []
    assert again is not None
    async with db.transaction() as session:
        routed = await record_routing(session, again, settings)
    await db.dispose()
    assert routed is not None
    assert routed.proposal.title == "[đã xoá]"
