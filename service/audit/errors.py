"""Errors of the audit domain."""

from __future__ import annotations

from service.errors import DomainError


class AuditError(DomainError):
    code = "audit_error"


class AuditNotPermitted(AuditError):
    """Only the secretariat reads the audit log."""

    code = "not_permitted"
