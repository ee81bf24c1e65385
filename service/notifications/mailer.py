"""Sending one message through SMTP, and telling a temporary failure from a permanent one."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Protocol

import aiosmtplib

from service.settings import Settings


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """aiosmtplib: asyncio-native, maintained, with STARTTLS, TLS, authentication and timeouts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self.settings
        # Flattened here with the message's own policy: aiosmtplib's (78-column folding) loses
        # the space between adjacent encoded words, which garbles long Vietnamese subjects.
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        await aiosmtplib.send(
            raw,
            sender=parseaddr(str(message["From"]))[1],
            recipients=recipients,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout_seconds,
        )


@dataclass(frozen=True, slots=True)
class SendFailure:
    permanent: bool
    description: str


# Refusals of this message (its sender, recipient or content). Other 5xx answers, such as a
# refused greeting or login, say the server or our configuration is wrong: worth retrying.
_ABOUT_THE_MESSAGE = (
    aiosmtplib.SMTPDataError,
    aiosmtplib.SMTPRecipientRefused,
    aiosmtplib.SMTPSenderRefused,
)


def classify(error: Exception) -> SendFailure:
    """5xx refusals of the message are permanent; 4xx, timeouts and lost connections are not."""
    description = f"{type(error).__name__}: {error}"
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        return SendFailure(bool(codes) and all(code >= 500 for code in codes), description)
    if isinstance(error, _ABOUT_THE_MESSAGE):
        return SendFailure(error.code >= 500, description)
    return SendFailure(False, description)
