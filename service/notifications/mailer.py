"""Sending one message through SMTP, and telling a temporary failure from a permanent one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Protocol

import aiosmtplib
from email_validator import EmailNotValidError, validate_email

from service.settings import Settings

# Connections kept open between messages, per process, and for how long one may sit unused.
# Servers drop idle clients after minutes (Postfix: 300 s); closing first leaves their slots.
_KEEP = 4
_IDLE_SECONDS = 30.0


class UndeliverableAddress(ValueError):
    """An address no retry will reach: letters outside ASCII before the @ need SMTPUTF8."""


def smtp_address(address: str) -> str:
    """`address` as servers without SMTPUTF8 take it: an internationalised domain in punycode.

    Addresses were checked when they were stored; only those with non-ASCII letters are looked
    at again, since the check here refuses the .localhost names the demo directory uses.
    """
    if address.isascii():
        return address
    try:
        checked = validate_email(
            address, allow_smtputf8=False, check_deliverability=False, globally_deliverable=False
        )
    except EmailNotValidError as error:
        local_part = address.rpartition("@")[0]
        if local_part.isascii():
            raise UndeliverableAddress(f"{address}: {error}") from error
        letters = ", ".join(repr(ch) for ch in dict.fromkeys(local_part) if not ch.isascii())
        raise UndeliverableAddress(
            f"{address} has letters outside ASCII before the @ ({letters}), which needs"
            " SMTPUTF8, and most mail servers do not support it"
        ) from error
    return checked.ascii_email or address


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """aiosmtplib: asyncio-native, maintained, with STARTTLS, TLS, authentication and timeouts.

    Connections are kept for the next message rather than opened for each: connecting, the
    greeting, EHLO, STARTTLS and login cost more than the message itself (locally, 3.2 ms of
    CPU a message against 1.1 ms on a kept connection; far more with TLS to a remote relay).
    A kept connection is checked with NOOP before it carries a message, so one the server has
    dropped is replaced before anything is sent over it; one idle for `idle_seconds` is closed
    instead; and one that failed in any way is never used again. A send that fails is not
    retried here: the caller's outbox decides, exactly as when every message had a connection
    of its own.
    """

    def __init__(
        self, settings: Settings, *, keep: int = _KEEP, idle_seconds: float = _IDLE_SECONDS
    ) -> None:
        self.settings = settings
        self.keep = keep
        self.idle_seconds = idle_seconds
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # newest last

    async def send(self, message: EmailMessage) -> None:
        # Flattened here with the message's own policy: aiosmtplib's (78-column folding) loses
        # the space between adjacent encoded words, which garbles long Vietnamese subjects.
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        sender = parseaddr(str(message["From"]))[1]
        client = await self._connection()
        try:
            await client.sendmail(sender, recipients, raw)
        except BaseException:
            client.close()
            raise
        if len(self._idle) < self.keep and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            await _quit(client)

    async def close(self) -> None:
        """QUIT every kept connection (the process is ending)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            await _quit(client)

    async def _connection(self) -> aiosmtplib.SMTP:
        while self._idle:
            client, since = self._idle.pop()
            if time.monotonic() - since > self.idle_seconds:
                await _quit(client)
                continue
            try:
                await client.noop()
            except BaseException as error:  # a cancelled job too: the connection is in doubt
                client.close()
                if isinstance(error, aiosmtplib.SMTPException | OSError):
                    continue
                raise
            return client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        return client


async def _quit(client: aiosmtplib.SMTP) -> None:
    """A polite QUIT; a connection that cannot take one is closed all the same."""
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        pass
    finally:
        client.close()


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
