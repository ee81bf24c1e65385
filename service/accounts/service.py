"""Officials' accounts: passwords with lockout, API tokens, and who hears about an agency's work."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
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
    InvalidAgency,
    InvalidCredentials,
    NotPermitted,
    TokenNotPermitted,
    UnknownAgency,
    UserNotFound,
)
from service.accounts.models import AccountChange, ApiToken, Role, User
from service.db import utcnow
from service.directory import repository as directory
from service.directory.models import Agency
from service.errors import FieldError, ValidationFailed
from service.i18n import Language, translations
from service.text import has_control_characters, normalize, official_address

_hasher = PasswordHasher()
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_PREFIX = "itk_"  # noqa: S105 - marks Intake tokens in logs and scanners
MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_NAME_LENGTH = 100  # as the admin token page (web/admin.py) checks before calling


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
    # Locked until the caller commits: attempts at the same account at once take turns, so
    # each counts its failure on top of the one before and sees the lockout it may have set.
    user = await repository.get_by_email(session, email.strip().lower(), for_update=True)
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


async def actor_for_user(
    session: AsyncSession, user_id: int, generation: int | None = None
) -> Actor | None:
    """The signed-in official; None for an account gone, deactivated, or (given the session's
    generation) signed out since that session began."""
    user = await repository.get_user(session, user_id)
    if user is None or not user.is_active:
        return None
    if generation is not None and generation != user.session_generation:
        return None
    return Actor(
        ActorKind.USER,
        role=user.role,
        agency_id=user.agency_id,
        user_id=user.id,
        email=user.email,
        agency_code=await _agency_code(session, user.agency_id),
    )


async def end_sessions(session: AsyncSession, user_id: int) -> None:
    """Sign the account out everywhere: every session cookie issued so far stops working."""
    user = await repository.get_user(session, user_id)
    if user is not None:
        user.session_generation += 1


async def _agency_code(session: AsyncSession, agency_id: int | None) -> str:
    agency = await directory.get_agency(session, agency_id) if agency_id is not None else None
    return agency.code if agency else ""


async def create_token(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    agency_code: str | None,
    created_by: str,
    language: Language = "en",
) -> IssuedToken:
    """Raises ValidationFailed for the name, UnknownAgency for an agency not in the directory,
    and InvalidAgency for one deactivated, missing for an agency role or given to another."""
    _ = translations(language).gettext
    name = normalize(name).strip()
    if not name:
        raise ValidationFailed([FieldError("name", "required", _("This field is required."))])
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        message = _("Use at most %(max)s characters.") % {"max": MAX_TOKEN_NAME_LENGTH}
        raise ValidationFailed([FieldError("name", "invalid", message)])
    agency = None
    if agency_code is not None:
        agency = await directory.get_agency_by_code(session, agency_code)
        if agency is None:
            raise UnknownAgency(agency_code)
        if not agency.is_active:
            raise InvalidAgency(f"{agency_code} is deactivated")
        if role not in (Role.REVIEWER, Role.AGENCY_ADMIN):
            raise InvalidAgency(f"{role.value} tokens belong to no agency: give none")
    if role in (Role.REVIEWER, Role.AGENCY_ADMIN) and agency is None:
        raise InvalidAgency(f"{role.value} tokens need an agency")
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


async def actor_for_token(session: AsyncSession, secret: str) -> tuple[Actor, bool] | None:
    """The actor a bearer token stands for, and whether its use is due to be recorded (see
    record_token_use); None when unknown or revoked. Reads only: a write transaction on every
    API request would take SQLite's one writer each time."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = await repository.get_token_by_hash(session, hash_secret(secret))
    if found is None or found[0].revoked_at is not None:
        return None
    token, agency_code = found
    actor = Actor(
        ActorKind.TOKEN,
        role=token.role,
        agency_id=token.agency_id,
        token_id=token.id,
        agency_code=agency_code or "",
    )
    return actor, _use_due(token)


def _use_due(token: ApiToken) -> bool:
    # Written at most once a minute, so a busy portal does not turn reads into writes.
    used = token.last_used_at
    return used is None or utcnow() - used > TOKEN_USE_RESOLUTION


async def record_token_use(session: AsyncSession, token_id: int) -> None:
    now = utcnow()
    await repository.mark_token_used(session, token_id, now, now - TOKEN_USE_RESOLUTION)


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


