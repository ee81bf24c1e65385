"""Notifications: one row per recipient per event, written with the event, sent by a job."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from email_validator import EmailNotValidError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import repository as accounts
from service.accounts.models import NotificationMode, User
from service.attachments import repository as attachments
from service.attachments.service import uploads_dir
from service.db import utcnow
from service.directory import repository as directory
from service.i18n import Language, in_language, parse_language
from service.notifications import repository
from service.notifications.catalog import DIGEST, KINDS, Audience, MailKind
from service.notifications.mailer import smtp_address
from service.notifications.models import MailOptOut, Notification, NotificationState
from service.notifications.rendering import RenderedMail, render_mail
from service.outbox import service as outbox
from service.proposals import repository as proposals
from service.proposals.access import access_key
from service.proposals.models import Proposal
from service.settings import Settings
from service.text import checked_address

SEND_JOB = "notification.send"
# Headers up to RFC 5322's 998 characters stay unfolded: a long List-Unsubscribe URL must not
# turn into an encoded word that mail clients cannot follow.
_POLICY = policy.default.clone(max_line_length=998)
_UNSUBSCRIBE_SALT = "intake.unsubscribe"
# Sections of a digest, in the order they are shown.
DIGEST_SECTIONS = ("overdue", "due_soon", "assigned", "triage")
# Where the rest of a section is, when a digest lists only its first items.
DIGEST_MORE = {
    "overdue": "/inbox?overdue=yes",
    "due_soon": "/inbox",
    "assigned": "/inbox",
    "triage": "/secretariat/triage",
}


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    language: str
    prefers_digest: bool = False


def recipients_of(users: Iterable[User]) -> list[Recipient]:
    return [
        Recipient(u.email, u.language, u.notification_mode is NotificationMode.DIGEST)
        for u in users
    ]


def submitter_of(proposal: Proposal) -> list[Recipient]:
    """The submitter, when they left an email address."""
    if not proposal.submitter_email:
        return []
    return [Recipient(proposal.submitter_email, proposal.language)]


async def queue(
    session: AsyncSession,
    *,
    event_key: str,
    recipients: Sequence[Recipient],
    template: str,
    proposal_id: int | None,
    context: dict[str, Any] | None = None,
) -> list[Notification]:
    """One notification per recipient, written with its send job; repeats of an event are no-ops.

    Officials who prefer the digest are left out of digestible mail. An address that cannot
    receive mail is recorded as FAILED at once, without a job, so it never holds up the event.
    """
    kind = KINDS[template]
    queued = []
    for recipient in recipients:
        if kind.digestible and recipient.prefers_digest:
            continue
        if await repository.get_once(session, event_key, recipient.email) is not None:
            continue
        notification = Notification(
            event_key=event_key,
            recipient=recipient.email,
            template=template,
            language=parse_language(recipient.language) or "vi",
            proposal_id=proposal_id,
            context=context or {},
        )
        problem = _address_problem(recipient.email)
        if problem is not None:
            notification.state = NotificationState.FAILED
            notification.failed_at = utcnow()
            notification.last_error = f"invalid address: {problem}"
        repository.add(session, notification)
        await session.flush()
        if problem is None:
            outbox.add_job(session, SEND_JOB, {"notification_id": notification.id})
        queued.append(notification)
    return queued


def _address_problem(email: str) -> str | None:
    try:
        checked_address(email, globally_deliverable=False)
    except EmailNotValidError as error:
        return str(error)
    return None


async def compose(
    session: AsyncSession, notification: Notification, settings: Settings
) -> EmailMessage:
    """The message as it goes out: rendered in the recipient's language, with its headers."""
    language: Language = parse_language(notification.language) or "vi"
    kind = KINDS[notification.template]
    proposal = None
    if notification.proposal_id is not None:
        proposal = await proposals.get(session, notification.proposal_id)
        if proposal is None:
            raise LookupError(f"proposal {notification.proposal_id} is gone")
    context = await mail_context(session, kind, proposal, notification, settings, language)
    mail = render_mail(notification.template, language, context)
    return build_message(notification, kind, proposal, mail, settings)


