"""Reminders before deadlines, escalations after them, and digests per business day."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select

from service.accounts import repository as users
from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.accounts.models import NotificationMode, Role
from service.calendar import ZONE
from service.directory.repository import get_agency_by_code
from service.holidays import service as holidays
from service.notifications import repository
from service.notifications.models import Notification
from service.notifications.schedule import queue_deadline_mail, queue_digests
from service.proposals.models import Proposal, ProposalAgency, ProposalEvent, ProposalStatus
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker

REVIEWER = "reviewer.bkhcn@intake.localhost"
ADMIN = "admin.bkhcn@example.org"


def _local(text: str) -> datetime:
    """A moment in Vietnam time: 2026-11-27 is a Friday, 2026-11-30 a Monday."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


async def _routed(runtime: Runtime, settings: Settings, n: int, **fields: str) -> int:
    proposal = await submitted_and_routed(
        runtime.db, settings, email=f"p{n}@example.com", title=f"Đề xuất số {n}", **fields
    )
    assert proposal.id is not None
    return proposal.id


async def _set(
    runtime: Runtime, proposal_id: int, *, deadline: str, assigned: str | None = None
) -> None:
    async with runtime.db.transaction() as session:
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        assert proposal.agency_id is not None
        proposal.deadline = _local(deadline)
        if assigned is not None:
            assignment = await session.get(ProposalAgency, (proposal_id, proposal.agency_id))
            assert assignment is not None
            assignment.assigned_at = _local(assigned)


async def _bkhcn_admin(runtime: Runtime) -> None:
    async with runtime.db.transaction() as session:
        await accounts.ensure_user(
            session,
            email=ADMIN,
            name="Quản trị BKHCN",
            role=Role.AGENCY_ADMIN,
            password_hash="-",
            agency=await get_agency_by_code(session, "BKHCN"),
        )


async def _scheduled(runtime: Runtime) -> list[tuple[str, str, str, dict[str, object]]]:
    async with runtime.db.session() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(col(Notification.template).not_in(["receipt", "assignment"]))
                .order_by(col(Notification.id))
            )
        ).all()
    return [(n.event_key.split(":")[0], n.recipient, n.template, n.context) for n in rows]


async def _run(runtime: Runtime, settings: Settings, at: str) -> int:
    queued = await queue_deadline_mail(runtime.db, runtime.queue, settings, _local(at))
    return queued + await _digests(runtime, settings, at)


async def _digests(runtime: Runtime, settings: Settings, at: str) -> int:
    return await queue_digests(runtime.db, runtime.queue, settings, _local(at))


async def test_a_reminder_then_escalation_to_the_agency_admin_then_the_secretariat(
    runtime: Runtime, settings: Settings
) -> None:
    await _bkhcn_admin(runtime)
    with_admin = await _routed(runtime, settings, 1)
    without_admin = await _routed(
        runtime,
        settings,
        2,
        category="CYBERSECURITY",
        description="Đề nghị tăng cường an ninh mạng, phòng chống tấn công mạng và mã độc "
        "cho hệ thống thông tin của các cơ quan nhà nước.",
    )  # BCA, which has no agency admin
    await _set(runtime, with_admin, deadline="2026-12-02T23:59:59")  # a Wednesday
    await _set(runtime, without_admin, deadline="2026-12-09T23:59:59")

    assert await _run(runtime, settings, "2026-11-27T10:00") == 0  # Friday: three days ahead
    assert await _run(runtime, settings, "2026-11-30T10:00") == 2  # Monday: two days ahead
    assert await _run(runtime, settings, "2026-11-30T16:00") == 0  # once per deadline
    assert await _run(runtime, settings, "2026-12-03T09:00") == 1  # overdue: the admin
    assert await _run(runtime, settings, "2026-12-04T23:00") == 0
    assert await _run(runtime, settings, "2026-12-05T00:00") == 1  # two business days on
    assert await _run(runtime, settings, "2026-12-10T00:00") == 1  # BCA has no admin
    assert await _scheduled(runtime) == [
        ("reminder", ADMIN, "reminder", {}),
        ("reminder", REVIEWER, "reminder", {}),
        ("overdue", ADMIN, "overdue", {"level": "agency"}),
        ("overdue", "secretariat@intake.localhost", "overdue", {"level": "secretariat"}),
        ("overdue", "secretariat@intake.localhost", "overdue", {"level": "secretariat"}),
    ]


