"""Submitting: validation in both languages, tracking codes, and nothing stored on refusal."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from service.accounts.actor import Scope
from service.db import Database
from service.directory.models import Agency
from service.errors import ValidationFailed
from service.i18n import Language
from service.notifications.models import Notification
from service.outbox.models import OutboxMessage
from service.proposals import repository, service
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    AssignmentRole,
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalFilter,
    ProposalOrder,
    ProposalStatus,
)
from service.settings import Settings
from tests.factories import submission, submitted_and_routed


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _refusal(
    db: Database, settings: Settings, language: Language = "vi", **fields: object
) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationFailed) as failure:
        async with db.transaction() as session:
            await service.submit_proposal(session, submission(**fields), settings, language)
    return [(e.field, e.code, e.message) for e in failure.value.errors]


async def test_submission_is_stored_with_event_route_job_and_receipt(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        proposal = await service.submit_proposal(session, submission(), settings, "vi")
    async with db.session() as session:
        stored = (await session.exec(select(Proposal))).one()
        events = (await session.exec(select(ProposalEvent))).all()
        jobs = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.job))).all()
        receipts = (await session.exec(select(Notification))).all()
    await db.dispose()

    assert stored.tracking_code == proposal.tracking_code
    assert stored.status is ProposalStatus.SUBMITTED
    assert stored.published is True
    assert [(e.status, e.actor) for e in events] == [(ProposalStatus.SUBMITTED, "submitter")]
    assert [(j.job, j.payload) for j in jobs] == [
        ("notification.send", {"notification_id": receipts[0].id}),
        ("proposal.event", {"event_id": events[0].id, "proposal_id": stored.id}),
        ("proposal.route", {"proposal_id": stored.id}),
    ]
    assert [(r.recipient, r.template, r.language) for r in receipts] == [
        ("minh@example.com", "receipt", "vi")
    ]


async def test_tracking_codes_use_no_look_alike_characters() -> None:
    codes = {service.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 10 for code in codes)
    assert not set("".join(codes)) & set("01OIL")


def test_tracking_code_input_is_forgiving_about_case_spaces_and_hyphens() -> None:
    assert service.normalize_tracking_code(" abcd-efgh 23 ") == "ABCDEFGH23"
    assert service.normalize_tracking_code("ABCDEFGH2O") is None  # O is not in the alphabet
    assert service.normalize_tracking_code("../../etc") is None
    assert service.normalize_tracking_code("") is None


async def test_text_is_normalised_to_nfc(settings: Settings) -> None:
    decomposed_title = unicodedata.normalize("NFD", "Chuyển đổi số")
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        proposal = await service.submit_proposal(
            session, submission(title=f"  {decomposed_title}  "), settings, "vi"
        )
    await db.dispose()
    assert proposal.title == "Chuyển đổi số"
    assert unicodedata.is_normalized("NFC", proposal.title)


async def test_every_bad_field_is_reported_at_once_in_vietnamese(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    errors = await _refusal(
        db,
        settings,
        kind="IDEA",
        title="",
        description="   ",
        category="NOPE",
        province="ATLANTIS",
        submitter_type="",
        name="x" * 201,
        email="not-an-email",
        phone="12ab",
    )
    assert await _count(db, Proposal) == 0
    assert await _count(db, OutboxMessage) == 0
    await db.dispose()
    assert errors == [
        ("kind", "invalid_choice", "Hãy chọn một trong các lựa chọn đã liệt kê."),
        ("title", "required", "Trường này là bắt buộc."),
        ("description", "required", "Trường này là bắt buộc."),
        ("submitterType", "required", "Trường này là bắt buộc."),
        ("name", "too_long", "Hãy dùng tối đa 200 ký tự."),
        ("email", "invalid", "Hãy nhập địa chỉ thư điện tử hợp lệ, ví dụ ten@example.com."),
        (
            "phone",
            "invalid",
            "Hãy nhập số điện thoại từ 9 đến 15 chữ số, ví dụ 0912 345 678.",
        ),
        ("categoryCode", "unknown", "Hãy chọn một lĩnh vực trong danh sách."),
        ("provinceCode", "unknown", "Hãy chọn một tỉnh, thành phố trong danh sách."),
    ]


async def test_errors_in_english_and_contact_required(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    errors = await _refusal(db, settings, "en", email="", phone="")
    await db.dispose()
    message = "Give an email address or a phone number so we can reach you."
    assert errors == [("email", "contact_required", message)]


async def test_control_characters_and_over_long_description_are_refused(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    errors = await _refusal(
        db,
        settings,
        "en",
        title="Tiêu đề\x00 ẩn",
        description="a" * (settings.max_description_length + 1),
        organisation="Line one\nline two",
    )
    await db.dispose()
    assert errors == [
        ("title", "control_characters", "Remove control characters from this field."),
        ("description", "too_long", "Use at most 20,000 characters."),
        ("organisation", "control_characters", "Remove control characters from this field."),
    ]


async def test_description_keeps_its_line_breaks(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        proposal = await service.submit_proposal(
            session, submission(description="Dòng một\r\nDòng hai\tcột"), settings, "vi"
        )
    await db.dispose()
    assert proposal.description == "Dòng một\nDòng hai\tcột"


async def test_phone_alone_is_enough_and_is_stored_as_digits(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        proposal = await service.submit_proposal(
            session, submission(email="", phone="+84 912.345-678"), settings, "vi"
        )
    assert await _count(db, Notification) == 0  # no email, so no receipt
    await db.dispose()
    assert proposal.submitter_phone == "+84912345678"


async def test_same_content_from_same_submitter_is_refused(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        first = await service.submit_proposal(session, submission(), settings, "vi")
    again = submission(title="QUỸ HỖ TRỢ   chuyển đổi số cho doanh nghiệp nhỏ")
    with pytest.raises(ValidationFailed) as failure:
        async with db.transaction() as session:
            await service.submit_proposal(session, again, settings, "en")
    async with db.transaction() as session:
        other_person = await service.submit_proposal(
            session, submission(email="other@example.com"), settings, "vi"
        )
    assert await _count(db, Proposal) == 2
    await db.dispose()
    assert [(e.field, e.code, e.message) for e in failure.value.errors] == [
        (
            "description",
            "duplicate",
            f"You have already sent this content; its tracking code is {first.tracking_code}.",
        )
    ]
    assert other_person.tracking_code != first.tracking_code


async def test_track_returns_timeline_and_refuses_unknown_codes(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        proposal = await service.submit_proposal(session, submission(), settings, "vi")
    async with db.session() as session:
        tracked = await service.track(session, proposal.tracking_code.lower())
        with pytest.raises(ProposalNotFound):
            await service.track(session, "ZZZZZZZZZZ")
        with pytest.raises(ProposalNotFound):
            await service.track(session, "'; DROP TABLE proposals; --")
    await db.dispose()
    assert tracked.proposal.id == proposal.id
    assert tracked.agency is None
    assert [e.status for e, _ in tracked.events] == [ProposalStatus.SUBMITTED]


async def _two_routed(db: Database, settings: Settings) -> tuple[Proposal, Proposal]:
    first = await submitted_and_routed(db, settings)
    second = await submitted_and_routed(
        db, settings, title="Cơ chế thử nghiệm có kiểm soát cho fintech"
    )
    return first, second


async def test_the_apis_timeline_is_every_event_in_order_without_its_reasons(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    first, second = await _two_routed(db, settings)
    ids = [first.id, second.id]
    async with db.session() as session:
        models = await repository.events_for(session, ids)  # type: ignore[arg-type]
        timeline = await repository.timeline_for(session, ids)  # type: ignore[arg-type]
    await db.dispose()

    # Submitted, then routed, for each: the routing step carries reasons the timeline leaves out.
    assert len(timeline) == len(models) == 4
    assert any(event.reasons for event in models)
    assert timeline == [
        repository.TimelineEvent(*(getattr(e, name) for name in repository.TimelineEvent._fields))
        for e in models
    ]
    assert all(type(event.status) is ProposalStatus for event in timeline)


async def test_the_apis_assignments_are_every_assignment_in_order_as_tuples(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    first, second = await _two_routed(db, settings)
    assert first.id is not None
    assert second.id is not None
    async with db.transaction() as session:
        other = (await session.exec(select(Agency).where(Agency.code == "BTC"))).one()
        assert other.id is not None
        session.add(
            ProposalAgency(
                proposal_id=first.id,
                agency_id=other.id,
                role=AssignmentRole.COOPERATING,
                active=False,
            )
        )
    ids = [first.id, second.id]
    async with db.session() as session:
        statement = (
            select(ProposalAgency)
            .where(col(ProposalAgency.proposal_id).in_(ids))
            .order_by(col(ProposalAgency.assigned_at))
        )
        models = (await session.exec(statement)).all()
        assignments = await repository.assignments_for(session, ids)
    await db.dispose()

    assert len(assignments) == len(models) == 3
    assert assignments == [
        repository.Assignment(*(getattr(a, name) for name in repository.Assignment._fields))
        for a in models
    ]
    assert [(a.proposal_id, a.role, a.active) for a in assignments] == [
        (first.id, AssignmentRole.LEAD, True),
        (second.id, AssignmentRole.LEAD, True),
        (first.id, AssignmentRole.COOPERATING, False),
    ]
    assert all(type(a.role) is AssignmentRole and a.assigned_at.tzinfo for a in assignments)


async def test_pages_of_what_a_scope_may_read_are_the_visible_rows_in_order(
    settings: Settings,
) -> None:
    # list_visible reads published and unpublished submissions apart and merges them (unless
    # the filter names the leading agency); every page and count must be what one condition
    # over all rows gives, in every order.
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        made = [
            await service.submit_proposal(
                session,
                submission(
                    title=f"Đề xuất số {n} về chuyển đổi số",
                    email=f"s{n}@example.com",
                    consent_to_publish=n % 3 == 0,
                ),
                settings,
                "vi",
            )
            for n in range(12)
        ]
        by_code = select(Agency).where(col(Agency.code).in_(["BTC", "BCA"]))
        mine, other = sorted((await session.exec(by_code)).all(), key=lambda a: a.code != "BTC")
        assert mine.id is not None
        assert other.id is not None
        start = made[0].created_at
        for n, proposal in enumerate(made):
            assert proposal.id is not None
            proposal.published = n % 3 == 0
            # Ties in created_at, to be broken by id; deadlines with gaps and ties.
            proposal.created_at = start + timedelta(minutes=n // 2)
            proposal.deadline = None if n % 4 == 1 else start + timedelta(days=(n * 5) % 7)
            proposal.agency_id = mine.id if n % 3 != 2 else other.id
            if n % 4 == 3:
                proposal.status = ProposalStatus.ROUTED
            session.add(proposal)
            if n % 2 == 0 or n == 7:
                active = n != 4  # one transferred away: its agency still reads it
                session.add(
                    ProposalAgency(proposal_id=proposal.id, agency_id=mine.id, active=active)
                )
            if n % 5 == 0:
                session.add(ProposalAgency(proposal_id=proposal.id, agency_id=other.id))
    ids = [p.id for p in made]
    assigned = {ids[n] for n in range(12) if n % 2 == 0 or n == 7}
    scopes = [
        Scope(agency_id=mine.id),
        Scope(),
        Scope(proposal_id=ids[1]),
        Scope(agency_id=mine.id, proposal_id=ids[11]),
        Scope(everything=True),
    ]
    keys = {
        ProposalOrder.NEWEST: lambda p: (-p.created_at.timestamp(), -p.id),
        ProposalOrder.OLDEST: lambda p: (p.created_at.timestamp(), p.id),
        ProposalOrder.DEADLINE: lambda p: (
            p.deadline is None,
            p.deadline.timestamp() if p.deadline else 0,
            p.id,
        ),
    }
    filters = [
        ProposalFilter(),
        ProposalFilter(statuses=frozenset({ProposalStatus.SUBMITTED})),
        ProposalFilter(agency_ids=frozenset({mine.id})),  # read as one condition
    ]
    now = start + timedelta(days=30)
    async with db.session() as session:
        rows = (await session.exec(select(Proposal).where(col(Proposal.id).in_(ids)))).all()
        checked = 0
        for scope in scopes:
            visible = [
                p
                for p in rows
                if scope.everything
                or p.published
                or (scope.agency_id is not None and p.id in assigned)
                or p.id == scope.proposal_id
            ]
            for order, key in keys.items():
                for where in filters:
                    expected = [
                        p.id
                        for p in sorted(visible, key=key)
                        if (not where.statuses or p.status in where.statuses)
                        and (not where.agency_ids or p.agency_id in where.agency_ids)
                    ]
                    assert await repository.count_visible(session, scope, where, now) == len(
                        expected
                    )
                    for offset in range(0, len(expected) + 1, 2):
                        page = await repository.list_visible(
                            session, scope, where, order=order, limit=3, offset=offset, now=now
                        )
                        assert [p.id for p in page] == expected[offset : offset + 3], (
                            scope,
                            order,
                            offset,
                        )
                        checked += len(page)
    await db.dispose()
    assert checked > 300