async def mail_context(
    session: AsyncSession,
    kind: MailKind,
    proposal: Proposal | None,
    notification: Notification,
    settings: Settings,
    language: Language,
) -> dict[str, Any]:
    base_url = settings.base_url.rstrip("/")
    context: dict[str, Any] = {
        "base_url": base_url,
        "note": "",
        "unsubscribe_url": "",
        "cooperating_agency_name": "",
        "files": [],
        "lead_code": "",  # set when the answer is the lead's, to a merged submission's submitter
        **notification.context,
    }
    if kind.audience is Audience.SUBMITTER:
        context["unsubscribe_url"] = in_language(
            unsubscribe_url(settings, notification.recipient), language
        )
    if proposal is not None:
        context |= await _proposal_context(session, proposal, settings, language)
    # Agencies named when the event happened, not where the submission is when the mail goes.
    for key in ("agency", "from_agency", "cooperating_agency"):
        named_id = notification.context.get(f"{key}_id")
        if isinstance(named_id, int):
            agency = await directory.get_agency(session, named_id)
            context[f"{key}_name"] = agency.name(language) if agency else ""
    response_id = notification.context.get("response_id")
    if proposal is not None and isinstance(response_id, int):
        context["files"] = await _answer_files(session, proposal, response_id, settings)
    deadline = notification.context.get("deadline")
    if isinstance(deadline, str):  # the deadline as the step set it, stored as ISO text
        context["deadline"] = datetime.fromisoformat(deadline)
    into_code = notification.context.get("into_code")
    if isinstance(into_code, str):
        context["into_url"] = in_language(f"{base_url}/track/{into_code}", language)
    if kind is DIGEST:
        context["cutoff"] = datetime.fromisoformat(str(notification.context["cutoff"]))
        totals = notification.context.get("totals", {})
        sections = []
        for section in DIGEST_SECTIONS:
            ids = [int(i) for i in notification.context.get(section, [])]
            found = await repository.proposals_by_ids(session, ids)
            items = [await _proposal_context(session, p, settings, language) for p in found]
            if items:
                total = max(int(totals.get(section, 0)), len(items))
                sections.append(digest_section(section, items, total, base_url, language))
        context["sections"] = sections
        context["preferences_url"] = in_language(base_url + PREFERENCES_PATH, language)
    return context


async def _answer_files(
    session: AsyncSession, proposal: Proposal, response_id: int, settings: Settings
) -> list[dict[str, Any]]:
    """The answer's files as they are when the mail goes out: an erased or removed one is gone."""
    assert proposal.id is not None
    uploads = uploads_dir(settings)
    # The answer may be the lead's, which a merged submission follows.
    answered = [proposal.id] + ([proposal.merged_into_id] if proposal.merged_into_id else [])
    return [
        {"name": a.filename, "size": a.size}
        for a in await attachments.for_proposals(session, answered)
        if a.response_id == response_id and (uploads / a.storage_key).is_file()
    ]


PREFERENCES_PATH = "/account/mail"  # web/preferences.py: an official's choice of digest or not


def digest_section(
    key: str, items: list[dict[str, Any]], total: int, base_url: str, language: Language
) -> dict[str, Any]:
    """A digest section as its template reads it: the items listed, and the rest counted."""
    more_url = in_language(base_url + DIGEST_MORE[key], language)
    return {
        "key": key,
        "items": items,
        "total": total,
        "more": total - len(items),
        "more_url": more_url,
    }


async def _proposal_context(
    session: AsyncSession, proposal: Proposal, settings: Settings, language: Language
) -> dict[str, Any]:
    base_url = settings.base_url.rstrip("/")
    agency = await directory.get_agency(session, proposal.agency_id) if proposal.agency_id else None
    category = await directory.get_category(session, proposal.category_code)
    return {
        "proposal": proposal,
        "agency_name": agency.name(language) if agency else "",
        "category_name": category.name(language) if category else proposal.category_code,
        **proposal_links(base_url, proposal, access_key(settings, proposal), language),
    }


