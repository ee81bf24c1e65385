"""SQL for officials' accounts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.models import Role, User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email == email))).first()


async def active_reviewers(session: AsyncSession, agency_id: int) -> Sequence[User]:
    statement = (
        select(User)
        .where(User.agency_id == agency_id, col(User.is_active))
        .where(col(User.role).in_([Role.REVIEWER, Role.AGENCY_ADMIN]))
        .order_by(col(User.email))
    )
    return (await session.exec(statement)).all()


async def active_secretariat(session: AsyncSession) -> Sequence[User]:
    statement = (
        select(User)
        .where(User.role == Role.SECRETARIAT, col(User.is_active))
        .order_by(col(User.email))
    )
    return (await session.exec(statement)).all()


def add(session: AsyncSession, user: User) -> None:
    session.add(user)
