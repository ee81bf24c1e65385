from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from service.embedded.smtp import MailCapture, StoredMessage, list_messages, read_message

SUBJECT = "Đề xuất của bạn đã được tiếp nhận: cải cách thủ tục đăng ký kinh doanh"
TEXT_BODY = "Xin chào Nguyễn Văn Ánh,\nđề xuất số 42 đã được chuyển tới Sở Kế hoạch và Đầu tư.\n"
HTML_BODY = "<p>Xin chào <b>Nguyễn Văn Ánh</b>, đề xuất số 42 đã được chuyển đi.</p>\n"


def _message(subject: str = SUBJECT) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Intake <no-reply@intake.localhost>"
    message["To"] = "Nguyễn Văn Ánh <anh@example.vn>"
    message["Subject"] = subject
    message.set_content(TEXT_BODY)
    message.add_alternative(HTML_BODY, subtype="html")
    return message


async def _send(port: int, message: EmailMessage, recipients: list[str] | None = None) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=port, recipients=recipients)


async def test_a_received_message_is_stored_and_read_back(tmp_path: Path) -> None:
    mail_dir = tmp_path / "mail"
    before = datetime.now(UTC)
    with MailCapture(mail_dir) as capture:
        assert capture.port > 0
        await _send(capture.port, _message(), ["anh@example.vn", "audit@intake.localhost"])
    after = datetime.now(UTC)

    [listed] = list_messages(mail_dir)
    assert listed == StoredMessage(
        id=listed.id,
        received_at=listed.received_at,
        sender="Intake <no-reply@intake.localhost>",
        recipients=("anh@example.vn", "audit@intake.localhost"),
        subject=SUBJECT,
        text_body=TEXT_BODY,
        html_body=HTML_BODY,
    )
    assert before - timedelta(seconds=1) < listed.received_at < after + timedelta(seconds=1)
    assert [path.name for path in mail_dir.iterdir()] == [f"{listed.id}.eml"]
    assert read_message(mail_dir, listed.id) == listed


async def test_a_plain_text_message_has_unix_line_ends_and_no_html(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "no-reply@intake.localhost"
    message["To"] = "Anh <anh@example.vn>, office@example.vn"
    message["Cc"] = "audit@example.vn"
    message["Subject"] = "Plain"
    message.set_content("First line\nsecond line\n")
    with MailCapture(tmp_path) as capture:
        await _send(capture.port, message)

    [stored] = list_messages(tmp_path)
    assert (stored.sender, stored.subject) == ("no-reply@intake.localhost", "Plain")
    assert stored.recipients == ("anh@example.vn", "office@example.vn", "audit@example.vn")
    assert (stored.text_body, stored.html_body) == ("First line\nsecond line\n", None)


async def test_messages_are_listed_newest_first_up_to_the_limit(tmp_path: Path) -> None:
    with MailCapture(tmp_path) as capture:
        for number in range(3):
            await _send(capture.port, _message(f"Thư số {number}"))

    assert [message.subject for message in list_messages(tmp_path, limit=2)] == [
        "Thư số 2",
        "Thư số 1",
    ]


async def test_files_that_are_not_finished_messages_are_ignored(tmp_path: Path) -> None:
    with MailCapture(tmp_path) as capture:
        await _send(capture.port, _message())
    [stored] = list_messages(tmp_path)
    (tmp_path / f".{stored.id}x.tmp").write_bytes(b"Subject: half written\r\n")
    (tmp_path / "notes.eml").write_bytes(b"Subject: not ours\r\n\r\n")

    assert [message.id for message in list_messages(tmp_path)] == [stored.id]


def test_a_port_in_use_fails_at_once(tmp_path: Path) -> None:
    with MailCapture(tmp_path) as first:
        second = MailCapture(tmp_path, port=first.port)
        with pytest.raises(OSError, match="Address already in use"):
            second.start()
        second.stop()


def test_a_missing_mail_directory_lists_nothing(tmp_path: Path) -> None:
    assert list_messages(tmp_path / "absent") == []


@pytest.mark.parametrize(
    "message_id",
    [
        "",
        "..",
        "../secret",
        "/etc/passwd",
        "notes",
        "20261122T101530123456Z-0b7c6f1e-4d2a-4f3b-9a8e-1c2d3e4f5a6b.eml",
        "20261122T101530123456Z-0b7c6f1e-4d2a-4f3b-9a8e-1c2d3e4f5a6b\n",
        "../mail/20261122T101530123456Z-0b7c6f1e-4d2a-4f3b-9a8e-1c2d3e4f5a6b",
    ],
)
def test_ids_that_are_not_plain_stems_are_rejected(tmp_path: Path, message_id: str) -> None:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    stem = "20261122T101530123456Z-0b7c6f1e-4d2a-4f3b-9a8e-1c2d3e4f5a6b"
    for directory in (mail_dir, tmp_path):
        (directory / f"{stem}.eml").write_bytes(b"Subject: secret\r\n\r\nsecret\r\n")
    (tmp_path / "secret.eml").write_bytes(b"Subject: secret\r\n\r\nsecret\r\n")

    assert read_message(mail_dir, stem) is not None
    assert read_message(mail_dir, message_id) is None


def test_an_unknown_id_reads_as_none(tmp_path: Path) -> None:
    assert (
        read_message(tmp_path, "20261122T101530123456Z-0b7c6f1e-4d2a-4f3b-9a8e-1c2d3e4f5a6b")
        is None
    )
