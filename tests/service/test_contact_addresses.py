"""Submitters' email addresses with Vietnamese letters: delivered when only the domain has them,
refused at the form when the part before @ has them, since most servers cannot take that."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, select

from service.db import Database
from service.errors import ValidationFailed
from service.i18n import Language
from service.notifications import service as notifications
from service.notifications.models import Notification, NotificationState
from service.outbox import service as outbox
from service.proposals.models import Proposal, ProposalKind, ProposalStatus, SubmitterType
from service.proposals.service import submit_proposal
from service.runtime import Runtime
from service.settings import Settings
from tests.factories import form_data, graphql_input, submission
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.web_client import post_form

ACCENTED_LOCAL_PART = {
    "vi": (
        "Viết phần trước @ bằng chữ không dấu: "
        "hầu hết máy chủ thư không gửi được đến địa chỉ như vậy."
    ),
    "en": (
        "Write the part before @ without accented letters: most mail servers cannot deliver to it."
    ),
}


async def _receipts(db: Database) -> list[tuple[str, NotificationState, str]]:
    statement = select(Notification).where(Notification.template == "receipt")
    async with db.session() as session:
        rows = (await session.exec(statement.order_by(col(Notification.id)))).all()
    return [(n.recipient, n.state, n.last_error) for n in rows]


async def test_a_receipt_to_a_vietnamese_domain_goes_to_its_punycode_form(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = await submit_proposal(session, submission(email="Lan@TRƯỜNG.vn"), settings, "vi")
    await run_worker(settings)
    receipt_id = notifications.thread_root(proposal, settings)

    assert proposal.submitter_email == "Lan@trường.vn"  # kept as typed, domain normalised
    assert await _receipts(runtime.db) == [("Lan@trường.vn", NotificationState.SENT, "")]
    [received] = [m for m in mailbox.messages if m.message["Message-ID"] == receipt_id]
    assert received.recipients == ("Lan@xn--trng-rib8295b.vn",)
    assert received.message["To"] == "Lan@xn--trng-rib8295b.vn"


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("email", ["nguyễn@example.com", "trần.bình@example.com"])
async def test_accented_letters_before_the_at_sign_are_refused_on_the_email_field(
    db: Database, settings: Settings, language: Language, email: str
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        async with db.transaction() as session:
            await submit_proposal(session, submission(email=email), settings, language)
    async with db.session() as session:
        stored = (await session.exec(select(Proposal))).all()
    assert [(e.field, e.code, e.message) for e in failure.value.errors] == [
        ("email", "accented_local_part", ACCENTED_LOCAL_PART[language])
    ]
    assert stored == []


async def test_mail_to_a_stored_address_with_accents_before_the_at_fails_for_good_and_says_why(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    """Rows stored before the form refused such addresses: their mail fails clearly, once."""
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = Proposal(
            tracking_code="7KQ2MXH9PD",
            kind=ProposalKind.PROPOSAL,
            status=ProposalStatus.SUBMITTED,
            title="Quỹ hỗ trợ chuyển đổi số",
            description="Đề xuất thành lập quỹ.",
            category_code="DIGITAL_ECONOMY",
            submitter_type=SubmitterType.ENTERPRISE,
            submitter_name="Nguyễn Thị Minh",
            submitter_email="nguyễn@example.com",
            content_hash="-",
        )
        session.add(proposal)
        await session.flush()
        # Queued now: refused at once, without a job.
        await notifications.queue(
            session,
            event_key="test:receipt",
            recipients=notifications.submitter_of(proposal),
            template="receipt",
            proposal_id=proposal.id,
        )
        # Queued before addresses were checked so: its job finds it undeliverable.
        earlier = Notification(
            event_key="test:earlier",
            recipient="nguyễn@example.com",
            template="receipt",
            language="vi",
            proposal_id=proposal.id,
        )
        session.add(earlier)
        await session.flush()
        outbox.add_job(session, notifications.SEND_JOB, {"notification_id": earlier.id})
    await run_worker(settings)

    assert mailbox.messages == []
    assert sorted(await _receipts(runtime.db)) == [
        (
            "nguyễn@example.com",
            NotificationState.FAILED,
            "invalid address: Internationalized characters before the @-sign are not"
            " supported: 'ễ'.",
        ),
        (
            "nguyễn@example.com",
            NotificationState.FAILED,
            "undeliverable address: nguyễn@example.com has letters outside ASCII before the @"
            " ('ễ'), which needs SMTPUTF8, and most mail servers do not support it",
        ),
    ]


async def test_both_doors_refuse_accents_before_the_at_and_the_form_keeps_what_was_typed(
    client: httpx.AsyncClient, db: Database
) -> None:
    page = await post_form(client, "/submit", form_data(email="trần.bình@example.com"))
    data = await execute(
        client,
        "SubmitProposal",
        {"input": graphql_input(email="nguyễn@example.com")},
        headers={"accept-language": "en"},
    )
    async with db.session() as session:
        stored = (await session.exec(select(Proposal))).all()
    assert page.status_code == 422
    assert f'<a href="#email">Thư điện tử: {ACCENTED_LOCAL_PART["vi"]}</a>' in page.text
    assert 'value="trần.bình@example.com"' in page.text
    assert data["submitProposal"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {"field": "email", "code": "accented_local_part", "message": ACCENTED_LOCAL_PART["en"]}
        ],
    }
    assert stored == []
