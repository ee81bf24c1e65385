"""Any message rendered with sample data, for `intake mail preview`: no database needed."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from service.calendar import add_business_days
from service.db import utcnow
from service.i18n import Language, in_language
from service.notifications.catalog import DIGEST, KINDS, Audience
from service.notifications.models import Notification
from service.notifications.rendering import render_mail
from service.notifications.service import (
    PREFERENCES_PATH,
    build_message,
    digest_section,
    proposal_links,
    unsubscribe_url,
)
from service.proposals.models import Proposal, ProposalKind, ProposalStatus, SubmitterType
from service.settings import Settings

_SAMPLES: dict[Language, dict[str, str]] = {
    "vi": {
        "title": "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ",
        "description": "Đề xuất thành lập quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa.",
        "agency": "Bộ Khoa học và Công nghệ",
        "other_agency": "Bộ Công Thương",
        "category": "Kinh tế số",
        "note": "Xin cho biết số doanh nghiệp dự kiến tham gia.",
        "file": "ke-hoach-trien-khai.pdf",
        "deadline_extended_note": "Cần lấy ý kiến của Bộ Tài chính trước khi trả lời.",
        "overdue_title": "Vướng mắc thủ tục cấp phép thử nghiệm thiết bị bay không người lái",
        "due_soon_title": "Đề xuất chia sẻ dữ liệu đất đai giữa các địa phương",
    },
    "en": {
        "title": "A digital transformation fund for small businesses",
        "description": "A proposal to found a digital transformation fund for small businesses.",
        "agency": "Ministry of Science and Technology",
        "other_agency": "Ministry of Industry and Trade",
        "category": "Digital economy",
        "note": "Please tell us how many businesses would take part.",
        "file": "implementation-plan.pdf",
        "deadline_extended_note": "We must consult the Ministry of Finance before answering.",
        "overdue_title": "Licensing delays for drone test flights",
        "due_soon_title": "Sharing land data between provinces",
    },
}


def sample_message(template: str, language: Language, settings: Settings) -> EmailMessage:
    """Raises KeyError for a template Intake does not have."""
    kind = KINDS[template]
    sample = _SAMPLES[language]
    now = utcnow()
    deadline = add_business_days(now, settings.response_business_days)
    proposal = _sample_proposal(sample, language, 1, "7KQ2MXH9PD", deadline)
    recipient = (
        proposal.submitter_email
        if kind.audience is Audience.SUBMITTER
        else "reviewer.bkhcn@intake.localhost"
    )
    notification = Notification(
        id=1,
        event_key=f"preview:{template}",
        recipient=recipient,
        template=template,
        language=language,
        proposal_id=None if kind is DIGEST else proposal.id,
    )
    base_url = settings.base_url.rstrip("/")
    links = proposal_links(base_url, proposal, "sample-private-key", language)
    context: dict[str, Any] = {
        "base_url": base_url,
        "proposal": proposal,
        "agency_name": sample["agency"],
        "category_name": sample["category"],
        **links,
        "note": sample.get(f"{template}_note", sample["note"]),
        "unsubscribe_url": (
            in_language(unsubscribe_url(settings, recipient), language)
            if kind.audience is Audience.SUBMITTER
            else ""
        ),
        "from_agency_name": sample["other_agency"],
        "cooperating_agency_name": "",
        "into_code": "3WQ7TNB5KD",
        "lead_code": "",
        "into_url": in_language(f"{base_url}/track/3WQ7TNB5KD", language),
        "level": "agency",
        "published": True,
        "with_agency": True,
        "files": [{"name": sample["file"], "size": 245_760}],
        "cutoff": now - timedelta(hours=1),
        "preferences_url": in_language(base_url + PREFERENCES_PATH, language),
        "deadline": proposal.deadline,
        "sections": _digest_sections(sample, language, settings, base_url),
    }
    mail = render_mail(template, language, context)
    return build_message(notification, kind, None if kind is DIGEST else proposal, mail, settings)


def _sample_proposal(
    sample: dict[str, str],
    language: Language,
    number: int,
    code: str,
    deadline: datetime,
    title: str = "",
) -> Proposal:
    return Proposal(
        id=number,
        tracking_code=code,
        kind=ProposalKind.PROPOSAL,
        status=ProposalStatus.ROUTED,
        title=title or sample["title"],
        description=sample["description"],
        category_code="DIGITAL_ECONOMY",
        submitter_type=SubmitterType.ENTERPRISE,
        submitter_name="Nguyễn Thị Minh",
        submitter_email="minh@example.com",
        language=language,
        content_hash="",
        deadline=deadline,
    )


def _digest_sections(
    sample: dict[str, str], language: Language, settings: Settings, base_url: str
) -> list[dict[str, Any]]:
    """A digest's sections, each listing a submission of its own whose deadline fits it: one
    past its deadline, one due within the reminder's days, one just assigned."""
    now = utcnow()
    deadlines = {
        "overdue": ("4HT8RWC2LM", now - timedelta(days=3)),
        "due_soon": ("9PD3KXF6QB", add_business_days(now, settings.mail_reminder_business_days)),
        "assigned": ("7KQ2MXH9PD", add_business_days(now, settings.response_business_days)),
    }
    sections = []
    for number, (key, (code, deadline)) in enumerate(deadlines.items(), start=1):
        title = sample.get(f"{key}_title", "")
        item = _sample_proposal(sample, language, number, code, deadline, title)
        links = proposal_links(base_url, item, "sample-private-key", language)
        # A long section of new work, to show what a digest does with the items it does not list.
        total = 12 if key == "assigned" else 1
        sections.append(
            digest_section(key, [{"proposal": item, **links}], total, base_url, language)
        )
    return sections
