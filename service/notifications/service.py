"""Notifications: one row per recipient per event, written with the event, sent by a job."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from sqlmodel.ext.asyncio.session import AsyncSession

from service.db import utcnow
from service.directory import repository as directory
from service.i18n import Language, parse_language
from service.notifications import repository
from service.notifications.mailer import Mailer
from service.notifications.models import Notification, NotificationState
from service.notifications.rendering import render_mail
from service.outbox import service as outbox
from service.proposals import repository as proposals
from service.proposals.access import access_key
from service.settings import Settings

SEND_JOB = "notification.send"


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    language: str


async def queue(
    session: AsyncSession,
    *,
    event_key: str,
    recipients: Sequence[Recipient],
    template: str,
    proposal_id: int | None,
) -> list[Notification]:
    """One notification per recipient, written with its send job; repeats of an event are no-ops."""
    queued = []
    for recipient in recipients:
        if await repository.get_once(session, event_key, recipient.email) is not None:
            continue
        notification = Notification(
            event_key=event_key,
            recipient=recipient.email,
            template=template,
            language=parse_language(recipient.language) or "vi",
            proposal_id=proposal_id,
        )
        repository.add(session, notification)
        await session.flush()
        outbox.add_job(session, SEND_JOB, {"notification_id": notification.id})
        queued.append(notification)
    return queued


async def deliver(
    session: AsyncSession, notification_id: int, *, mailer: Mailer, settings: Settings
) -> bool:
    """Render and send one notification; False when it was already sent."""
    notification = await repository.get(session, notification_id)
    if notification is None or notification.state is NotificationState.SENT:
        return False
    message = await compose(session, notification, settings)
    await mailer.send(message)
    notification.state = NotificationState.SENT
    notification.sent_at = utcnow()
    notification.message_id = str(message["Message-ID"])
    notification.attempts += 1
    return True


async def compose(
    session: AsyncSession, notification: Notification, settings: Settings
) -> EmailMessage:
    language: Language = parse_language(notification.language) or "vi"
    context: dict[str, object] = {"base_url": settings.base_url.rstrip("/")}
    if notification.proposal_id is not None:
        proposal = await proposals.get(session, notification.proposal_id)
        if proposal is None:
            raise LookupError(f"proposal {notification.proposal_id} is gone")
        agency = (
            await directory.get_agency(session, proposal.agency_id) if proposal.agency_id else None
        )
        category = await directory.get_category(session, proposal.category_code)
        context |= {
            "proposal": proposal,
            "agency_name": agency.name(language) if agency else "",
            "category_name": category.name(language) if category else proposal.category_code,
            "track_url": f"{context['base_url']}/track/{proposal.tracking_code}",
            "secret_url": (
                f"{context['base_url']}/track/{proposal.tracking_code}"
                f"?key={access_key(settings, proposal)}"
            ),
        }
    mail = render_mail(notification.template, language, context)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = formataddr(("", notification.recipient))
    message["Subject"] = mail.subject
    message["Message-ID"] = _message_id(notification, settings)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def _message_id(notification: Notification, settings: Settings) -> str:
    # Stable across retries, so a receiving server can drop a message that arrives twice.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "intake.localhost"
    digest = hashlib.sha256(f"{notification.event_key}|{notification.recipient}".encode())
    return f"<{notification.id}.{digest.hexdigest()[:16]}@{domain}>"
