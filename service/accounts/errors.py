"""Errors of signing in and of API tokens."""

from __future__ import annotations

from datetime import datetime

from service.errors import DomainError


class AccountError(DomainError):
    code = "account_error"


class InvalidCredentials(AccountError):
    code = "invalid_credentials"


class AccountLocked(AccountError):
    code = "account_locked"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class UnknownAgency(AccountError):
    code = "unknown_agency"


class TokenNotPermitted(AccountError):
    code = "not_permitted"


class AccountExists(AccountError):
    code = "account_exists"


class NotPermitted(AccountError):
    code = "not_permitted"


class UserNotFound(AccountError):
    code = "not_found"
