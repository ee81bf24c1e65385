"""Errors of routing administration."""

from __future__ import annotations

from service.errors import DomainError


class RoutingError(DomainError):
    code = "routing_error"


class RuleNotFound(RoutingError):
    code = "not_found"


class RoutingOutdated(RoutingError):
    """The proposal changed between deciding its routing and writing it down."""

    code = "outdated"
