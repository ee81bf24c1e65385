"""Who hears what: each step's messages reach the right people, in their language, threaded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.accounts.models import NotificationMode
from service.directory.repository import get_agency_by_code
from service.notifications import service as notifications
from service.notifications.models import Notification
from service.outbox import service as outbox
from service.proposals.access import access_key
from service.proposals.service import submit_proposal
from service.routing.service import route_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import (
    AGENCY_ADMIN,
    SECRETARIAT,
    add_agency_admin,
    agency_id,
    official,
    submission,
    submitted_and_routed,
)
from tests.fixtures.smtp import SmtpSink, body_of
from tests.fixtures.worker import run_worker

Step = Callable[[AsyncSession], Awaitable[object]]


async def test_a_submission_s_life_mails_each_party_in_their_language(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    await add_agency_admin(runtime.db, language="en")
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = await submit_proposal(
            session,
            submission(language="en", email="ana@example.com", consent_to_publish=False),
            settings,
            "en",
        )
    assert proposal.id is not None
    pid, code = proposal.id, proposal.tracking_code
    await run_worker(settings)  # routes it to BKHCN and sends the first mail
    bkhcn = await agency_id(runtime.db, "BKHCN")
    steps: list[Step] = [
        lambda s: workflow.request_information(s, official(bkhcn), pid, "Bao nhiêu DN?", "vi"),
        lambda s: workflow.answer_information(s, Actor.submitter(pid), pid, "About 200.", "en"),
        lambda s: workflow.respond(
            s, official(bkhcn), pid, "We will fund it.", publish=True, language="vi"
        ),
        lambda s: workflow.close(s, SECRETARIAT, pid, "Answered and rated."),
    ]
    for step in steps:
        async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
            await step(session)
    await run_worker(settings)

    mail = {(m.recipients[0], str(m.message["Subject"])): m.message for m in mailbox.messages}
    assert sorted(mail) == sorted(
        [
            ("ana@example.com", f"We received your submission {code}"),
            (
                "reviewer.bkhcn@intake.localhost",
                f"Nội dung mới {code} giao cho Bộ Khoa học và Công nghệ",
            ),
            (AGENCY_ADMIN, f"New submission {code} for Ministry of Science and Technology"),
            ("ana@example.com", f"Question about your submission {code}"),
            ("reviewer.bkhcn@intake.localhost", f"Người gửi đã bổ sung thông tin cho {code}"),
            (AGENCY_ADMIN, f"The submitter answered your question on {code}"),
            ("ana@example.com", f"Your submission {code} has been answered"),
            ("ana@example.com", f"Your submission {code} is closed"),
        ]
    )
    assert len(mailbox.messages) == 8
    root = f"<proposal.{code.lower()}@intake.localhost>"
    receipt = mail[("ana@example.com", f"We received your submission {code}")]
    assert receipt["Message-ID"] == root
    others = [m for key, m in mail.items() if m is not receipt]
    assert {(m["In-Reply-To"], m["References"]) for m in others} == {(root, root)}
    assert len({m["Message-ID"] for m in mail.values()}) == 8

    # Each link opens its page in the mail's language (web/language_links.py).
    secret = f"http://intake.test/track/{code}?key={access_key(settings, proposal)}&lang=en"
    question = mail[("ana@example.com", f"Question about your submission {code}")]
    assert "Bao nhiêu DN?" in body_of(question)
    assert f"Answer through your private link (do not share it): {secret}" in body_of(question)
    answered = mail[("ana@example.com", f"Your submission {code} has been answered")]
    assert "We will fund it." in body_of(answered)
    assert secret in body_of(answered)
    assert f'href="{secret.replace("&", "&amp;")}"' in body_of(answered, "html")
    answer = mail[("reviewer.bkhcn@intake.localhost", f"Người gửi đã bổ sung thông tin cho {code}")]
    assert "About 200." in body_of(answer)

    # Only non-essential mail to the submitter carries List-Unsubscribe; every submitter mail
    # carries the link in its footer.
    closed = mail[("ana@example.com", f"Your submission {code} is closed")]
    unsubscribe = notifications.unsubscribe_url(settings, "ana@example.com")
    assert closed["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert closed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Reason: Answered and rated." in body_of(closed)
    assert [k for k, m in mail.items() if m["List-Unsubscribe"]] == [
        ("ana@example.com", f"Your submission {code} is closed")
    ]
    assert f"Stop non-essential email about your submissions: {unsubscribe}" in body_of(receipt)
    assert "unsubscribe" not in body_of(answer)


async def test_decline_transfer_reject_and_merge_reach_the_secretariat_and_submitters(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    db = runtime.db
    first = await submitted_and_routed(db, settings)
    second = await submitted_and_routed(db, settings, email="b@example.com", language="en")
    third = await submitted_and_routed(db, settings, email="c@example.com", title="Quỹ khác")
    assert first.id is not None
    assert second.id is not None
    assert third.id is not None
    bkhcn = await agency_id(db, "BKHCN")
    one, two, three = first.id, second.id, third.id
    steps: list[Step] = [
        lambda s: workflow.decline(s, official(bkhcn), one, "Không thuộc thẩm quyền.", "vi"),
        lambda s: workflow.assign(s, SECRETARIAT, one, "BCA", settings, "vi"),
        lambda s: workflow.transfer(
            s, SECRETARIAT, one, "BCT", settings, "vi", reason="Thuộc BCT."
        ),
        lambda s: workflow.reject(s, SECRETARIAT, two, "Out of scope.", "en"),
        lambda s: workflow.merge(s, SECRETARIAT, three, one, "vi"),
    ]
    for step in steps:
        async with outbox.unit_of_work(db, runtime.queue) as session:
            await step(session)
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(col(Notification.template).not_in(["receipt"]))
                .order_by(col(Notification.id))
            )
        ).all()
    assert [(n.recipient, n.template, n.language) for n in rows] == [
        ("reviewer.bkhcn@intake.localhost", "assignment", "vi"),
        ("reviewer.bkhcn@intake.localhost", "assignment", "vi"),
        ("reviewer.bkhcn@intake.localhost", "assignment", "vi"),
        ("secretariat@intake.localhost", "declined", "vi"),
        ("reviewer.bca@intake.localhost", "assignment", "vi"),
        ("reviewer.bct@intake.localhost", "assignment", "vi"),
        ("secretariat@intake.localhost", "transferred", "vi"),
        ("b@example.com", "rejected", "en"),
        ("c@example.com", "merged", "vi"),
    ]
    await run_worker(settings)
    subjects = {(m.recipients[0], str(m.message["Subject"])) for m in mailbox.messages}
    assert (
        "secretariat@intake.localhost",
        f"Bộ Khoa học và Công nghệ từ chối xử lý nội dung {first.tracking_code}",
    ) in subjects
    assert (
        "secretariat@intake.localhost",
        f"Nội dung {first.tracking_code} được chuyển cho Bộ Công Thương",
    ) in subjects
    assert ("b@example.com", f"Your submission {second.tracking_code} was not accepted") in subjects
    # Named as at the event, though the submission has moved on to BCT since.
    assert (
        "reviewer.bca@intake.localhost",
        f"Nội dung mới {first.tracking_code} giao cho Bộ Công an",
    ) in subjects
    assert (
        "c@example.com",
        f"Nội dung {third.tracking_code} của bạn được xử lý chung với {first.tracking_code}",
    ) in subjects
    transferred = next(
        m.message
        for m in mailbox.messages
        if m.message["Subject"].startswith("Nội dung") and "được chuyển cho" in m.message["Subject"]
    )
    assert (
        f"Nội dung {first.tracking_code} đã được chuyển từ Bộ Công an sang Bộ Công Thương. Lý do:"
        in body_of(transferred)
    )


async def test_officials_who_prefer_the_digest_get_no_separate_assignment_mail(
    runtime: Runtime, settings: Settings
) -> None:
    async with runtime.db.transaction() as session:
        agency = await get_agency_by_code(session, "BKHCN")
        assert agency is not None
        assert agency.id is not None
        [reviewer] = await accounts.agency_reviewers(session, agency.id)
        assert reviewer.id is not None
        await notifications.set_preferences(
            session, reviewer.id, mode=NotificationMode.DIGEST, language="en"
        )
    proposal = await submitted_and_routed(runtime.db, settings)
    async with runtime.db.session() as session:
        rows = (await session.exec(select(Notification))).all()
    assert [(n.recipient, n.template) for n in rows] == [(proposal.submitter_email, "receipt")]


async def test_assignment_mail_names_the_agencies_as_they_were_and_asks_partners_to_cooperate(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    """Mail waits in the outbox (a cap, an outage) while the submission moves on: it still
    names the agency it was assigned to; a cooperating agency is told whose case it is."""
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        routed = await submit_proposal(session, submission(), settings, "vi")
    assert routed.id is not None
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await route_proposal(session, routed.id, settings)  # BKHCN's mail queued, not sent
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.transfer(
            session, SECRETARIAT, routed.id, "BCA", settings, "vi", reason="Thuộc Bộ Công an."
        )
    general_text = submission(
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",
        email="khac@example.com",
    )
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        general = await submit_proposal(session, general_text, settings, "vi")
    assert general.id is not None
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await route_proposal(session, general.id, settings)  # to triage
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.assign(
            session, SECRETARIAT, general.id, "BCT", settings, "vi", cooperating=["BKHCN"]
        )
    await run_worker(settings)
    to_bkhcn = {
        str(m.message["Subject"]): m.message
        for m in mailbox.messages
        if list(m.recipients) == ["reviewer.bkhcn@intake.localhost"]
    }
    code, other = routed.tracking_code, general.tracking_code
    assert set(to_bkhcn) == {
        f"Nội dung mới {other} giao cho Bộ Công Thương",
        f"Nội dung mới {code} giao cho Bộ Khoa học và Công nghệ",
    }
    asked = body_of(to_bkhcn[f"Nội dung mới {other} giao cho Bộ Công Thương"])
    assert "Bộ Khoa học và Công nghệ được đề nghị phối hợp xử lý." in asked
    first = body_of(to_bkhcn[f"Nội dung mới {code} giao cho Bộ Khoa học và Công nghệ"])
    assert "phối hợp" not in first
    # A proposal is named as a submission, not as the other kinds ("phản ánh, kiến nghị").
    assert "Một nội dung mới đã được giao cho Bộ Khoa học và Công nghệ." in first
