"""Officials' accounts: creating them and finding who works on an agency's submissions."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import repository
from service.accounts.models import Role, User
from service.directory.models import Agency

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def ensure_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    role: Role,
    password_hash: str,
    agency: Agency | None = None,
) -> User:
    """Create the user unless one with that email exists; an existing user is left as it is."""
    user = await repository.get_by_email(session, email)
    if user is None:
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            agency_id=agency.id if agency else None,
        )
        repository.add(session, user)
        await session.flush()
    return user


async def agency_reviewers(session: AsyncSession, agency_id: int) -> list[User]:
    return list(await repository.active_reviewers(session, agency_id))


async def secretariat_staff(session: AsyncSession) -> list[User]:
    return list(await repository.active_secretariat(session))
