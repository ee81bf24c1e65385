"""SQL for officials' accounts and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.models import AccountChange, ApiToken, Role, User
from service.directory.models import Agency


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_users(session: AsyncSession, ids: Sequence[int]) -> Sequence[User]:
    if not ids:
        return []
    return (await session.exec(select(User).where(col(User.id).in_(ids)))).all()


async def get_by_email(
    session: AsyncSession, email: str, *, for_update: bool = False
) -> User | None:
    statement = select(User).where(User.email == email)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.exec(statement)).first()


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


async def get_token_by_hash(
    session: AsyncSession, token_hash: str
) -> tuple[ApiToken, str | None] | None:
    """The token and its agency's code (None without an agency), in one statement: every API
    request with a token reads them."""
    statement = (
        select(ApiToken, Agency.code)
        .outerjoin(Agency, col(Agency.id) == col(ApiToken.agency_id))
        .where(ApiToken.token_hash == token_hash)
    )
    found = (await session.exec(statement)).first()
    return (found[0], found[1]) if found is not None else None


async def mark_token_used(
    session: AsyncSession, token_id: int, now: datetime, since: datetime
) -> None:
    """Set the token's last use to `now` unless it was already recorded after `since`."""
    statement = (
        update(ApiToken)
        .where(
            col(ApiToken.id) == token_id,
            or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) <= since),
        )
        .values(last_used_at=now)
    )
    await session.exec(statement)


async def get_token(session: AsyncSession, token_id: int) -> ApiToken | None:
    return await session.get(ApiToken, token_id)


async def get_tokens(session: AsyncSession, ids: Sequence[int]) -> Sequence[ApiToken]:
    if not ids:
        return []
    statement = select(ApiToken).where(col(ApiToken.id).in_(ids))
    return (await session.exec(statement)).all()


async def list_tokens(session: AsyncSession, agency_id: int | None) -> Sequence[ApiToken]:
    statement = select(ApiToken).order_by(col(ApiToken.id))
    if agency_id is not None:
        statement = statement.where(ApiToken.agency_id == agency_id)
    return (await session.exec(statement)).all()


async def list_officials(
    session: AsyncSession, *, agency_id: int | None, role: Role | None
) -> Sequence[User]:
    """Officials by email, optionally of one agency and one role (the caller's scope first)."""
    statement = select(User).order_by(col(User.email))
    if agency_id is not None:
        statement = statement.where(User.agency_id == agency_id)
    if role is not None:
        statement = statement.where(User.role == role)
    return (await session.exec(statement)).all()


async def account_changes(
    session: AsyncSession, user_ids: Sequence[int], limit: int
) -> Sequence[AccountChange]:
    """The newest changes of these accounts, newest first."""
    if not user_ids:
        return []
    statement = (
        select(AccountChange)
        .where(col(AccountChange.user_id).in_(user_ids))
        .order_by(col(AccountChange.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


def add(session: AsyncSession, row: User | ApiToken | AccountChange) -> None:
    session.add(row)