def proposal_links(
    base_url: str, proposal: Proposal, key: str, language: Language
) -> dict[str, str]:
    """The links a message gives to a submission, each opening its page in the mail's language:
    the public tracking page, the submitter's private link, and the officials' case page."""
    track_url = f"{base_url}/track/{proposal.tracking_code}"
    return {
        "track_url": in_language(track_url, language),
        "secret_url": in_language(f"{track_url}?key={key}", language),
        "inbox_url": in_language(f"{base_url}/inbox/{proposal.id}", language),
    }


def build_message(
    notification: Notification,
    kind: MailKind,
    proposal: Proposal | None,
    mail: RenderedMail,
    settings: Settings,
) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.mail_from
    # Raises UndeliverableAddress for accents before the @, which delivery records as FAILED.
    message["To"] = formataddr(("", smtp_address(notification.recipient)))
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(notification, proposal, settings)
    if proposal is not None:
        # Every message about a submission refers to one root, so mail clients thread them;
        # the submitter's receipt is that root.
        root = thread_root(proposal, settings)
        if message["Message-ID"] != root:
            message["In-Reply-To"] = root
            message["References"] = root
    message["Auto-Submitted"] = "auto-generated"
    if kind.audience is Audience.SUBMITTER and not kind.essential:
        message["List-Unsubscribe"] = f"<{unsubscribe_url(settings, notification.recipient)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def _domain(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1].rpartition("@")[2] or "intake.localhost"


def thread_root(proposal: Proposal, settings: Settings) -> str:
    return f"<proposal.{proposal.tracking_code.lower()}@{_domain(settings)}>"


def message_id(notification: Notification, proposal: Proposal | None, settings: Settings) -> str:
    """Stable across retries, so a receiving server can drop a message that arrives twice."""
    if notification.template == "receipt" and proposal is not None:
        return thread_root(proposal, settings)
    digest = hashlib.sha256(f"{notification.event_key}|{notification.recipient}".encode())
    return f"<{notification.id}.{digest.hexdigest()[:16]}@{_domain(settings)}>"


def unsubscribe_token(settings: Settings, email: str) -> str:
    return URLSafeSerializer(settings.secret_key, salt=_UNSUBSCRIBE_SALT).dumps(email.lower())


def unsubscribe_url(settings: Settings, email: str) -> str:
    return f"{settings.base_url.rstrip('/')}/unsubscribe/{unsubscribe_token(settings, email)}"


def unsubscribe_email(settings: Settings, token: str) -> str | None:
    """The address a link was made for, or None for a link that was not ours or was altered."""
    try:
        email = URLSafeSerializer(settings.secret_key, salt=_UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return email if isinstance(email, str) else None


async def opt_out(session: AsyncSession, email: str) -> None:
    """Stop non-essential mail to this address; doing it twice changes nothing."""
    email = email.lower()
    if await repository.get_opt_out(session, email) is None:
        repository.add(session, MailOptOut(email=email))
        await session.flush()


async def is_opted_out(session: AsyncSession, email: str) -> bool:
    return await repository.get_opt_out(session, email.lower()) is not None


async def set_preferences(
    session: AsyncSession, user_id: int, *, mode: NotificationMode, language: Language
) -> User | None:
    """An official's choice of instant mail or the daily digest, and of language."""
    user = await accounts.get_user(session, user_id)
    if user is None:
        return None
    user.notification_mode, user.language = mode, language
    return user


async def failed_notifications(session: AsyncSession, limit: int = 100) -> list[Notification]:
    """Mail that will not be sent without someone acting, newest first."""
    return list(await repository.failed(session, max(1, min(limit, 1_000))))


async def retry_failed(session: AsyncSession, notification_id: int) -> Notification | None:
    """Send a FAILED notification again (after fixing an address or a template, say)."""
    notification = await repository.get(session, notification_id, for_update=True)
    if notification is None or notification.state is not NotificationState.FAILED:
        return None
    notification.state, notification.failed_at = NotificationState.PENDING, None
    notification.created_at = utcnow()  # the retry window starts again
    outbox.add_job(session, SEND_JOB, {"notification_id": notification.id})
    return notification
