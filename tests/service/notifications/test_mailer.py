"""The SMTP mailer keeps its connections between messages, and never sends over a bad one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import aiosmtplib
import pytest

from service.notifications.mailer import SmtpMailer, classify
from service.settings import Settings
from tests.fixtures.smtp import SmtpSink


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A server of the test's own, which it may stop and start on the same port."""
    server = SmtpSink()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _settings(sink: SmtpSink) -> Settings:
    return Settings(smtp_host=sink.host, smtp_port=sink.port, smtp_timeout_seconds=5)


def _message(n: int, to: str = "minh@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Intake <noreply@intake.test>"
    message["To"] = to
    message["Subject"] = f"Hồ sơ số {n}"
    message.set_content(f"Nội dung thư số {n}.")
    return message


def _subjects(sink: SmtpSink) -> list[str]:
    return [str(mail.message["Subject"]) for mail in sink.messages]


async def test_messages_in_turn_share_one_connection_until_close(sink: SmtpSink) -> None:
    mailer = SmtpMailer(_settings(sink))
    for n in range(3):
        await mailer.send(_message(n))
    assert _subjects(sink) == ["Hồ sơ số 0", "Hồ sơ số 1", "Hồ sơ số 2"]
    assert len({mail.peer for mail in sink.messages}) == 1
    await mailer.close()
    await mailer.send(_message(3))  # closed: the next message opens a new connection
    await mailer.close()
    assert len({mail.peer for mail in sink.messages}) == 2


async def test_messages_at_once_each_get_a_connection_and_a_few_are_kept(sink: SmtpSink) -> None:
    mailer = SmtpMailer(_settings(sink), keep=2)
    await asyncio.gather(*(mailer.send(_message(n)) for n in range(5)))
    assert sorted(_subjects(sink)) == [f"Hồ sơ số {n}" for n in range(5)]
    assert len({mail.peer for mail in sink.messages}) == 5
    kept = {mail.peer for mail in sink.messages}
    sink.clear()
    await asyncio.gather(*(mailer.send(_message(n)) for n in range(5, 8)))
    peers = [mail.peer for mail in sink.messages]
    await mailer.close()
    assert len(set(peers)) == 3
    assert len(set(peers) & kept) == 2  # the two kept, and one new


async def test_a_connection_the_server_dropped_is_replaced_before_a_message_is_sent(
    sink: SmtpSink,
) -> None:
    mailer = SmtpMailer(_settings(sink))
    await mailer.send(_message(1))
    port = sink.port
    sink.stop()  # a restart: the kept connection is gone, the server is back
    sink.start(port)
    await mailer.send(_message(2))
    sink.stop()  # an outage: nothing to send over, nothing to connect to
    with pytest.raises((aiosmtplib.SMTPException, OSError)) as refused:
        await mailer.send(_message(3))
    assert classify(refused.value).permanent is False  # retried later by the outbox
    sink.start(port)
    await mailer.send(_message(4))
    await mailer.close()
    assert _subjects(sink) == ["Hồ sơ số 1", "Hồ sơ số 2", "Hồ sơ số 4"]
    assert len({mail.peer for mail in sink.messages}) == 3


async def test_a_connection_that_failed_is_never_used_again(sink: SmtpSink) -> None:
    mailer = SmtpMailer(_settings(sink))
    await mailer.send(_message(1))
    sink.fail_next(550, stage="RCPT")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await mailer.send(_message(2))
    assert classify(refused.value).permanent is True
    await mailer.send(_message(3))
    await mailer.close()
    [first, third] = sink.messages
    assert str(third.message["Subject"]) == "Hồ sơ số 3"
    assert first.peer != third.peer


async def test_a_connection_idle_too_long_is_closed_rather_than_used(sink: SmtpSink) -> None:
    mailer = SmtpMailer(_settings(sink), idle_seconds=0.05)
    await mailer.send(_message(1))
    await mailer.send(_message(2))  # at once: the same connection
    await asyncio.sleep(0.1)
    await mailer.send(_message(3))
    await mailer.close()
    peers = [mail.peer for mail in sink.messages]
    assert peers[0] == peers[1] != peers[2]
