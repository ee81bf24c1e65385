"""The one extension of a deadline, as its submitter learns of it: the new date on the timeline
(page and API) and in an email with the reason; and the date a resumed clock moved to."""

from __future__ import annotations

from datetime import timedelta

import httpx

from service.accounts.actor import Actor
from service.db import utcnow
from service.i18n import format_day
from service.outbox import service as outbox
from service.proposals import repository as proposals
from service.proposals.service import submit_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import agency_id, official, submission
from tests.fixtures.smtp import SmtpSink, body_of
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.web.helpers import private_link


async def test_an_extension_tells_the_submitter_until_when_and_why(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink, client: httpx.AsyncClient
) -> None:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = await submit_proposal(
            session, submission(language="en", email="ana@example.com"), settings, "en"
        )
    assert proposal.id is not None
    pid, code = proposal.id, proposal.tracking_code
    await run_worker(settings)  # routed to BKHCN, with a deadline
    reviewer = official(await agency_id(runtime.db, "BKHCN"))
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.request_information(session, reviewer, pid, "Bao nhiêu DN?", "vi")
    async with runtime.db.transaction() as session:  # the question waited a week
        row = await proposals.get(session, pid)
        assert row is not None
        row.paused_at = utcnow() - timedelta(days=7)
        paused_deadline = row.deadline
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        answered = await workflow.answer_information(
            session, Actor.submitter(pid), pid, "About 200.", "en", settings
        )
    resumed = answered.event.deadline
    assert resumed is not None
    assert paused_deadline is not None
    assert resumed > paused_deadline
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        extended = await workflow.extend_deadline(
            session, reviewer, pid, 5, "Cần ý kiến Bộ Tài chính.", settings, "vi"
        )
    new_deadline = extended.event.deadline
    assert new_deadline is not None
    assert new_deadline == extended.proposal.deadline
    assert new_deadline > resumed
    await run_worker(settings)

    # The submitter's email: in their language, with the new day and the reason.
    subject = f"More time to answer your submission {code}"
    [mail] = [m for m in mailbox.messages if m.message["Subject"] == subject]
    assert mail.recipients == ("ana@example.com",)
    body = body_of(mail.message)
    day = format_day(new_deadline, "en")
    assert (
        "Ministry of Science and Technology has extended the deadline for answering your "
        f'submission "{proposal.title}". The answer is now due on {day}.'
    ) in body
    assert "Reason: Cần ý kiến Bộ Tài chính." in body
    # Not essential: a submitter who opted out of such mail can say so in one click.
    assert mail.message["List-Unsubscribe"] is not None

    # The tracking page's timeline names the day each of those steps set.
    link = private_link(settings, proposal)
    response = await client.get(link + "&lang=en", follow_redirects=True)
    page = response.text
    assert f"Answer due on {format_day(resumed, 'en')}" in page
    assert f"Answer due on {day}" in page

    # The API's timeline alike; the other steps left the deadline as it was.
    data = await execute(client, "TrackProposal", {"trackingCode": code})
    events = data["trackProposal"]["events"]
    assert [e["deadline"] is not None for e in events] == [False, False, False, True, True]
    assert events[-1]["deadline"].startswith(new_deadline.isoformat()[:19])


async def test_an_answer_given_the_same_day_leaves_the_deadline_and_says_nothing_of_it(
    runtime: Runtime, settings: Settings
) -> None:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = await submit_proposal(session, submission(), settings, "vi")
    assert proposal.id is not None
    pid = proposal.id
    await run_worker(settings)
    reviewer = official(await agency_id(runtime.db, "BKHCN"))
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.request_information(session, reviewer, pid, "Bao nhiêu DN?", "vi")
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        answered = await workflow.answer_information(
            session, Actor.submitter(pid), pid, "Khoảng 200.", "vi", settings
        )
    assert answered.event.deadline is None