async def test_an_agency_that_takes_over_on_the_same_deadline_is_reminded_and_escalated_too(
    runtime: Runtime, settings: Settings
) -> None:
    moved = await _routed(runtime, settings, 1)
    await _set(runtime, moved, deadline="2026-12-02T23:59:59")  # a Wednesday
    assert await _run(runtime, settings, "2026-11-30T10:00") == 1  # BKHCN's reviewer
    assert await _run(runtime, settings, "2026-12-03T09:00") == 1  # no admin: the secretariat
    async with runtime.db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, moved, "BTC", settings, "vi", reason="Thuộc Bộ Tài chính."
        )
    # Its new deadline falls on the same day as the old one: BTC is reminded, then escalated.
    await _set(runtime, moved, deadline="2026-12-02T23:59:59")
    assert await _run(runtime, settings, "2026-11-30T11:00") == 1
    assert await _run(runtime, settings, "2026-11-30T16:00") == 0  # once per agency's deadline
    assert await _run(runtime, settings, "2026-12-03T10:00") == 1
    deadline_mail = [m for m in await _scheduled(runtime) if m[2] in ("reminder", "overdue")]
    assert deadline_mail == [
        ("reminder", REVIEWER, "reminder", {}),
        ("overdue", "secretariat@intake.localhost", "overdue", {"level": "secretariat"}),
        ("reminder", "reviewer.btc@intake.localhost", "reminder", {}),
        ("overdue", "secretariat@intake.localhost", "overdue", {"level": "secretariat"}),
    ]


async def test_no_reminder_or_escalation_while_the_clock_waits_for_the_submitter(
    runtime: Runtime, settings: Settings
) -> None:
    asked = await _routed(runtime, settings, 1)
    running = await _routed(runtime, settings, 2)
    bkhcn = await agency_id(runtime.db, "BKHCN")
    for proposal_id in (asked, running):
        await _set(runtime, proposal_id, deadline="2026-12-02T23:59:59")  # a Wednesday
    async with runtime.db.transaction() as session:
        await workflow.request_information(
            session, official(bkhcn), asked, "Xin gửi số hồ sơ đã nộp.", "vi"
        )

    assert await _run(runtime, settings, "2026-11-30T10:00") == 1  # the running one's reminder
    assert await _run(runtime, settings, "2026-12-03T09:00") == 1  # and its escalation
    assert await _event_keys(runtime) == [
        f"reminder:{running}",
        f"overdue:secretariat:{running}",  # BKHCN has no agency admin here
    ]
    async with runtime.db.session() as session:
        thursday = _local("2026-12-03T09:00")
        overdue = await repository.lead_overdue(session, bkhcn, thursday, limit=50)
        assert overdue == ([running], 1)
        friday = _local("2026-11-27T10:00")
        soon = await repository.lead_deadlines_between(session, bkhcn, friday, thursday, limit=50)
        assert soon == ([running], 1)

    # The answer starts the clock again, the deadline moved by the business days it waited
    # (none here): from then on it is watched like any other.
    async with runtime.db.transaction() as session:
        await workflow.answer_information(
            session, Actor.submitter(asked), asked, "Hồ sơ số 12.", "vi"
        )
    assert await _run(runtime, settings, "2026-12-03T10:00") == 1
    assert (await _event_keys(runtime))[-1] == f"overdue:secretariat:{asked}"


