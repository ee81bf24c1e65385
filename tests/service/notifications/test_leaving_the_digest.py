"""An official who leaves the digest gets what was held back for it at once, and nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from service.accounts import repository as users
from service.accounts.models import NotificationMode
from service.calendar import ZONE
from service.notifications import service as notifications
from service.notifications.models import Notification
from service.notifications.schedule import queue_digests, queue_pending_digest
from service.outbox.service import unit_of_work
from service.proposals.models import Proposal, ProposalAgency
from service.runtime import Runtime
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker

REVIEWER = "reviewer.bkhcn@intake.localhost"


def _local(text: str) -> datetime:
    """A moment in Vietnam time: 2026-11-28 is a Saturday; the digest's cut-off is 07:00."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


async def _assigned(runtime: Runtime, settings: Settings, n: int, at: str, due: str) -> int:
    proposal = await submitted_and_routed(
        runtime.db, settings, email=f"p{n}@example.com", title=f"Đề xuất số {n}"
    )
    async with runtime.db.transaction() as session:
        stored = await session.get(Proposal, proposal.id)
        assert stored is not None
        assert stored.agency_id is not None
        stored.deadline = _local(due)
        assignment = await session.get(ProposalAgency, (stored.id, stored.agency_id))
        assert assignment is not None
        assignment.assigned_at = _local(at)
    assert proposal.id is not None
    return proposal.id


async def _choose(runtime: Runtime, settings: Settings, mode: NotificationMode, at: str) -> int:
    """What /account/mail does on saving: the choice, and on leaving the digest what it held."""
    async with unit_of_work(runtime.db, runtime.queue) as session:
        user = await notifications.set_preferences(
            session, await _reviewer_id(runtime), mode=mode, language="vi"
        )
        assert user is not None
        if mode is NotificationMode.DIGEST:
            return 0
        return await queue_pending_digest(session, settings, user, _local(at))


async def _reviewer_id(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        user = await users.get_by_email(session, REVIEWER)
    assert user is not None
    assert user.id is not None
    return user.id


async def _digests(runtime: Runtime) -> list[tuple[str, dict[str, object]]]:
    async with runtime.db.session() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(Notification.template == "digest")
                .order_by(col(Notification.id))
            )
        ).all()
    return [(n.event_key, n.context) for n in rows]


async def _scheduled(runtime: Runtime, settings: Settings, at: str) -> int:
    return await queue_digests(runtime.db, runtime.queue, settings, _local(at))


