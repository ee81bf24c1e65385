"""Demo data: the shipped directory, one secretariat user and one reviewer per agency."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import service as accounts
from service.accounts.models import Role
from service.directory import repository as directory
from service.directory import service as directory_service
from service.directory.loader import read_directory
from service.directory.models import SECRETARIAT_CODE
from service.routing import repository as routing_repository
from service.routing import service as routing
from service.routing.loader import read_rules

DEMO_PASSWORD = "intake-demo"  # noqa: S105 - printed at start; demo data only
DEMO_DOMAIN = "intake.localhost"
SECRETARIAT_EMAIL = f"secretariat@{DEMO_DOMAIN}"


def reviewer_email(agency_code: str) -> str:
    return f"reviewer.{agency_code.lower()}@{DEMO_DOMAIN}"


async def load_demo(session: AsyncSession, actor: str = "cli") -> None:
    """Idempotent: the directory is brought up to the shipped data, existing users kept."""
    data = read_directory()
    await directory_service.load_directory(session, data, actor)
    if not await routing_repository.list_rules(session):
        known = await routing.known_directory(session)
        await routing.load_rules(session, read_rules(known), actor)
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    secretariat = await directory_service.secretariat(session)
    await accounts.ensure_user(
        session,
        email=SECRETARIAT_EMAIL,
        name="Thư ký Văn phòng Thường trực",
        role=Role.SECRETARIAT,
        password_hash=password_hash,
        agency=secretariat,
    )
    for entry in data.agencies:
        if entry.code == SECRETARIAT_CODE:
            continue
        agency = await directory.get_agency_by_code(session, entry.code)
        assert agency is not None
        await accounts.ensure_user(
            session,
            email=reviewer_email(entry.code),
            name=f"Cán bộ tiếp nhận {entry.code}",
            role=Role.REVIEWER,
            password_hash=password_hash,
            agency=agency,
        )
