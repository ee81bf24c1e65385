"""The dashboard's figures for every agency at once match each agency's own figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from service.accounts.actor import Actor
from service.accounts.models import Role
from service.calendar import ZONE
from service.db import Database, utcnow
from service.errors import FieldError, ValidationFailed
from service.proposals import repository as proposals_repository
from service.proposals.models import Proposal, ProposalEvent, ProposalStatus
from service.settings import Settings
from service.statistics import service as statistics
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed


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


async def test_an_answer_and_its_rating_stay_with_the_agency_that_gave_them(
    settings: Settings,
) -> None:
    """Answered by BKHCN and rated 4, reopened and transferred to BYT: BYT has answered
    nothing; BKHCN keeps its answer's time and its rating, until BYT's answer is rated."""
    db = Database(settings.resolved_database_url)
    try:
        routed = await submitted_and_routed(db, settings)
        pid = routed.id
        assert pid is not None
        bkhcn, byt = await agency_id(db, "BKHCN"), await agency_id(db, "BYT")
        assert routed.agency_id == bkhcn
        await _answer(db, pid, bkhcn)
        async with db.transaction() as session:
            await workflow.rate(session, Actor.submitter(pid), pid, 4, "", "vi")
        async with db.transaction() as session:
            await workflow.reopen(session, SECRETARIAT, pid, "Cần Bộ Y tế trả lời.", "vi")
        async with db.transaction() as session:
            await workflow.transfer(
                session, SECRETARIAT, pid, "BYT", settings, "vi", reason="Thuộc ngành y tế."
            )
        moved, by_agency, one_by_one, everyone = await _every_way(db)
        await _answer(db, pid, byt, "Bộ Y tế trả lời.")
        answered, answered_by, answered_one_by_one, _ = await _every_way(db)
        async with db.transaction() as session:
            await workflow.rate(session, Actor.submitter(pid), pid, 2, "", "vi")
        rated, rated_by, rated_one_by_one, _ = await _every_way(db)
    finally:
        await db.dispose()
    assert by_agency == one_by_one
    assert moved == everyone
    assert by_agency[byt] == statistics.Figures(1, 0, 0, 0, None, None, 0, passed_on=0)
    assert by_agency[bkhcn] == statistics.Figures(0, 0, 0, 0, 0.0, 4.0, 1, passed_on=1)
    assert moved == statistics.Figures(1, 0, 0, 0, 0.0, 4.0, 1, passed_on=1)
    # BYT answers, on time: its own answer's time; the rating is still of BKHCN's answer.
    assert answered_by == answered_one_by_one
    assert answered_by[byt] == statistics.Figures(1, 1, 1, 0, 0.0, None, 0, passed_on=0)
    assert answered_by[bkhcn] == statistics.Figures(0, 0, 0, 0, 0.0, 4.0, 1, passed_on=1)
    assert answered == statistics.Figures(1, 1, 1, 0, 0.0, 4.0, 1, passed_on=1)
    # Rating BYT's answer replaces the one rating the submission has.
    assert rated_by == rated_one_by_one
    assert rated_by[byt] == statistics.Figures(1, 1, 1, 0, 0.0, 2.0, 1, passed_on=0)
    assert rated_by[bkhcn] == statistics.Figures(0, 0, 0, 0, 0.0, None, 0, passed_on=1)
    assert rated == statistics.Figures(1, 1, 1, 0, 0.0, 2.0, 1, passed_on=1)


def _vietnam(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=ZONE).astimezone(UTC)


async def test_a_late_answer_stays_late_once_reopened_and_answered_again(
    settings: Settings,
) -> None:
    """Due 1 June 23:59 in Vietnam, answered on 2 June: late. Reopening moves the deadline by
    the days it waited since the answer, which leaves it as late as it was: answered again,
    it is still not on time."""
    db = Database(settings.resolved_database_url)
    try:
        routed = await submitted_and_routed(db, settings)
        pid = routed.id
        assert pid is not None
        await _answer(db, pid, routed.agency_id)
        async with db.transaction() as session:
            row = await proposals_repository.get(session, pid)
            assert row is not None
            row.created_at = _vietnam("2026-05-20", 9)
            row.deadline = _vietnam("2026-06-01", 23).replace(minute=59, second=59)
            events = await session.exec(
                select(ProposalEvent).where(ProposalEvent.proposal_id == pid)
            )
            for event in events:
                answer = event.action == "RESPOND"
                event.at = _vietnam("2026-06-02", 10) if answer else row.created_at
        late, _, _, _ = await _every_way_since(db, date(2026, 5, 1))
        async with db.transaction() as session:
            reopened = await workflow.reopen(session, SECRETARIAT, pid, "Chưa đầy đủ.", "vi")
            moved_to = reopened.proposal.deadline
        await _answer(db, pid, routed.agency_id, "Trả lời đầy đủ hơn.")
        again, by_agency, one_by_one, everyone = await _every_way_since(db, date(2026, 5, 1))
    finally:
        await db.dispose()
    assert moved_to is not None
    assert moved_to > _vietnam("2026-06-02", 10)  # the first answer alone would now be on time
    assert (late.resolved, late.responded_on_time, late.on_time_rate) == (1, 0, 0.0)
    assert (again.resolved, again.responded_on_time, again.on_time_rate) == (1, 0, 0.0)
    assert again.median_days_to_respond == 13.0  # to the first answer, 20 May to 2 June
    assert by_agency == one_by_one
    assert again == everyone


async def _every_way_since(
    db: Database, first: date
) -> tuple[
    statistics.Figures,
    dict[int, statistics.Figures],
    dict[int, statistics.Figures],
    statistics.Figures,
]:
    """The figures from `first` to now, at once and one query at a time."""
    start, end = datetime(first.year, first.month, first.day, tzinfo=ZONE), utcnow()
    async with db.session() as session:
        overall, by_agency = await statistics.figures_by_agency(session, start, end)
        one_by_one = {
            agency: await statistics.figures(session, agency, start, end) for agency in by_agency
        }
        everyone = await statistics.figures(session, None, start, end)
    return overall, by_agency, one_by_one, everyone


def test_a_period_is_whole_days_in_vietnam_the_last_one_included() -> None:
    today = date(2026, 12, 3)
    one_day = statistics.period(date(2026, 12, 3), date(2026, 12, 3), today, "en")
    assert one_day.bounds == (
        datetime(2026, 12, 2, 17, tzinfo=UTC),
        datetime(2026, 12, 3, 17, tzinfo=UTC),
    )
    assert statistics.period(None, None, today, "en") == statistics.Period(date(2025, 12, 4), today)
    assert statistics.last_year(today) == statistics.Period(date(2025, 12, 4), today)
    assert statistics.period(date(2026, 11, 1), None, today, "en") == statistics.Period(
        date(2026, 11, 1), today
    )
    # Up to a day: the 365 days ending on it.
    assert statistics.period(None, date(2026, 3, 31), today, "en") == statistics.Period(
        date(2025, 4, 1), date(2026, 3, 31)
    )
    edges = statistics.period(date(2000, 1, 1), date(2100, 12, 31), today, "en")
    assert edges.bounds == (
        datetime(1999, 12, 31, 17, tzinfo=UTC),
        datetime(2100, 12, 31, 17, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("first", "last", "errors"),
    [
        (
            date(1, 1, 1),
            None,
            [FieldError("from", "out_of_range", "Choose a date from 2000 to 2100.")],
        ),
        (
            None,
            date(9999, 12, 31),
            [FieldError("to", "out_of_range", "Choose a date from 2000 to 2100.")],
        ),
        (
            date(1999, 12, 31),
            date(2101, 1, 1),
            [
                FieldError("from", "out_of_range", "Choose a date from 2000 to 2100."),
                FieldError("to", "out_of_range", "Choose a date from 2000 to 2100."),
            ],
        ),
        (
            date(2026, 12, 5),
            date(2026, 12, 1),
            [
                FieldError(
                    "from",
                    "after_to",
                    "The first day of the period must not come after its last day, 2026-12-01.",
                )
            ],
        ),
        (
            date(2026, 12, 4),
            None,
            [
                FieldError(
                    "from",
                    "after_to",
                    "The first day of the period must not come after its last day, 2026-12-03.",
                )
            ],
        ),
    ],
)
def test_a_period_out_of_the_calendar_or_backwards_is_refused_by_name(
    first: date | None, last: date | None, errors: list[FieldError]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        statistics.period(first, last, date(2026, 12, 3), "en")
    assert refused.value.errors == errors
