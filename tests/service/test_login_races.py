"""Wrong passwords sent at the same instant each count, and the lockout they set holds for an
attempt already on its way: the account's row is locked while an attempt is checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import service as accounts
from service.accounts.errors import AccountLocked, InvalidCredentials
from service.accounts.models import User
from service.db import Database
from service.demo import DEMO_PASSWORD, reviewer_email
from service.settings import Settings
from tests.fixtures.races import while_one_is_held

EMAIL = reviewer_email("BKHCN")
Outcome = User | InvalidCredentials | AccountLocked


def _attempt(password: str) -> Callable[[AsyncSession], Awaitable[Outcome]]:
    async def attempt(session: AsyncSession) -> Outcome:
        return await accounts.attempt_login(session, EMAIL, password)

    return attempt


async def _account(db: Database) -> User:
    async with db.session() as session:
        return (await session.exec(select(User).where(User.email == EMAIL))).one()


async def test_two_wrong_passwords_at_once_both_count(settings: Settings) -> None:
    url = settings.resolved_database_url
    first, second = await while_one_is_held(url, _attempt("wrong-1"), _attempt("wrong-2"))

    db = Database(url)
    account = await _account(db)
    await db.dispose()
    assert (type(first), type(second.result())) == (InvalidCredentials, InvalidCredentials)
    assert (account.failed_logins, account.locked_until) == (2, None)


async def test_the_right_password_during_the_fifth_failure_finds_the_account_locked(
    settings: Settings,
) -> None:
    url = settings.resolved_database_url
    db = Database(url)
    async with db.transaction() as session:
        user = (await session.exec(select(User).where(User.email == EMAIL))).one()
        user.failed_logins = accounts.MAX_FAILED_LOGINS - 1

    fifth, right = await while_one_is_held(url, _attempt("wrong"), _attempt(DEMO_PASSWORD))

    account = await _account(db)
    await db.dispose()
    assert isinstance(fifth, InvalidCredentials)
    assert account.locked_until is not None
    refused = right.result()
    assert isinstance(refused, AccountLocked)
    assert refused.until == account.locked_until
    assert (account.failed_logins, account.last_login_at) == (0, None)
