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
        keys = {user.id: _digest_key(user, today) for user in readers}
        early = {user.id: _digest_key(user, today, part=1) for user in readers}
        sent = await repository.queued_event_keys(session, [*keys.values(), *early.values()])
        queued = 0
        for user in readers:
            if keys[user.id] in sent:
                continue
            if early[user.id] in sent:
                # Part of it went out when the reader left the digest for a while: the rest.
                _, _, covered = await _parts_sent(session, user, today)
                sections = await _digest_sections(
                    session,
                    user,
                    covered or start,
                    cutoff,
                    now,
                    settings,
                    holidays,
                    deadlines=not _same_day(covered, now),
                )
                queued += await _queue_digest(session, user, keys[user.id], sections, cutoff)
                continue
            group = "secretariat" if user.role is Role.SECRETARIAT else user.agency_id
            if group not in sections_of:
                sections_of[group] = await _digest_sections(
                    session, user, start, cutoff, now, settings, holidays
                )
            queued += await _queue_digest(session, user, keys[user.id], sections_of[group], cutoff)
        return queued, len(readers), readers[-1].id if readers else None

    return await _in_batches(db, jobs, batch, digests)


async def queue_pending_digest(
    session: AsyncSession, settings: Settings, user: User, now: datetime
) -> int:
    """The digest an official leaving it would have had next, sent at once with what it holds.

    Mail for the digest is held back when it happens, so without this it would never reach
    them. It goes out as an early part of that day's digest, which then lists only the rest.
    """
    holidays = await holiday_dates(session)
    day = now.astimezone(ZONE).date()
    queued, listed_today = 0, False
    while True:  # from today to the first business day whose cut-off is still ahead
        if is_business_day(day, holidays):
            start, cutoff = digest_window(day, settings, holidays)
            in_full, number, covered = await _parts_sent(session, user, day)
            deadlines = not (listed_today or _same_day(covered, now))
            end = min(now, cutoff)
            if not in_full:
                sections = await _digest_sections(
                    session,
                    user,
                    covered or start,
                    end,
                    now,
                    settings,
                    holidays,
                    deadlines=deadlines,
                )
                # Past the cut-off, the day's digest is due and about to go: this is it.
                key = _digest_key(user, day, part=None if now >= cutoff else number)
                queued += await _queue_digest(session, user, key, sections, end)
            if now < cutoff:
                return queued
            listed_today = True
        day += timedelta(days=1)


def _digest_key(user: User, day: date, *, part: int | None = None) -> str:
    """digest:<user>:<day> for the digest at the day's cut-off, digest:<user>:<day>:<n> for the
    parts of it sent before, each time its reader left the digest."""
    key = f"digest:{user.id}:{day.isoformat()}"
    return key if part is None else f"{key}:{part}"


async def _parts_sent(
    session: AsyncSession, user: User, day: date
) -> tuple[bool, int, datetime | None]:
    """Whether `day`'s digest went out at its cut-off, the number of its next early part, and
    the moment the last early part covered."""
    if await repository.queued_event_keys(session, [_digest_key(user, day)]):
        return True, 0, None
    number, covered = 1, None
    while sent := await repository.get_once(
        session, _digest_key(user, day, part=number), user.email
    ):
        covered = datetime.fromisoformat(str(sent.context["cutoff"]))
        number += 1
    return False, number, covered


def _same_day(covered: datetime | None, now: datetime) -> bool:
    """Whether a part covering up to `covered` went out on `now`'s day: overdue and due soon
    change from one day to the next, so a later part that day would only list them again."""
    return covered is not None and covered.astimezone(ZONE).date() == now.astimezone(ZONE).date()


async def _queue_digest(
    session: AsyncSession,
    user: User,
    key: str,
    sections: dict[str, repository.Listed],
    cutoff: datetime,
) -> int:
    """One digest to one reader, unless it would list nothing."""
    if not any(listed.total for listed in sections.values()):
        return 0
    return len(
        await queue(
            session,
            event_key=key,
            recipients=[Recipient(user.email, user.language)],
            template=DIGEST.template,
            proposal_id=None,
            context={
                **{name: listed.ids for name, listed in sections.items()},
                "totals": {name: listed.total for name, listed in sections.items()},
                "cutoff": cutoff.isoformat(),
            },
        )
    )


async def _digest_sections(
    session: AsyncSession,
    user: User,
    start: datetime,
    cutoff: datetime,
    now: datetime,
    settings: Settings,
    holidays: frozenset[date],
    *,
    deadlines: bool = True,
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
    assigned = await repository.assigned_between(session, agency, start, cutoff, limit=limit)
    if not deadlines:
        return {"assigned": assigned}
    soon = add_business_days(now, settings.mail_reminder_business_days, holidays)
    return {
        "overdue": await repository.lead_overdue(session, agency, now, limit=limit),
        "due_soon": await repository.lead_deadlines_between(
            session, agency, now, soon, limit=limit
        ),
        "assigned": assigned,
    }
