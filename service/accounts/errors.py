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


class InvalidAgency(UnknownAgency):
    """An agency that may not be chosen: deactivated, missing for an agency role, or given to a
    role that belongs to no agency. An UnknownAgency, so that callers refuse it alike."""

    code = "invalid_agency"


class TokenNotPermitted(AccountError):
    code = "not_permitted"


class AccountExists(AccountError):
    code = "account_exists"


class NotPermitted(AccountError):
    code = "not_permitted"


class UserNotFound(AccountError):
    code = "not_found"
