"""Mail that time sends: deadline reminders, escalations of overdue work, daily digests.

Each is keyed by what it is about (the submission and its deadline, the reader and the day), so
running the schedule again, or on two workers, queues nothing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import service as accounts
from service.accounts.models import Role, User
from service.calendar import ZONE, add_business_days, is_business_day
from service.db import Database
from service.holidays.service import holiday_dates
from service.notifications import repository
from service.notifications.catalog import DIGEST, OVERDUE, REMINDER
from service.notifications.models import DeadlineStep
from service.notifications.service import Recipient, queue, recipients_of
from service.outbox import service as outbox
from service.outbox.service import JobQueue
from service.proposals.models import Proposal
from service.settings import Settings

# Submissions, and digest readers, that a transaction of the schedule takes on.
DEADLINE_BATCH = 200
DIGEST_BATCH = 200

# What one batch did: mail queued, items taken, and where the next batch starts.
K = TypeVar("K")
Batch = tuple[int, int, K | None]
DeadlineCursor = tuple[datetime, int]


async def _in_batches(
    db: Database,
    jobs: JobQueue | None,
    batch: int,
    work: Callable[[AsyncSession, K | None], Awaitable[Batch[K]]],
) -> int:
    """Run `work` batch after batch, each in its own transaction, until one comes up short.

    A backlog of thousands neither holds the database's writer for long nor loses what was
    queued to a job timeout, and the next run goes on from what is left.
    """
    queued, after = 0, None
    while True:
        async with outbox.unit_of_work(db, jobs) as session:
            count, taken, after = await work(session, after)
        queued += count
        if taken < batch:
            return queued


def previous_business_day(day: date, holidays: frozenset[date]) -> date:
    day -= timedelta(days=1)
    while not is_business_day(day, holidays):
        day -= timedelta(days=1)
    return day


async def queue_deadline_mail(
    db: Database,
    jobs: JobQueue | None,
    settings: Settings,
    now: datetime,
    *,
    batch: int = DEADLINE_BATCH,
) -> int:
    """Reminders before deadlines, then escalation to the agency admin and the secretariat.

    In batches of submissions, each in its own transaction (`_in_batches`).
    """
    async with db.session() as session:
        holidays = await holiday_dates(session)
    horizon = max(add_business_days(now, settings.mail_reminder_business_days, holidays), now)

    async def steps(session: AsyncSession, after: DeadlineCursor | None) -> Batch[DeadlineCursor]:
        proposals = await repository.deadline_mail_due(
            session, now, horizon, after=after, limit=batch
        )
        queued = await _deadline_steps(session, settings, now, holidays, proposals)
        if not proposals:
            return queued, 0, None
        last = proposals[-1]
        assert last.deadline is not None
        assert last.id is not None
        return queued, len(proposals), (last.deadline, last.id)

    return await _in_batches(db, jobs, batch, steps)


async def _deadline_steps(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    holidays: frozenset[date],
    proposals: Sequence[Proposal],
) -> int:
    """Take the steps that are due for each submission, and record each one taken."""
    taken = await repository.deadline_steps_taken(session, proposals)
    reviewers: dict[int, list[User]] = {}
    staff: list[User] | None = None
    queued = 0
    for proposal in proposals:
        pid, due, agency = proposal.id, proposal.deadline, proposal.agency_id
        assert pid is not None
        assert due is not None
        assert agency is not None
        # Keyed by agency too: after a transfer the same deadline may be another agency's.
        deadline = due.isoformat()
        if agency not in reviewers:
            reviewers[agency] = await accounts.agency_reviewers(session, agency)
        officials = reviewers[agency]
        if due > now:
            if (
                settings.mail_reminder_business_days > 0
                and (pid, due, DeadlineStep.REMINDER) not in taken
            ):
                queued += len(
                    await queue(
                        session,
                        event_key=f"reminder:{pid}:{agency}:{deadline}",
                        recipients=recipients_of(officials),
                        template=REMINDER.template,
                        proposal_id=pid,
                    )
                )
                repository.take_deadline_step(session, pid, due, DeadlineStep.REMINDER)
            continue
        admins = [u for u in officials if u.role is Role.AGENCY_ADMIN]
        if admins and (pid, due, DeadlineStep.AGENCY) not in taken:
            queued += len(
                await queue(
                    session,
                    event_key=f"overdue:agency:{pid}:{agency}:{deadline}",
                    recipients=recipients_of(admins),
                    template=OVERDUE.template,
                    proposal_id=pid,
                    context={"level": "agency"},
                )
            )
            repository.take_deadline_step(session, pid, due, DeadlineStep.AGENCY)
        # Without an agency admin to escalate to, the secretariat hears at once.
        to_secretariat = (
            add_business_days(due, settings.mail_escalate_to_secretariat_business_days, holidays)
            if admins
            else due
        )
        if now >= to_secretariat and (pid, due, DeadlineStep.SECRETARIAT) not in taken:
            staff = await accounts.secretariat_staff(session) if staff is None else staff
            queued += len(
                await queue(
                    session,
                    event_key=f"overdue:secretariat:{pid}:{agency}:{deadline}",
                    recipients=recipients_of(staff),
                    template=OVERDUE.template,
                    proposal_id=pid,
                    context={"level": "secretariat"},
                )
            )
            repository.take_deadline_step(session, pid, due, DeadlineStep.SECRETARIAT)
    return queued


def digest_window(
    day: date, settings: Settings, holidays: frozenset[date]
) -> tuple[datetime, datetime]:
    """What business day `day`'s digest covers: from the previous business day's cut-off."""
    hour = time(settings.mail_digest_hour)
    start = datetime.combine(previous_business_day(day, holidays), hour, tzinfo=ZONE)
    return start, datetime.combine(day, hour, tzinfo=ZONE)


async def queue_digests(
    db: Database,
    jobs: JobQueue | None,
    settings: Settings,
    now: datetime,
    *,
    batch: int = DIGEST_BATCH,
) -> int:
    """Once each business day, after the cut-off hour: one digest per reader who has news.

    Readers are taken in batches, each in its own transaction, like the deadline mail; the
    sections are worked out once per agency, since every reader of an agency gets the same.
    """
    today = now.astimezone(ZONE).date()
    async with db.session() as session:
        holidays = await holiday_dates(session)
    start, cutoff = digest_window(today, settings, holidays)
    if not is_business_day(today, holidays) or now < cutoff:
        return 0
    sections_of: dict[int | str | None, dict[str, repository.Listed]] = {}

    async def digests(session: AsyncSession, after: int | None) -> Batch[int]:
        readers = await repository.digest_readers(session, after=after or 0, limit=batch)
        keys = {user.id: f"digest:{user.id}:{today.isoformat()}" for user in readers}
        sent = await repository.queued_event_keys(session, list(keys.values()))
        queued = 0
        for user in readers:
            if keys[user.id] in sent:
                continue
            group = "secretariat" if user.role is Role.SECRETARIAT else user.agency_id
            if group not in sections_of:
                sections_of[group] = await _digest_sections(
                    session, user, start, cutoff, now, settings, holidays
                )
            sections = sections_of[group]
            if not any(listed.total for listed in sections.values()):
                continue
            queued += len(
                await queue(
                    session,
                    event_key=keys[user.id],
                    recipients=[Recipient(user.email, user.language)],
                    template=DIGEST.template,
                    proposal_id=None,
                    context={
                        **{key: listed.ids for key, listed in sections.items()},
                        "totals": {key: listed.total for key, listed in sections.items()},
                        "cutoff": cutoff.isoformat(),
                    },
                )
            )
        return queued, len(readers), readers[-1].id if readers else None

    return await _in_batches(db, jobs, batch, digests)


async def _digest_sections(
    session: AsyncSession,
    user: User,
    start: datetime,
    cutoff: datetime,
    now: datetime,
    settings: Settings,
    holidays: frozenset[date],
) -> dict[str, repository.Listed]:
    """Each section's most pressing submissions, and how many it holds in all.

    After a mass campaign an agency can hold thousands: they belong in its inbox, not in one
    email, so a section lists `mail_digest_items` of them and counts the rest.
    """
    limit = settings.mail_digest_items
    if user.role is Role.SECRETARIAT:
        return {
            "triage": await repository.entered_triage_between(session, start, cutoff, limit=limit)
        }
    if user.agency_id is None:
        return {}
    agency = user.agency_id
    soon = add_business_days(now, settings.mail_reminder_business_days, holidays)
    return {
        "overdue": await repository.lead_overdue(session, agency, now, limit=limit),
        "due_soon": await repository.lead_deadlines_between(
            session, agency, now, soon, limit=limit
        ),
        "assigned": await repository.assigned_between(session, agency, start, cutoff, limit=limit),
    }