async def test_the_day_s_digest_then_lists_only_what_came_after_the_switch(
    runtime: Runtime, settings: Settings
) -> None:
    reviewer = await _reviewer_id(runtime)
    await _choose(runtime, settings, NotificationMode.DIGEST, "2026-11-27T12:00")
    due = await _assigned(runtime, settings, 1, "2026-11-20T10:00", "2026-12-01T23:59:59")
    before = await _assigned(runtime, settings, 2, "2026-11-28T10:00", "2027-01-29T23:59:59")

    # Saturday: Monday's digest is the next, and what it would list so far goes at once.
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-11-28T12:00") == 1
    assert await _choose(runtime, settings, NotificationMode.DIGEST, "2026-11-28T13:00") == 0
    after = await _assigned(runtime, settings, 3, "2026-11-29T10:00", "2027-01-29T23:59:59")
    assert await _scheduled(runtime, settings, "2026-11-30T07:05") == 1
    assert await _scheduled(runtime, settings, "2026-11-30T07:10") == 0
    assert await _digests(runtime) == [
        (
            f"digest:{reviewer}:2026-11-30:1",
            {
                "overdue": [],
                "due_soon": [due],
                "assigned": [before],
                "totals": {"overdue": 0, "due_soon": 1, "assigned": 1},
                "cutoff": "2026-11-28T12:00:00+07:00",
            },
        ),
        (
            # Another day: its deadlines again, but only what was assigned after the switch.
            f"digest:{reviewer}:2026-11-30",
            {
                "overdue": [],
                "due_soon": [due],
                "assigned": [after],
                "totals": {"overdue": 0, "due_soon": 1, "assigned": 1},
                "cutoff": "2026-11-30T07:00:00+07:00",
            },
        ),
    ]

    # Monday after the digest: Tuesday's is pending, without the deadlines listed this morning.
    later = await _assigned(runtime, settings, 4, "2026-11-30T08:00", "2027-01-29T23:59:59")
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-11-30T09:00") == 1
    assert (await _digests(runtime))[-1] == (
        f"digest:{reviewer}:2026-12-01:1",
        {"assigned": [later], "totals": {"assigned": 1}, "cutoff": "2026-11-30T09:00:00+07:00"},
    )

    # Leaving just after Tuesday's cut-off, before the schedule ran: Tuesday's digest is sent.
    assert await _choose(runtime, settings, NotificationMode.DIGEST, "2026-11-30T09:30") == 0
    last = await _assigned(runtime, settings, 5, "2026-11-30T10:00", "2027-01-29T23:59:59")
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-12-01T07:00:10") == 1
    assert (await _digests(runtime))[-1] == (
        f"digest:{reviewer}:2026-12-01",
        {
            "overdue": [],
            "due_soon": [due],
            "assigned": [last],
            "totals": {"overdue": 0, "due_soon": 1, "assigned": 1},
            "cutoff": "2026-12-01T07:00:00+07:00",
        },
    )
    await _choose(runtime, settings, NotificationMode.DIGEST, "2026-12-01T07:01")
    assert await _scheduled(runtime, settings, "2026-12-01T07:05") == 0
    assert len(await _digests(runtime)) == 4


async def test_leaving_twice_in_a_day_sends_each_item_once(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    reviewer = await _reviewer_id(runtime)
    await _choose(runtime, settings, NotificationMode.DIGEST, "2026-11-28T07:30")
    await _assigned(runtime, settings, 1, "2026-11-20T10:00", "2026-12-01T23:59:59")
    first = await _assigned(runtime, settings, 2, "2026-11-28T08:00", "2027-01-29T23:59:59")
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-11-28T10:00") == 1
    assert await _choose(runtime, settings, NotificationMode.DIGEST, "2026-11-28T10:30") == 0
    # Nothing new since 10:00: the deadlines were listed already that day.
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-11-28T11:00") == 0
    assert await _choose(runtime, settings, NotificationMode.DIGEST, "2026-11-28T11:30") == 0
    second = await _assigned(runtime, settings, 3, "2026-11-28T12:00", "2027-01-29T23:59:59")
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-11-28T13:00") == 1
    assert await _choose(runtime, settings, NotificationMode.INSTANT, "2026-11-28T13:05") == 0
    # A reader of separate emails has no digest on Monday.
    assert await _scheduled(runtime, settings, "2026-11-30T07:05") == 0

    assert [(key, context["totals"]) for key, context in await _digests(runtime)] == [
        (f"digest:{reviewer}:2026-11-30:1", {"overdue": 0, "due_soon": 1, "assigned": 1}),
        (f"digest:{reviewer}:2026-11-30:2", {"assigned": 1}),
    ]
    assert [context["assigned"] for _, context in await _digests(runtime)] == [[first], [second]]

    await run_worker(settings)
    mails = [m.message for m in mailbox.messages if m.recipients == (REVIEWER,)]
    assert [str(m["Subject"]) for m in mails] == ["Tổng hợp Intake ngày 28/11/2026"] * 2
    headings = []
    for mail in mails:
        text = mail.get_body(("plain",))
        assert text is not None
        headings.append([line for line in text.get_content().splitlines() if line.endswith(")")])
    assert sorted(headings) == [["Mới được giao (1)"], ["Sắp đến hạn (1)", "Mới được giao (1)"]]
