"""Errors of routing administration."""

from __future__ import annotations

from service.errors import DomainError


class RoutingError(DomainError):
    code = "routing_error"


class RuleNotFound(RoutingError):
    code = "not_found"
