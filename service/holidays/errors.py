"""Errors of holiday administration."""

from __future__ import annotations

from service.errors import DomainError


class HolidayError(DomainError):
    code = "holiday_error"


class HolidayNotFound(HolidayError):
    code = "not_found"
