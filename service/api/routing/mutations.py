"""Editing the rule table and competences (the secretariat), and the one deadline extension
(the lead agency)."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.directory.types import Agency
from service.api.errors import ValidationErrors
from service.api.routing.types import (
    AgencyCompetencesUpdated,
    DeleteRoutingRuleInput,
    DeleteRoutingRuleResult,
    ExtendDeadlineInput,
    RoutingRule,
    RoutingRuleDeleted,
    RoutingRuleSaved,
    SaveRoutingRuleInput,
    SaveRoutingRuleResult,
    UpdateAgencyCompetencesInput,
    UpdateAgencyCompetencesResult,
)
from service.api.workflow.mutations import _step
from service.api.workflow.types import NotFoundError, NotPermittedError, WorkflowResult
from service.directory import repository as directory
from service.errors import ValidationFailed
from service.i18n import translations
from service.routing import service as routing
from service.routing.errors import RuleNotFound
from service.text import whole_number
from service.workflow import service as workflow


def _not_permitted(info: Info) -> NotPermittedError:
    _ = translations(info.context.language).gettext
    return NotPermittedError(message=_("Only the secretariat may change routing."))


def _no_rule(info: Info) -> NotFoundError:
    _ = translations(info.context.language).gettext
    return NotFoundError(message=_("No such routing rule."))


def _rule_id(value: strawberry.ID | None) -> int | None:
    if value is None:
        return None
    text = str(value)
    rule_id = whole_number(text)
    if rule_id is None:
        raise RuleNotFound(text)
    return rule_id


def _keywords_text(keywords: list[str]) -> str:
    """The keywords as the rule table's text. A list of blank entries stays a list of blanks
    (refused, by position), not "" (no keyword condition: a rule for every submission)."""
    text = ";".join(keywords)
    return ";" if keywords and not text.strip() else text


@strawberry.type
class RoutingMutation:
    @strawberry.mutation(description="Secretariat: create a routing rule, or change one by id.")
    async def save_routing_rule(
        self, info: Info, input: SaveRoutingRuleInput
    ) -> SaveRoutingRuleResult:
        context = info.context
        if not context.actor.is_secretariat:
            return _not_permitted(info)
        values = {
            "kind": ";".join(input.kinds),
            "category": ";".join(input.categories),
            "province": input.province or "",
            "keywords_vi": _keywords_text(input.keywords_vi),
            "keywords_en": _keywords_text(input.keywords_en),
            "lead": input.lead.strip(),
            "cooperating": ";".join(input.cooperating),
            "weight": repr(input.weight),
            "active": "true" if input.active else "false",
            "note": input.note.strip(),
            "position": "" if input.position is None else str(input.position),
        }
        try:
            async with context.write() as session:
                rule = await routing.save_rule(
                    session, context.actor.label, values, context.language, _rule_id(input.id)
                )
        except RuleNotFound:
            return _no_rule(info)
        except ValidationFailed as failure:
            return ValidationErrors.from_domain(failure.errors)
        return RoutingRuleSaved(rule=RoutingRule(row=rule))

    @strawberry.mutation(description="Secretariat: delete a routing rule; its history stays.")
    async def delete_routing_rule(
        self, info: Info, input: DeleteRoutingRuleInput
    ) -> DeleteRoutingRuleResult:
        context = info.context
        if not context.actor.is_secretariat:
            return _not_permitted(info)
        try:
            rule_id = _rule_id(input.id)
            assert rule_id is not None
            async with context.write() as session:
                await routing.delete_rule(session, context.actor.label, rule_id)
        except RuleNotFound:
            return _no_rule(info)
        return RoutingRuleDeleted(id=input.id)

    @strawberry.mutation(
        description="Secretariat: the topic categories and keywords an agency is competent for."
    )
    async def update_agency_competences(
        self, info: Info, input: UpdateAgencyCompetencesInput
    ) -> UpdateAgencyCompetencesResult:
        context = info.context
        if not context.actor.is_secretariat:
            return _not_permitted(info)
        try:
            async with context.write() as session:
                agency = await routing.update_agency_competences(
                    session,
                    context.actor.label,
                    input.agency_code,
                    context.language,
                    categories=input.categories,
                    keywords_vi=input.keywords_vi,
                    keywords_en=input.keywords_en,
                )
                categories = sorted(
                    link.category_code
                    for link in await directory.list_agency_categories(session)
                    if link.agency_id == agency.id
                )
        except ValidationFailed as failure:
            return ValidationErrors.from_domain(failure.errors)
        return AgencyCompetencesUpdated(
            agency=Agency.of(agency, context.language), categories=categories
        )

    @strawberry.mutation(
        description="Lead agency: extend the response deadline once, with a reason."
    )
    async def extend_deadline(self, info: Info, input: ExtendDeadlineInput) -> WorkflowResult:
        context = info.context
        return await _step(
            info,
            input.id,
            lambda s, a, pk: workflow.extend_deadline(
                s, a, pk, input.days, input.reason, context.runtime.settings, context.language
            ),
        )
