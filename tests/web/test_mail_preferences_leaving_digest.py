"""Leaving the digest on /account/mail: what was held back for it is sent at once, once."""

from __future__ import annotations

import httpx
from sqlmodel import select

from service.db import Database
from service.demo import reviewer_email
from service.notifications.models import Notification
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.web.helpers import csrf_of, sign_in_reviewer

REVIEWER = reviewer_email("BKHCN")
NOTICE = 'id="digest-sent"'


async def _choose(client: httpx.AsyncClient, mode: str) -> str:
    """Save a mode on the page and return the page it redirects to."""
    page = await client.get("/account/mail")
    saved = await client.post(
        "/account/mail",
        data={"mode": mode, "language": "vi", "csrf_token": csrf_of(page.text)},
    )
    assert saved.status_code == 303
    return (await client.get(saved.headers["location"])).text


def _to_reviewer(mailbox: SmtpSink) -> list[str]:
    return [str(m.message["Subject"]) for m in mailbox.messages if m.recipients == (REVIEWER,)]


async def test_switching_back_to_separate_emails_sends_the_withheld_digest_once(
    client: httpx.AsyncClient, db: Database, settings: Settings, mailbox: SmtpSink
) -> None:
    await sign_in_reviewer(client)
    assert NOTICE not in await _choose(client, "DIGEST")
    proposal = await submitted_and_routed(db, settings)  # assigned now: held for the digest
    await run_worker(settings)
    assert _to_reviewer(mailbox) == []

    shown = await _choose(client, "INSTANT")
    assert 'id="saved"' in shown
    assert NOTICE in shown
    assert "Bản tổng hợp đang chờ đã được gửi cho bạn ngay." in shown
    await run_worker(settings)
    [subject] = _to_reviewer(mailbox)
    assert subject.startswith("Tổng hợp Intake ngày ")
    [mail] = [m.message for m in mailbox.messages if m.recipients == (REVIEWER,)]
    text = mail.get_body(("plain",))
    assert text is not None
    assert "Mới được giao (1)" in text.get_content().splitlines()
    assert proposal.tracking_code in text.get_content()

    # Back and forth again with nothing new: nothing is sent twice, and the page says nothing.
    assert NOTICE not in await _choose(client, "DIGEST")
    assert NOTICE not in await _choose(client, "INSTANT")
    await run_worker(settings)
    assert len(_to_reviewer(mailbox)) == 1


async def test_saving_separate_emails_again_sends_no_digest(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    await sign_in_reviewer(client)
    await submitted_and_routed(db, settings)  # mailed at once: the reviewer is not on the digest
    assert NOTICE not in await _choose(client, "INSTANT")
    async with db.session() as session:
        templates = (
            await session.exec(
                select(Notification.template).where(Notification.recipient == REVIEWER)
            )
        ).all()
    assert templates == ["assignment"]


async def test_leaving_the_digest_through_the_api_sends_the_withheld_digest_too(
    client: httpx.AsyncClient, db: Database, settings: Settings, mailbox: SmtpSink
) -> None:
    await sign_in_reviewer(client)  # the API reads the signed-in official's session
    for mode in ("DIGEST", "INSTANT"):
        chosen = await execute(
            client, "SetNotificationPreferences", {"mode": mode, "language": "VI"}
        )
        assert chosen["setNotificationPreferences"]["mode"] == mode
        if mode == "DIGEST":
            proposal = await submitted_and_routed(db, settings)  # held for the digest
            await run_worker(settings)
            assert _to_reviewer(mailbox) == []
    await run_worker(settings)
    [mail] = [m.message for m in mailbox.messages if m.recipients == (REVIEWER,)]
    text = mail.get_body(("plain",))
    assert text is not None
    assert proposal.tracking_code in text.get_content()
