"""Routing as the API shows it: decisions with their reasons, the rule table, its edits."""

from __future__ import annotations

import json
from collections.abc import Container
from datetime import datetime
from typing import Annotated, Any

import strawberry

from service.api.context import Info
from service.api.directory.types import Agency
from service.api.errors import ValidationErrors
from service.api.workflow.types import NotFoundError, NotPermittedError
from service.routing.models import RoutingDecision as DecisionRow
from service.routing.models import RoutingMethod
from service.routing.models import RoutingRule as RuleRow
from service.routing.models import RuleChange as ChangeRow
from service.routing.reasons import Names, Reason, Stored, english, render, shown

strawberry.enum(RoutingMethod)

# Cited submissions the viewer may not read show without their codes: docs/api.md.
_REASONS = "Why, in English, as the routing engine has always written it."


@strawberry.type(description="One reason for a routing decision, structured and readable.")
class RoutingReason:
    stored: strawberry.Private[Reason | str]

    @strawberry.field(
        description="keywords, rule, competence, title_subject, precedent, confidence, "
        "below_threshold, near_duplicate, decided, declined, none; note for a note "
        "typed by the secretariat (or a reason recorded before reasons had codes)."
    )
    def code(self) -> str:
        return "note" if isinstance(self.stored, str) else self.stored.code

    @strawberry.field(description="The reason in the request's language (Accept-Language).")
    async def text(self, info: Info) -> str:
        language = info.context.language
        names = Names()
        if not isinstance(self.stored, str) and self.stored.code == "competence":
            # The category by its name, as `categories { name }` gives it; its code stays in
            # `arguments`.
            code = str(self.stored.args.get("category", ""))
            category = await info.context.loaders.category_by_code.load(code)
            if category is not None:
                names = Names(categories={code: category.name(language)})
        return render(self.stored, language, names)

    @strawberry.field(description="The reason's arguments as JSON text, e.g. the keywords.")
    def arguments(self) -> str:
        if isinstance(self.stored, str):
            return "{}"
        return json.dumps(dict(self.stored.args), ensure_ascii=False, sort_keys=True)


def _details(values: list[Stored], readable: Container[str] | None) -> list[RoutingReason]:
    return [RoutingReason(stored=shown(v, readable)) for v in values]


@strawberry.type(description="An agency the routing engine suggests, with its score and why.")
class RoutingSuggestion:
    agency_code: str
    score: float
    reasons: list[str] = strawberry.field(description=_REASONS)
    reason_details: list[RoutingReason]


@strawberry.type(description="Where a submission was sent, how, how confidently and why.")
class RoutingDecision:
    row: strawberry.Private[DecisionRow]
    # The cited submissions (tracking codes) the viewer may read; None: every one.
    readable: strawberry.Private[Container[str] | None] = None

    @strawberry.field
    def method(self) -> RoutingMethod:
        return self.row.method

    @strawberry.field(description="From 0 to 1; below the threshold it went to triage.")
    def confidence(self) -> float:
        return self.row.confidence

    @strawberry.field(description=_REASONS)
    def reasons(self) -> list[str]:
        return english(self.row.reasons, self.readable)

    @strawberry.field
    def reason_details(self) -> list[RoutingReason]:
        return _details(self.row.reasons, self.readable)

    @strawberry.field(description="The top three agencies, best first.")
    def suggestions(self) -> list[RoutingSuggestion]:
        return [_suggestion(s, self.readable) for s in self.row.suggestions]

    @strawberry.field(description="Agencies that declined it: never suggested again for it.")
    def excluded_agency_codes(self) -> list[str]:
        return list(self.row.excluded)

    @strawberry.field(description="False once the submission was declined or moved away.")
    def stood(self) -> bool:
        return self.row.stood

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


def _suggestion(value: dict[str, Any], readable: Container[str] | None) -> RoutingSuggestion:
    return RoutingSuggestion(
        agency_code=str(value["agency"]),
        score=float(value["score"]),
        reasons=english(value["reasons"], readable),
        reason_details=_details(value["reasons"], readable),
    )


