"""Any message rendered with sample data, for `intake mail preview`: no database needed."""

from __future__ import annotations

from datetime import timedelta
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
    },
    "en": {
        "title": "A digital transformation fund for small businesses",
        "description": "A proposal to found a digital transformation fund for small businesses.",
        "agency": "Ministry of Science and Technology",
        "other_agency": "Ministry of Industry and Trade",
        "category": "Digital economy",
        "note": "Please tell us how many businesses would take part.",
        "file": "implementation-plan.pdf",
    },
}


def sample_message(template: str, language: Language, settings: Settings) -> EmailMessage:
    """Raises KeyError for a template Intake does not have."""
    kind = KINDS[template]
    sample = _SAMPLES[language]
    now = utcnow()
    proposal = Proposal(
        id=1,
        tracking_code="7KQ2MXH9PD",
        kind=ProposalKind.PROPOSAL,
        status=ProposalStatus.ROUTED,
        title=sample["title"],
        description=sample["description"],
        category_code="DIGITAL_ECONOMY",
        submitter_type=SubmitterType.ENTERPRISE,
        submitter_name="Nguyễn Thị Minh",
        submitter_email="minh@example.com",
        language=language,
        content_hash="",
        deadline=add_business_days(now, settings.response_business_days),
    )
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
    item = {"proposal": proposal, **links}
    context: dict[str, Any] = {
        "base_url": base_url,
        "proposal": proposal,
        "agency_name": sample["agency"],
        "category_name": sample["category"],
        **links,
        "note": sample["note"],
        "unsubscribe_url": (
            in_language(unsubscribe_url(settings, recipient), language)
            if kind.audience is Audience.SUBMITTER
            else ""
        ),
        "from_agency_name": sample["other_agency"],
        "cooperating_agency_name": "",
        "into_code": "3WQ7TNB5KD",
        "into_url": in_language(f"{base_url}/track/3WQ7TNB5KD", language),
        "level": "agency",
        "published": True,
        "with_agency": True,
        "files": [{"name": sample["file"], "size": 245_760}],
        "cutoff": now - timedelta(hours=1),
        "preferences_url": in_language(base_url + PREFERENCES_PATH, language),
        "sections": [
            digest_section("overdue", [item], 1, base_url, language),
            digest_section("due_soon", [item], 1, base_url, language),
            # A long section, to show what a digest does with the items it does not list.
            digest_section("assigned", [item], 12, base_url, language),
        ],
    }
    mail = render_mail(template, language, context)
    return build_message(notification, kind, None if kind is DIGEST else proposal, mail, settings)