# Officials' accounts managed from the admin pages: the secretariat manages everyone, an agency
# admin the reviewers of their own agency. Every change is recorded with who and when.

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
MAX_USER_NAME_LENGTH = 200
HISTORY_LENGTH = 50


def may_manage_officials(actor: Actor) -> bool:
    return may_manage_tokens(actor)


def manageable_roles(actor: Actor) -> list[Role]:
    """The roles this administrator may give."""
    if actor.is_secretariat:
        return list(Role)
    return [Role.REVIEWER] if may_manage_officials(actor) else []


def _may_manage(actor: Actor, user: User) -> bool:
    if actor.is_secretariat:
        return True
    return (
        may_manage_officials(actor)
        and user.role is Role.REVIEWER
        and user.agency_id == actor.agency_id
    )


async def officials_for(
    session: AsyncSession, actor: Actor, *, agency_code: str = "", role: Role | None = None
) -> list[User]:
    """The officials an administrator may see: everyone for the secretariat, else their
    agency's; optionally of one agency and one role."""
    if not may_manage_officials(actor):
        return []
    agency_id = None if actor.is_secretariat else actor.agency_id
    if agency_code:
        agency = await directory.get_agency_by_code(session, agency_code)
        if agency is None or (agency_id is not None and agency.id != agency_id):
            return []
        agency_id = agency.id
    return list(await repository.list_officials(session, agency_id=agency_id, role=role))


async def account_history(
    session: AsyncSession, actor: Actor, users: Sequence[User]
) -> list[AccountChange]:
    """The newest changes of the accounts listed (already scoped by officials_for)."""
    if not may_manage_officials(actor):
        return []
    ids = [u.id for u in users if u.id is not None]
    return list(await repository.account_changes(session, ids, HISTORY_LENGTH))


def _role(value: str, language: Language, actor: Actor) -> Role:
    _ = translations(language).gettext
    if value not in Role.__members__:
        raise ValidationFailed([FieldError("role", "invalid", _("Choose a role."))])
    role = Role(value)
    if role not in manageable_roles(actor):
        message = _("You may not give the role %(role)s.") % {"role": role.value}
        raise ValidationFailed([FieldError("role", "not_permitted", message)])
    return role


async def _agency_for(
    session: AsyncSession, actor: Actor, role: Role, code: str, language: Language
) -> Agency | None:
    _ = translations(language).gettext
    code = code.strip().upper()
    if role in (Role.SECRETARIAT, Role.ADMIN):
        if code:
            message = _("Secretariat and admin accounts belong to no agency: choose none.")
            raise ValidationFailed([FieldError("agency", "invalid", message)])
        return None
    if not code:
        message = _("Choose the agency this official works for.")
        raise ValidationFailed([FieldError("agency", "required", message)])
    agency = await directory.get_agency_by_code(session, code)
    if agency is None:
        message = _('Unknown agency code "%(value)s".') % {"value": code}
        raise ValidationFailed([FieldError("agency", "unknown", message)])
    if not agency.is_active:
        message = _('The agency "%(code)s" is deactivated: choose an active one.') % {"code": code}
        raise ValidationFailed([FieldError("agency", "inactive", message)])
    if not actor.is_secretariat and agency.id != actor.agency_id:
        message = _("You may manage only your own agency's reviewers.")
        raise ValidationFailed([FieldError("agency", "not_permitted", message)])
    return agency


Changed = tuple[str, str | None, str | None]  # field, before, after (codes)


def _record(
    session: AsyncSession, user: User, action: str, actor: Actor, changes: Sequence[Changed] = ()
) -> None:
    """A history row: the changes structured for pages, and as English text for the API."""
    assert user.id is not None
    detail = "; ".join(
        f"{name}: {after or '—'}"
        if action == "created"
        else f"{name}: {before or '—'} → {after or '—'}"
        for name, before, after in changes
    )
    repository.add(
        session,
        AccountChange(
            user_id=user.id,
            action=action,
            actor=actor.label,
            at=utcnow(),
            detail=detail,
            changes=[{"field": n, "before": b, "after": a} for n, b, a in changes],
        ),
    )