@strawberry.type(description="One row of the ordered routing rule table.")
class RoutingRule:
    row: strawberry.Private[RuleRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def position(self) -> int:
        return self.row.position

    @strawberry.field(description="PROPOSAL, OBSTACLE or RECOMMENDATION; empty: any.")
    def kinds(self) -> list[str]:
        return list(self.row.kinds)

    @strawberry.field(description="Category codes; empty: any.")
    def categories(self) -> list[str]:
        return list(self.row.categories)

    @strawberry.field(description="A province code, @submission (any it names), or null.")
    def province(self) -> str | None:
        return self.row.province

    @strawberry.field
    def keywords_vi(self) -> list[str]:
        return list(self.row.keywords_vi)

    @strawberry.field
    def keywords_en(self) -> list[str]:
        return list(self.row.keywords_en)

    @strawberry.field(description="An agency code, or @committee: the province's committee.")
    def lead(self) -> str:
        return self.row.lead

    @strawberry.field
    def cooperating(self) -> list[str]:
        return list(self.row.cooperating)

    @strawberry.field(description="Evidence added to the lead agency (negative: taken away).")
    def weight(self) -> float:
        return self.row.weight

    @strawberry.field
    def active(self) -> bool:
        return self.row.active

    @strawberry.field
    def note(self) -> str:
        return self.row.note

    @strawberry.field
    def updated_by(self) -> str:
        return self.row.updated_by

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at


@strawberry.type(description="One edit of the rule table: who, when, from what to what.")
class RoutingRuleChange:
    row: strawberry.Private[ChangeRow]

    @strawberry.field
    def rule_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.rule_id)) if self.row.rule_id is not None else None

    @strawberry.field(description="created, changed or deleted.")
    def action(self) -> str:
        return self.row.action

    @strawberry.field
    def actor(self) -> str:
        return self.row.actor

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="The rule before, as JSON text; null when created.")
    def old(self) -> str | None:
        return _json(self.row.old)

    @strawberry.field(description="The rule after, as JSON text; null when deleted.")
    def new(self) -> str | None:
        return _json(self.row.new)


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@strawberry.input
class SaveRoutingRuleInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Null: a new rule.")
    position: int | None = strawberry.field(default=None, description="Null: last, or unchanged.")
    kinds: list[str] = strawberry.field(default_factory=list)
    categories: list[str] = strawberry.field(default_factory=list)
    province: str | None = None
    keywords_vi: list[str] = strawberry.field(default_factory=list)
    keywords_en: list[str] = strawberry.field(default_factory=list)
    lead: str
    cooperating: list[str] = strawberry.field(default_factory=list)
    weight: float
    active: bool = True
    note: str = ""


@strawberry.input
class DeleteRoutingRuleInput:
    id: strawberry.ID


@strawberry.input
class UpdateAgencyCompetencesInput:
    agency_code: str
    categories: list[str]
    keywords_vi: list[str]
    keywords_en: list[str]


@strawberry.input
class ExtendDeadlineInput:
    id: strawberry.ID
    days: int = strawberry.field(description="Business days added to the response deadline.")
    reason: str


@strawberry.type(description="The rule as saved.")
class RoutingRuleSaved:
    rule: RoutingRule


@strawberry.type(description="The rule is gone; its history stays.")
class RoutingRuleDeleted:
    id: strawberry.ID


@strawberry.type(description="The agency's competences as saved.")
class AgencyCompetencesUpdated:
    agency: Agency
    categories: list[str]


SaveRoutingRuleResult = Annotated[
    RoutingRuleSaved | ValidationErrors | NotFoundError | NotPermittedError,
    strawberry.union("SaveRoutingRuleResult"),
]
DeleteRoutingRuleResult = Annotated[
    RoutingRuleDeleted | NotFoundError | NotPermittedError,
    strawberry.union("DeleteRoutingRuleResult"),
]
UpdateAgencyCompetencesResult = Annotated[
    AgencyCompetencesUpdated | ValidationErrors | NotPermittedError,
    strawberry.union("UpdateAgencyCompetencesResult"),
]
