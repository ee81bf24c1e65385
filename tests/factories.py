"""Small builders of test data: plain functions, explicit overrides, no hidden magic."""

from __future__ import annotations

from typing import Any

from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role, User
from service.accounts.service import hash_password
from service.db import Database
from service.demo import DEMO_PASSWORD
from service.directory.repository import get_agency_by_code
from service.proposals.access import access_key
from service.proposals.models import Proposal
from service.proposals.repository import get as get_proposal
from service.proposals.service import submit_proposal, submitter_actor
from service.proposals.validation import SubmissionInput
from service.routing.service import route_proposal
from service.settings import Settings


def submission(**overrides: Any) -> SubmissionInput:
    values: dict[str, Any] = {
        "kind": "PROPOSAL",
        "title": "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ",
        "description": "Đề xuất thành lập quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa.",
        "category": "DIGITAL_ECONOMY",
        "submitter_type": "ENTERPRISE",
        "name": "Nguyễn Thị Minh",
        "email": "minh@example.com",
        "consent_to_publish": True,
    }
    values.update(overrides)
    return SubmissionInput(**values)


def graphql_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "PROPOSAL",
        "title": "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ",
        "description": "Đề xuất thành lập quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa.",
        "categoryCode": "DIGITAL_ECONOMY",
        "submitterType": "ENTERPRISE",
        "name": "Nguyễn Thị Minh",
        "email": "minh@example.com",
        "consentToPublish": True,
    }
    values.update(overrides)
    return values


def form_data(**overrides: str) -> dict[str, str]:
    values = {
        "kind": "OBSTACLE",
        "title": "Thủ tục cấp phép thử nghiệm công nghệ mới kéo dài",
        "description": (
            "Hồ sơ xin cấp phép thử nghiệm có kiểm soát đã chờ sáu tháng chưa có kết quả."
        ),
        "categoryCode": "DIGITAL_GOVERNMENT",
        "provinceCode": "DA-NANG",
        "submitterType": "ENTERPRISE",
        "name": "Trần Văn Đức",
        "email": "duc@example.com",
        "phone": "",
        "organisation": "Công ty Sáng Tạo",
        "consentToPublish": "yes",
    }
    values.update(overrides)
    return values


async def agency_id(db: Database, code: str) -> int:
    async with db.session() as session:
        agency = await get_agency_by_code(session, code)
    assert agency is not None
    assert agency.id is not None
    return agency.id


AGENCY_ADMIN = "admin.bkhcn@example.org"


async def add_agency_admin(
    db: Database,
    agency_code: str = "BKHCN",
    email: str = AGENCY_ADMIN,
    *,
    language: str = "vi",
) -> int:
    """An agency administrator (the demo seeds none) with the demo password, who also gets the
    agency's mail in `language`; returns their id."""
    async with db.transaction() as session:
        agency = await get_agency_by_code(session, agency_code)
        assert agency is not None
        user = User(
            email=email,
            name="Quản trị cơ quan",
            role=Role.AGENCY_ADMIN,
            agency_id=agency.id,
            password_hash=hash_password(DEMO_PASSWORD),
            language=language,
        )
        session.add(user)
        await session.flush()
        assert user.id is not None
        return user.id


def official(agency: int | None, role: Role = Role.REVIEWER, user_id: int = 1) -> Actor:
    return Actor(ActorKind.USER, role=role, agency_id=agency, user_id=user_id)


SECRETARIAT = Actor(ActorKind.USER, role=Role.SECRETARIAT, user_id=999)


async def submitted_and_routed(db: Database, settings: Settings, **fields: Any) -> Proposal:
    """A submission the foundation's rules have routed; by default to BKHCN, unpublished."""
    fields.setdefault("consent_to_publish", False)
    async with db.transaction() as session:
        proposal = await submit_proposal(session, submission(**fields), settings, "vi")
    assert proposal.id is not None
    async with db.transaction() as session:
        await route_proposal(session, proposal.id, settings)
    async with db.session() as session:
        routed = await get_proposal(session, proposal.id)
    assert routed is not None
    return routed


async def submitter_of(db: Database, settings: Settings, proposal_id: int) -> Actor:
    """The submitter as their private link makes them: the key checked like the page checks it."""
    async with db.session() as session:
        proposal = await get_proposal(session, proposal_id)
        assert proposal is not None
        _, actor = await submitter_actor(
            session, settings, proposal.tracking_code, access_key(settings, proposal)
        )
    return actor