async def test_a_backlog_larger_than_a_batch_is_escalated_and_then_passed_over(
    runtime: Runtime, settings: Settings
) -> None:
    await _bkhcn_admin(runtime)
    with_admin = [await _routed(runtime, settings, n) for n in range(3)]
    security = "Đề nghị tăng cường an ninh mạng, phòng chống tấn công mạng và mã độc."
    without_admin = [
        await _routed(runtime, settings, n, category="CYBERSECURITY", description=security)
        for n in range(3, 5)
    ]  # BCA, which has no agency admin
    for proposal_id in with_admin + without_admin:
        await _set(runtime, proposal_id, deadline="2026-12-02T23:59:59")  # a Wednesday

    async def run(at: str) -> int:  # two submissions a transaction
        return await queue_deadline_mail(runtime.db, runtime.queue, settings, _local(at), batch=2)

    async def still_due(at: str) -> list[int]:
        async with runtime.db.session() as session:
            due = await repository.deadline_mail_due(
                session, _local(at), _local(at), after=None, limit=100
            )
        return [p.id for p in due if p.id is not None]

    # Thursday: BKHCN's admin hears of its three, the secretariat at once of BCA's two.
    assert await run("2026-12-03T09:00") == 5
    # BKHCN's wait for their escalation to the secretariat; BCA's have nothing left to send.
    assert await still_due("2026-12-03T09:00") == with_admin
    assert await run("2026-12-03T10:00") == 0
    # Two business days on, the secretariat hears of BKHCN's, and nothing is left to do.
    assert await run("2026-12-05T00:00") == 3
    assert await still_due("2026-12-05T00:00") == []
    assert await run("2026-12-05T00:05") == 0
    assert await _event_keys(runtime) == [
        *(f"overdue:agency:{i}" for i in with_admin),
        *(f"overdue:secretariat:{i}" for i in without_admin),
        *(f"overdue:secretariat:{i}" for i in with_admin),
    ]

    # A new deadline is watched afresh.
    await _set(runtime, without_admin[0], deadline="2026-12-08T23:59:59")
    assert await still_due("2026-12-10T00:00") == [without_admin[0]]
    assert await run("2026-12-10T00:00") == 1
    async with runtime.db.session() as session:
        keys = (await session.exec(select(Notification.event_key))).all()
    bca = await agency_id(runtime.db, "BCA")
    assert [key for key in keys if key.startswith(f"overdue:secretariat:{without_admin[0]}:")] == [
        f"overdue:secretariat:{without_admin[0]}:{bca}:2026-12-02T16:59:59+00:00",
        f"overdue:secretariat:{without_admin[0]}:{bca}:2026-12-08T16:59:59+00:00",
    ]


async def _event_keys(runtime: Runtime) -> list[str]:
    """The deadline mail queued, in order, once per event: its key without the deadline."""
    async with runtime.db.session() as session:
        keys = (
            await session.exec(
                select(Notification.event_key)
                .where(col(Notification.template).in_(["reminder", "overdue"]))
                .order_by(col(Notification.id))
            )
        ).all()
    # reminder:<id>:<deadline>, overdue:<level>:<id>:<deadline>; one row per recipient.
    kept = (key.split(":")[: 2 if key.startswith("reminder:") else 3] for key in keys)
    return list(dict.fromkeys(":".join(parts) for parts in kept))


