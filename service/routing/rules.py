"""The foundation's rule table: local obstacles to the province, everything else by topic."""

from __future__ import annotations

from dataclasses import dataclass

from service.directory.models import Category, Province
from service.proposals.models import Proposal, ProposalKind


@dataclass(frozen=True, slots=True)
class Decision:
    agency_id: int | None  # None: nobody is confidently responsible, send to triage
    reason: str


def decide(
    proposal: Proposal,
    category: Category,
    province: Province | None,
    named_in_text: Province | None = None,
) -> Decision:
    """`named_in_text`: the one province the title or description names, if no province was
    chosen; former names of merged provinces count (Bắc Giang names Bắc Ninh)."""
    if proposal.kind is ProposalKind.OBSTACLE and province is not None:
        return Decision(province.agency_id, f"rule: local obstacle in {province.code}")
    if proposal.kind is ProposalKind.OBSTACLE and named_in_text is not None:
        return Decision(
            named_in_text.agency_id, f"rule: local obstacle naming {named_in_text.code}"
        )
    if category.agency_id is not None:
        return Decision(category.agency_id, f"rule: topic {category.code}")
    return Decision(None, f"no rule for topic {category.code}")
