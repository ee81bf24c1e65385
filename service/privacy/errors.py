"""Errors of the personal-data domain."""

from __future__ import annotations

from service.errors import DomainError


class PrivacyError(DomainError):
    code = "privacy_error"


class ErasureNotPermitted(PrivacyError):
    """Only the submitter (with the private link) and the secretariat erase personal data."""

    code = "not_permitted"