async def test_the_digest_gathers_each_business_day_from_the_previous_one_s_cutoff(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    async with runtime.db.transaction() as session:
        reviewer = await users.get_by_email(session, REVIEWER)
        assert reviewer is not None
        reviewer.notification_mode = NotificationMode.DIGEST
    assigned = {
        1: "2026-11-26T10:00",  # Thursday
        2: "2026-11-27T06:59",  # Friday, before the 07:00 cut-off
        3: "2026-11-27T07:00",  # Friday, at the cut-off: Monday's
        4: "2026-11-28T12:00",  # Saturday
        5: "2026-11-30T06:00",  # Monday, before the cut-off
    }
    ids = {n: await _routed(runtime, settings, n) for n in assigned}
    for n, at in assigned.items():
        await _set(runtime, ids[n], deadline="2027-01-29T23:59:59", assigned=at)
    await _set(runtime, ids[1], deadline="2026-11-27T23:59:59")  # due Friday
    await _set(runtime, ids[5], deadline="2026-12-01T23:59:59")  # due Tuesday

    assert await _digests(runtime, settings, "2026-11-27T06:59") == 0  # before the cut-off
    assert await _digests(runtime, settings, "2026-11-27T07:05") == 1
    assert await _digests(runtime, settings, "2026-11-28T10:00") == 0  # Saturday
    assert await _digests(runtime, settings, "2026-11-30T06:59") == 0
    assert await _digests(runtime, settings, "2026-11-30T07:05") == 1
    assert await _digests(runtime, settings, "2026-11-30T15:00") == 0  # once a day
    friday, monday = [row for row in await _scheduled(runtime) if row[0] == "digest"]
    assert friday == (
        "digest",
        REVIEWER,
        "digest",
        {
            "overdue": [],
            "due_soon": [ids[1], ids[5]],
            "assigned": [ids[1], ids[2]],
            "totals": {"overdue": 0, "due_soon": 2, "assigned": 2},
            "cutoff": "2026-11-27T07:00:00+07:00",
        },
    )
    assert monday[3] == {
        "overdue": [ids[1]],
        "due_soon": [ids[5]],
        "assigned": [ids[3], ids[4], ids[5]],
        "totals": {"overdue": 1, "due_soon": 1, "assigned": 3},
        "cutoff": "2026-11-30T07:00:00+07:00",
    }
    # A reviewer on the digest gets no separate reminder.
    assert await _run(runtime, settings, "2026-11-30T15:00") == 1
    assert [row[:2] for row in await _scheduled(runtime)] == [
        ("digest", REVIEWER),
        ("digest", REVIEWER),
        ("overdue", "secretariat@intake.localhost"),  # BKHCN has no admin here
    ]

    await run_worker(settings)
    subjects = sorted(
        str(m.message["Subject"]) for m in mailbox.messages if m.recipients == (REVIEWER,)
    )
    assert subjects == [
        "Tổng hợp Intake ngày 27/11/2026",
        "Tổng hợp Intake ngày 30/11/2026",
    ]
    [monday_mail] = [m.message for m in mailbox.messages if m.message["Subject"] == subjects[1]]
    text = monday_mail.get_body(("plain",))
    assert text is not None
    headings = [line for line in text.get_content().splitlines() if line.endswith(")")]
    assert headings == ["Quá hạn (1)", "Sắp đến hạn (1)", "Mới được giao (3)"]
    assert f"{settings.base_url.rstrip('/')}/account/mail?lang=vi" in text.get_content()


async def test_the_secretariat_s_digest_lists_what_entered_triage(
    runtime: Runtime, settings: Settings
) -> None:
    async with runtime.db.transaction() as session:
        staff = await users.get_by_email(session, "secretariat@intake.localhost")
        assert staff is not None
        staff.notification_mode = NotificationMode.DIGEST
    vague = "Tôi có vài ý kiến chung, mong được xem xét."  # nothing to route by
    first, second = [
        await _routed(runtime, settings, n, category="OTHER", description=vague) for n in (1, 2)
    ]
    async with runtime.db.session() as session:
        rows = (await session.exec(select(Notification.template))).all()
        # The earliest first, and how many there are in all.
        start, end = _local("2000-01-01T00:00"), _local("2100-01-01T00:00")
        assert await repository.entered_triage_between(session, start, end, limit=1) == (
            [first],
            2,
        )
        assert await repository.entered_triage_between(session, start, end, limit=5) == (
            [first, second],
            2,
        )
    assert rows == ["receipt", "receipt"]  # no separate triage mail
    assert await agency_id(runtime.db, "THUONGTRUC") > 0


async def test_a_holiday_in_the_table_is_no_digest_day_and_the_next_digest_covers_it(
    runtime: Runtime, settings: Settings
) -> None:
    async with runtime.db.transaction() as session:
        reviewer = await users.get_by_email(session, REVIEWER)
        assert reviewer is not None
        reviewer.notification_mode = NotificationMode.DIGEST
        await holidays.save_holiday(session, "user:1", date(2026, 11, 30), "Ngày nghỉ bù", "vi")
    friday, monday = await _routed(runtime, settings, 1), await _routed(runtime, settings, 2)
    await _set(runtime, friday, deadline="2027-01-29T23:59:59", assigned="2026-11-27T10:00")
    await _set(runtime, monday, deadline="2027-01-29T23:59:59", assigned="2026-11-30T10:00")

    assert await _digests(runtime, settings, "2026-11-30T07:05") == 0  # Monday is a holiday
    assert await _digests(runtime, settings, "2026-12-01T07:05") == 1
    (digest,) = [row for row in await _scheduled(runtime) if row[0] == "digest"]
    # Tuesday's digest starts at Friday's cut-off: the holiday is no business day.
    assert digest[3]["assigned"] == [friday, monday]
    assert digest[3]["cutoff"] == "2026-12-01T07:00:00+07:00"


async def test_a_digest_lists_the_most_pressing_of_a_section_and_counts_the_rest(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    settings = settings.model_copy(update={"mail_digest_items": 2})
    async with runtime.db.transaction() as session:
        reviewer = await users.get_by_email(session, REVIEWER)
        assert reviewer is not None
        reviewer.notification_mode = NotificationMode.DIGEST
    ids = [await _routed(runtime, settings, n) for n in range(4)]
    # Overdue by 4, 1, 3 and 2 days on Monday the 30th: the digest lists the longest overdue.
    for proposal_id, day in zip(ids, ("26", "29", "27", "28"), strict=True):
        await _set(
            runtime, proposal_id, deadline=f"2026-11-{day}T23:59:59", assigned="2026-11-20T10:00"
        )

    assert await _digests(runtime, settings, "2026-11-30T07:05") == 1
    (digest,) = [row for row in await _scheduled(runtime) if row[0] == "digest"]
    assert digest[3]["overdue"] == [ids[0], ids[2]]
    assert digest[3]["totals"] == {"overdue": 4, "due_soon": 0, "assigned": 0}

    await run_worker(settings)
    [mail] = [m.message for m in mailbox.messages if m.message["Subject"].startswith("Tổng hợp")]
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    lines = text.get_content().splitlines()
    assert "Quá hạn (4)" in lines
    listed = [line for line in lines if line.startswith("- ")]
    assert [line.split(":")[0] for line in listed] == [
        f"- {code}" for code in await _codes(runtime, [ids[0], ids[2]])
    ]
    assert "… và 2 hồ sơ khác: http://intake.test/inbox?overdue=yes&lang=vi" in lines
    assert '<a href="http://intake.test/inbox?overdue=yes&amp;lang=vi">… và 2 hồ sơ khác</a>' in (
        html.get_content()
    )


async def _codes(runtime: Runtime, ids: list[int]) -> list[str]:
    async with runtime.db.session() as session:
        found = {p.id: p.tracking_code for p in await repository.proposals_by_ids(session, ids)}
    return [found[i] for i in ids]


async def test_digests_go_to_readers_in_batches_each_once_with_their_agency_s_news(
    runtime: Runtime, settings: Settings
) -> None:
    readers = [REVIEWER, *(f"reviewer.{n}.bkhcn@intake.localhost" for n in range(3))]
    async with runtime.db.transaction() as session:
        bkhcn = await get_agency_by_code(session, "BKHCN")
        for email in readers[1:]:
            await accounts.ensure_user(
                session,
                email=email,
                name=email,
                role=Role.REVIEWER,
                password_hash="-",
                agency=bkhcn,
            )
        for email in [*readers, "secretariat@intake.localhost"]:
            user = await users.get_by_email(session, email)
            assert user is not None
            user.notification_mode = NotificationMode.DIGEST
    assigned = await _routed(runtime, settings, 1)
    await _set(runtime, assigned, deadline="2027-01-29T23:59:59", assigned="2026-11-27T10:00")
    vague = "Tôi có vài ý kiến chung, mong được xem xét."  # nothing to route by: triage
    triaged = await _routed(runtime, settings, 2, category="OTHER", description=vague)
    async with runtime.db.transaction() as session:
        event = (
            await session.exec(
                select(ProposalEvent)
                .where(ProposalEvent.proposal_id == triaged)
                .where(ProposalEvent.status == ProposalStatus.TRIAGE)
            )
        ).one()
        assert event is not None
        event.at = _local("2026-11-27T10:00")

    async def run(at: str) -> int:  # two readers a transaction
        return await queue_digests(runtime.db, runtime.queue, settings, _local(at), batch=2)

    assert await run("2026-11-30T07:05") == 5
    assert await run("2026-11-30T07:10") == 0  # once a day
    digests = {row[1]: row[3] for row in await _scheduled(runtime) if row[0] == "digest"}
    assert sorted(digests) == sorted([*readers, "secretariat@intake.localhost"])
    for email in readers:
        assert digests[email]["assigned"] == [assigned]
    assert digests["secretariat@intake.localhost"]["triage"] == [triaged]
