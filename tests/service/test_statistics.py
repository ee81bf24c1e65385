"""The dashboard's figures for every agency at once match each agency's own figures."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from service.accounts.models import Role
from service.db import Database, utcnow
from service.proposals.models import Proposal, ProposalStatus
from service.settings import Settings
from service.statistics import service as statistics
from service.workflow import service as workflow
from tests.factories import agency_id, official, submitted_and_routed


async def _every_way(
    db: Database,
) -> tuple[
    statistics.Figures,
    dict[int, statistics.Figures],
    dict[int, statistics.Figures],
    statistics.Figures,
]:
    """The last year's figures at once (overall, per agency) and one query at a time."""
    end = utcnow() + timedelta(minutes=1)
    start = end - timedelta(days=365)
    async with db.session() as session:
        overall, by_agency = await statistics.figures_by_agency(session, start, end)
        one_by_one = {
            agency: await statistics.figures(session, agency, start, end) for agency in by_agency
        }
        everyone = await statistics.figures(session, None, start, end)
    return overall, by_agency, one_by_one, everyone


async def _answer(
    db: Database, proposal_id: int, agency: int | None, text: str = "Cảm ơn anh/chị, Bộ sẽ xem xét."
) -> None:
    """The agency answers the submission, published."""
    async with db.transaction() as session:
        await workflow.respond(
            session, official(agency), proposal_id, text, publish=True, language="vi"
        )


async def test_figures_by_agency_match_the_figures_of_each_agency(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    try:
        answered = await submitted_and_routed(db, settings)
        await submitted_and_routed(db, settings, title="Quỹ đổi mới sáng tạo cho trường đại học")
        await submitted_and_routed(
            db,
            settings,
            category="OTHER",
            title="Góp ý chung",
            description="Tôi có vài ý kiến chung, mong được xem xét.",
        )
        assert answered.id is not None
        await _answer(db, answered.id, answered.agency_id)
        overall, by_agency, one_by_one, everyone = await _every_way(db)
        bkhcn = await agency_id(db, "BKHCN")
    finally:
        await db.dispose()
    assert overall == everyone
    assert (overall.received, overall.resolved) == (3, 1)
    assert by_agency == one_by_one
    assert (by_agency[bkhcn].received, by_agency[bkhcn].resolved) == (2, 1)


async def test_an_agency_answers_for_what_it_leads_and_counts_what_it_passed_on(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        moved = await submitted_and_routed(db, settings)
        declined = await submitted_and_routed(
            db, settings, title="Quỹ đổi mới sáng tạo cho trường đại học"
        )
        assert moved.id is not None
        assert declined.id is not None
        bkhcn, bct = await agency_id(db, "BKHCN"), await agency_id(db, "BCT")
        assert moved.agency_id == declined.agency_id == bkhcn
        async with db.transaction() as session:
            await workflow.transfer(
                session,
                official(None, Role.SECRETARIAT),
                moved.id,
                "BCT",
                settings,
                "vi",
                reason="Thuộc thẩm quyền của Bộ Công Thương.",
            )
        await _answer(db, moved.id, bct, "Bộ Công Thương trả lời.")
        async with db.transaction() as session:
            await workflow.decline(
                session, official(bkhcn), declined.id, "Không thuộc thẩm quyền.", "vi"
            )
        overall, by_agency, one_by_one, everyone = await _every_way(db)
    finally:
        await db.dispose()
    assert by_agency == one_by_one
    assert overall == everyone
    # Both left BKHCN (moved by the secretariat, one declined): neither is BKHCN's to answer
    # for, and BCT's answer is not BKHCN's.
    assert (by_agency[bkhcn].received, by_agency[bkhcn].resolved) == (0, 0)
    assert by_agency[bkhcn].passed_on == 2
    assert by_agency[bkhcn].median_days_to_respond is None
    assert (by_agency[bct].received, by_agency[bct].resolved, by_agency[bct].passed_on) == (1, 1, 0)
    assert (overall.received, overall.resolved, overall.passed_on) == (2, 1, 2)


async def test_triage_sets_no_deadline_and_assigning_out_of_it_is_not_passing_on(
    settings: Settings,
) -> None:
    """The answer's clock starts when an agency is assigned; the secretariat's triage is its
    work, not a submission it passed on."""
    db = Database(settings.resolved_database_url)
    try:
        waiting = await submitted_and_routed(
            db,
            settings,
            category="OTHER",
            title="Góp ý chung",
            description="Tôi có vài ý kiến chung, mong được xem xét.",
        )
        assert waiting.id is not None
        assert waiting.status is ProposalStatus.TRIAGE
        assert (waiting.deadline, waiting.acknowledge_deadline) == (None, None)
        async with db.transaction() as session:
            step = await workflow.assign(
                session, official(None, Role.SECRETARIAT), waiting.id, "BCT", settings, "vi"
            )
            assert step.proposal.deadline is not None
            assert step.proposal.acknowledge_deadline is not None
        bct = await agency_id(db, "BCT")
        assigned, _, _, _ = await _every_way(db)
        assert assigned.passed_on == 0  # the secretariat's assignment out of triage
        async with db.transaction() as session:
            back = await workflow.decline(
                session, official(bct), waiting.id, "Không thuộc thẩm quyền.", "vi"
            )
            assert back.proposal.status is ProposalStatus.TRIAGE
            assert (back.proposal.deadline, back.proposal.acknowledge_deadline) == (None, None)
        overall, by_agency, one_by_one, everyone = await _every_way(db)
    finally:
        await db.dispose()
    assert by_agency == one_by_one
    assert overall == everyone
    assert by_agency[bct].passed_on == 1  # BCT declined it
    assert overall.passed_on == 1


async def test_the_figures_count_more_submissions_than_a_statement_takes_parameters(
    settings: Settings,
) -> None:
    # A year of a country's submissions: more than asyncpg's 32,767 parameters per statement,
    # so no query of the figures may pass the submissions' ids one by one.
    db = Database(settings.resolved_database_url)
    many = 33_000
    try:
        routed = await submitted_and_routed(db, settings)
        assert routed.id is not None
        await _answer(db, routed.id, routed.agency_id)
        async with db.transaction() as session:
            copies = [
                {
                    "tracking_code": f"Z{n:07d}",
                    "kind": routed.kind,
                    "status": ProposalStatus.ROUTED,
                    "title": routed.title,
                    "description": routed.description,
                    "category_code": routed.category_code,
                    "submitter_type": routed.submitter_type,
                    "submitter_name": "Người gửi",
                    "content_hash": f"{n:064d}",
                    "agency_id": routed.agency_id,
                    "created_at": routed.created_at,
                    "updated_at": routed.created_at,
                }
                for n in range(many)
            ]
            await session.exec(sa.insert(Proposal), params=copies)
        overall, by_agency, one_by_one, everyone = await _every_way(db)
    finally:
        await db.dispose()
    assert routed.agency_id is not None
    assert overall == everyone
    assert by_agency == one_by_one
    assert overall.received == many + 1
    assert overall.resolved == 1
    assert overall.median_days_to_respond is not None
    assert by_agency[routed.agency_id].received == many + 1