async def actor_names(session: AsyncSession, labels: Sequence[str]) -> dict[str, str]:
    """How history labels ("user:3", "token:2", "system") read on a page: users by email,
    tokens by name; other labels as they are."""
    ids = {int(label[5:]) for label in labels if label.startswith("user:") and label[5:].isdigit()}
    emails = {u.id: u.email for u in await repository.get_users(session, sorted(ids))}
    token_ids = {
        int(label[6:]) for label in labels if label.startswith("token:") and label[6:].isdigit()
    }
    tokens = {t.id: t.name for t in await repository.get_tokens(session, sorted(token_ids))}
    names = {label: label for label in labels}
    for label in labels:
        kind, _, key = label.partition(":")
        found = emails if kind == "user" else tokens if kind == "token" else {}
        if key.isdigit() and int(key) in found:
            names[label] = found[int(key)]
    return names


async def create_official(
    session: AsyncSession,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    agency_code: str,
    password: str,
    language: Language,
) -> tuple[User, str]:
    """A new official and the password to give them: the one typed, or a generated one shown
    once. Raises NotPermitted, or ValidationFailed naming each field."""
    if not may_manage_officials(actor):
        raise NotPermitted()
    _ = translations(language).gettext
    problems: list[FieldError] = []
    email = normalize(email).strip().lower()
    address = official_address(email)
    if address is None:
        message = _("Enter a valid email address, like name@example.com.")
        problems.append(FieldError("email", "invalid", message))
    else:
        email = address.lower()
        if await repository.get_by_email(session, email) is not None:
            message = _("An account with this email exists already.")
            problems.append(FieldError("email", "taken", message))
    name = normalize(name).strip()
    if not name:
        problems.append(FieldError("name", "required", _("This field is required.")))
    elif len(name) > MAX_USER_NAME_LENGTH or has_control_characters(name, multiline=False):
        message = _("Use at most %(max)s characters, without control characters.") % {
            "max": MAX_USER_NAME_LENGTH
        }
        problems.append(FieldError("name", "invalid", message))
    if password and not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        message = _("Choose a password of %(min)s to %(max)s characters, or leave it empty.") % {
            "min": MIN_PASSWORD_LENGTH,
            "max": MAX_PASSWORD_LENGTH,
        }
        problems.append(FieldError("password", "invalid", message))
    agency: Agency | None = None
    try:
        chosen = _role(role, language, actor)
        agency = await _agency_for(session, actor, chosen, agency_code, language)
    except ValidationFailed as failure:
        problems += failure.errors
    if problems:
        raise ValidationFailed(problems)
    secret = password or secrets.token_urlsafe(12)
    user = User(
        email=email,
        name=name,
        role=chosen,
        password_hash=hash_password(secret),
        agency_id=agency.id if agency else None,
    )
    repository.add(session, user)
    await session.flush()
    where = agency.code if agency else None
    _record(
        session, user, "created", actor, [("role", None, chosen.value), ("agency", None, where)]
    )
    await session.flush()
    return user, secret


async def _managed(session: AsyncSession, actor: Actor, user_id: int) -> User:
    user = await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound(str(user_id))
    if not _may_manage(actor, user):
        raise NotPermitted()
    return user


async def update_official(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    *,
    role: str,
    agency_code: str,
    language: Language,
) -> User:
    """Change an official's role and agency; raises UserNotFound, NotPermitted or
    ValidationFailed."""
    user = await _managed(session, actor, user_id)
    chosen = _role(role, language, actor)
    agency = await _agency_for(session, actor, chosen, agency_code, language)
    if user.id == actor.user_id and chosen is not user.role:
        _ = translations(language).gettext
        message = _("You may not change your own role.")
        raise ValidationFailed([FieldError("role", "not_permitted", message)])
    changes: list[Changed] = []
    if chosen is not user.role:
        changes.append(("role", user.role.value, chosen.value))
        user.role = chosen
    new_agency_id = agency.id if agency else None
    if new_agency_id != user.agency_id:
        old = await _agency_code(session, user.agency_id)
        changes.append(("agency", old, agency.code if agency else None))
        user.agency_id = new_agency_id
    if changes:
        _record(session, user, "changed", actor, changes)
    await session.flush()
    return user


async def set_official_active(
    session: AsyncSession, actor: Actor, user_id: int, active: bool, language: Language
) -> User:
    """Deactivate (they can no longer sign in) or reactivate an official."""
    user = await _managed(session, actor, user_id)
    if user.id == actor.user_id and not active:
        _ = translations(language).gettext
        message = _("You may not deactivate your own account.")
        raise ValidationFailed([FieldError("active", "not_permitted", message)])
    if user.is_active != active:
        user.is_active = active
        _record(session, user, "reactivated" if active else "deactivated", actor)
    await session.flush()
    return user
