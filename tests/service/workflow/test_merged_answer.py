"""A submission merged into another follows its answer: its submitter is emailed the answer under
their own code, reads it and its files through their own private link, and sees who handles it;
the lead's submitter's own files stay theirs."""

from __future__ import annotations

import re

import httpx

from service.attachments.service import IncomingFile
from service.outbox import service as outbox
from service.proposals.service import submit_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, official, submission
from tests.fixtures.smtp import SmtpSink, body_of
from tests.fixtures.worker import run_worker
from tests.web.helpers import private_link

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_a_merged_submission_follows_the_answer_of_its_lead(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink, client: httpx.AsyncClient
) -> None:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        # The lead's submitter did not consent to publication: no public page shows the answer.
        lead = await submit_proposal(
            session,
            submission(email="lead@example.com", consent_to_publish=False),
            settings,
            "vi",
            files=[IncomingFile("ho-so-ca-nhan.pdf", PDF)],
        )
    await run_worker(settings)  # routed to BKHCN
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        follower = await submit_proposal(
            session,
            submission(
                language="en",
                email="ana@example.com",
                title="A fund for small firms going digital",
                description="Please set up a fund to help small firms adopt digital tools.",
            ),
            settings,
            "en",
        )
    assert lead.id is not None
    assert follower.id is not None
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.merge(session, SECRETARIAT, follower.id, lead.id, "vi")
    reviewer = official(await agency_id(runtime.db, "BKHCN"))
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.respond(
            session,
            reviewer,
            lead.id,
            "Bộ sẽ trình quỹ trong quý tới.",
            publish=True,
            language="vi",
            settings=settings,
            files=[IncomingFile("ke-hoach-quy.pdf", PDF)],
        )
    await run_worker(settings)

    answered = {
        str(m.message["Subject"]): m
        for m in mailbox.messages
        if "answered" in m.message["Subject"] or "trả lời" in m.message["Subject"]
    }
    mail = answered[f"Your submission {follower.tracking_code} has been answered"]
    assert mail.recipients == ("ana@example.com",)
    body = body_of(mail.message)
    assert (
        f"Ministry of Science and Technology has answered submission {lead.tracking_code}, "
        f'with which your submission "{follower.title}" was merged:'
    ) in body
    assert "Bộ sẽ trình quỹ trong quý tới." in body
    assert "- ke-hoach-quy.pdf (" in body
    link = f"http://intake.test{private_link(settings, follower)}&lang=en"
    assert f"Read the answer through your private link (do not share it): {link}" in body
    assert "rate" not in body  # a merged submission is not rated; its lead's submitter rates
    assert len(answered) == 2  # and the lead's submitter has theirs, once

    # The follower's private page: the answer, its file, and the agency that handles the lead.
    page = (await client.get(private_link(settings, follower))).text
    assert "Bộ sẽ trình quỹ trong quý tới." in page
    assert '<dd id="agency">Bộ Khoa học và Công nghệ</dd>' in page
    files = dict(re.findall(r'<a href="(/attachments/\d+\?[^"]+)" download>([^<]+)</a>', page))
    assert list(files.values()) == ["ke-hoach-quy.pdf"]
    [download] = files
    fetched = await client.get(download.replace("&amp;", "&"))
    assert (fetched.status_code, fetched.content) == (200, PDF)

    # The lead's submitter's evidence is not the follower's to read, through any link.
    lead_page = (await client.get(private_link(settings, lead))).text
    evidence = re.search(r'href="/attachments/(\d+)\?[^"]*" download>ho-so-ca-nhan.pdf', lead_page)
    assert evidence is not None
    key = download.split("?", 1)[1].replace("&amp;", "&")
    refused = await client.get(f"/attachments/{evidence[1]}?{key}")
    assert refused.status_code == 404
    # Nor is the answer anyone else's: the lead is not published.
    public = (await client.get(f"/track/{lead.tracking_code}")).text
    assert "Bộ sẽ trình quỹ trong quý tới." not in public
