"""Officials' accounts: passwords with lockout, API tokens, and who hears about an agency's work."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import repository
from service.accounts.actor import Actor, ActorKind
from service.accounts.errors import (
    AccountExists,
    AccountLocked,
    InvalidCredentials,
    TokenNotPermitted,
    UnknownAgency,
)
from service.accounts.models import ApiToken, Role, User
from service.db import utcnow
from service.directory import repository as directory
from service.directory.models import Agency

_hasher = PasswordHasher()
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_PREFIX = "itk_"  # noqa: S105 - marks Intake tokens in logs and scanners
MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


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


async def attempt_login(
    session: AsyncSession, email: str, password: str
) -> User | InvalidCredentials | AccountLocked:
    """The user with these credentials, or the reason not; the caller commits either way.

    The failure is returned rather than raised so that the failed-attempt count is committed:
    five failures in a row lock the account for fifteen minutes.
    """
    user = await repository.get_by_email(session, email.strip().lower())
    now = utcnow()
    if user is None or not user.is_active:
        _verify(_DUMMY_HASH, password)
        return InvalidCredentials()
    if user.locked_until is not None and user.locked_until > now:
        return AccountLocked(user.locked_until)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins, user.locked_until = 0, now + LOCK_DURATION
        return InvalidCredentials()
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def actor_for_user(session: AsyncSession, user_id: int) -> Actor | None:
    user = await repository.get_user(session, user_id)
    if user is None or not user.is_active:
        return None
    return Actor(
        ActorKind.USER,
        role=user.role,
        agency_id=user.agency_id,
        user_id=user.id,
        email=user.email,
        agency_code=await _agency_code(session, user.agency_id),
    )


async def _agency_code(session: AsyncSession, agency_id: int | None) -> str:
    agency = await directory.get_agency(session, agency_id) if agency_id is not None else None
    return agency.code if agency else ""


async def create_token(
    session: AsyncSession, *, name: str, role: Role, agency_code: str | None, created_by: str
) -> IssuedToken:
    agency = None
    if agency_code is not None:
        agency = await directory.get_agency_by_code(session, agency_code)
        if agency is None:
            raise UnknownAgency(agency_code)
    if role in (Role.REVIEWER, Role.AGENCY_ADMIN) and agency is None:
        raise UnknownAgency("an agency role needs --agency")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        role=role,
        agency_id=agency.id if agency else None,
        token_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_by=created_by,
    )
    repository.add(session, token)
    await session.flush()
    return IssuedToken(token, secret)


async def actor_for_token(session: AsyncSession, secret: str) -> Actor | None:
    """The actor a bearer token stands for, recording its use; None when unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = await repository.get_token_by_hash(session, hash_secret(secret))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    # Written at most once a minute, so a busy portal does not turn reads into writes.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return Actor(
        ActorKind.TOKEN,
        role=token.role,
        agency_id=token.agency_id,
        token_id=token.id,
        agency_code=await _agency_code(session, token.agency_id),
    )


async def revoke_token(session: AsyncSession, token_id: int) -> ApiToken | None:
    token = await repository.get_token(session, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


async def list_tokens(session: AsyncSession, agency_id: int | None = None) -> list[ApiToken]:
    return list(await repository.list_tokens(session, agency_id))


async def agency_reviewers(session: AsyncSession, agency_id: int) -> list[User]:
    return list(await repository.active_reviewers(session, agency_id))


async def secretariat_staff(session: AsyncSession) -> list[User]:
    return list(await repository.active_secretariat(session))


def may_manage_tokens(actor: Actor) -> bool:
    return actor.is_secretariat or (actor.role is Role.AGENCY_ADMIN and actor.agency_id is not None)


async def tokens_for(session: AsyncSession, actor: Actor) -> list[ApiToken]:
    """The tokens an administrator may manage: all for the secretariat, else their agency's."""
    if not may_manage_tokens(actor):
        return []
    return list(
        await repository.list_tokens(session, None if actor.is_secretariat else actor.agency_id)
    )


async def issue_token(
    session: AsyncSession, actor: Actor, *, name: str, role: Role, agency_code: str | None
) -> IssuedToken:
    """A token issued from the admin pages; an agency admin issues only for their own agency."""
    if not may_manage_tokens(actor):
        raise TokenNotPermitted()
    own_agency_only = (
        role in (Role.REVIEWER, Role.AGENCY_ADMIN) and agency_code == actor.agency_code
    )
    if not (actor.is_secretariat or own_agency_only):
        raise TokenNotPermitted()
    return await create_token(
        session,
        name=name,
        role=role,
        agency_code=agency_code,
        created_by=actor.email or actor.label,
    )


async def revoke_token_as(session: AsyncSession, actor: Actor, token_id: int) -> ApiToken | None:
    token = await repository.get_token(session, token_id)
    if token is None or not may_manage_tokens(actor):
        return None
    if not actor.is_secretariat and token.agency_id != actor.agency_id:
        return None
    return await revoke_token(session, token_id)


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    role: Role,
    agency_code: str | None,
    password: str,
) -> User:
    """A new official; raises UnknownAgency, or AccountExists when the email is taken."""
    email = email.strip().lower()
    if await repository.get_by_email(session, email) is not None:
        raise AccountExists(email)
    agency = None
    if agency_code is not None:
        agency = await directory.get_agency_by_code(session, agency_code)
        if agency is None:
            raise UnknownAgency(agency_code)
    if role in (Role.REVIEWER, Role.AGENCY_ADMIN) and agency is None:
        raise UnknownAgency("an agency role needs --agency")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        agency_id=agency.id if agency else None,
    )
    repository.add(session, user)
    await session.flush()
    return user
