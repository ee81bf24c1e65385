"""Local SMTP capture for `intake dev`: every message received is kept as one .eml file."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from itertools import islice
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from service.embedded.lifecycle import Started

_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_MESSAGE_ID = re.compile(
    r"\d{8}T\d{12}Z-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
# The envelope is not part of the message (Bcc recipients appear only there), so it is
# prepended as headers, the way a delivering MTA adds Return-Path and Delivered-To.
_ENVELOPE_FROM = "X-Envelope-From"
_ENVELOPE_TO = "X-Envelope-To"


@dataclass(frozen=True)
class StoredMessage:
    id: str
    received_at: datetime
    sender: str
    recipients: tuple[str, ...]
    subject: str
    text_body: str
    html_body: str | None


class MailCapture(Started):
    def __init__(self, mail_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.mail_dir = mail_dir
        self.host = host
        self._requested_port = port
        self._controller: SocketController | None = None

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("the mail capture is not running")
        return self._controller.port

    def start(self) -> int:
        if self._controller is not None:
            raise RuntimeError(f"the mail capture is already listening on port {self.port}")
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        sock = socket.create_server((self.host, self._requested_port))
        controller = SocketController(_SaveToDirectory(self.mail_dir), sock)
        try:
            controller.start()
        except BaseException:
            sock.close()
            raise
        self._controller = controller
        return self.port

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()


def list_messages(mail_dir: Path, limit: int = 100) -> list[StoredMessage]:
    try:
        names = [entry.name for entry in os.scandir(mail_dir) if entry.name.endswith(".eml")]
    except FileNotFoundError:
        return []
    stems = sorted((name.removesuffix(".eml") for name in names), reverse=True)
    messages = (read_message(mail_dir, stem) for stem in stems)
    return list(islice((message for message in messages if message is not None), limit))


def read_message(mail_dir: Path, message_id: str) -> StoredMessage | None:
    if not _MESSAGE_ID.fullmatch(message_id):
        return None
    try:
        raw = (mail_dir / f"{message_id}.eml").read_bytes()
    except FileNotFoundError:
        return None
    message = BytesParser(policy=policy.default).parsebytes(raw)
    return StoredMessage(
        id=message_id,
        received_at=datetime.strptime(message_id[:22], _TIMESTAMP_FORMAT).replace(tzinfo=UTC),
        sender=str(message["From"] or message[_ENVELOPE_FROM] or ""),
        recipients=_recipients(message),
        subject=str(message["Subject"] or ""),
        text_body=_body(message, "plain") or "",
        html_body=_body(message, "html"),
    )


class SocketController(Controller):
    # Serves a socket bound by the caller: port 0 then has a known port before the server thread
    # starts, and a port in use fails at once instead of after aiosmtpd's ready timeout.
    def __init__(self, handler: object, sock: socket.socket) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port)
        self._sock = sock

    def _create_server(self) -> Coroutine[Any, Any, asyncio.Server]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class _SaveToDirectory:
    def __init__(self, mail_dir: Path) -> None:
        self._mail_dir = mail_dir

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        envelope_headers = [f"{_ENVELOPE_FROM}: {envelope.mail_from}"]
        envelope_headers += [f"{_ENVELOPE_TO}: {recipient}" for recipient in envelope.rcpt_tos]
        _store(self._mail_dir, "\r\n".join(envelope_headers).encode() + b"\r\n" + content)
        return "250 Message accepted for delivery"


def _store(mail_dir: Path, content: bytes) -> None:
    stem = f"{datetime.now(UTC).strftime(_TIMESTAMP_FORMAT)}-{uuid.uuid4()}"
    # Readers list only *.eml, so they never see a file still being written.
    temporary = mail_dir / f".{stem}.tmp"
    temporary.write_bytes(content)
    temporary.replace(mail_dir / f"{stem}.eml")


def _recipients(message: EmailMessage) -> tuple[str, ...]:
    envelope = message.get_all(_ENVELOPE_TO) or []
    if envelope:
        return tuple(str(recipient) for recipient in envelope)
    headers = [str(value) for name in ("To", "Cc") for value in message.get_all(name) or []]
    return tuple(address for _, address in getaddresses(headers) if address)


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    content: str = part.get_content()
    # Bodies sent as 7bit, 8bit or quoted-printable keep the CRLF line ends of SMTP.
    return content.replace("\r\n", "\n")
