"""Errors of the proposals domain."""

from __future__ import annotations

from service.errors import DomainError


class ProposalError(DomainError):
    code = "proposal_error"


class ProposalNotFound(ProposalError):
    code = "not_found"
