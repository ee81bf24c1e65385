"""Public statistics, overall or for one agency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError

from service.api.context import Info
from service.api.directory.types import Agency
from service.directory import repository as directory
from service.errors import FieldError, ValidationFailed
from service.i18n import translations
from service.statistics import service


@strawberry.type(description="Figures over submissions received in the period.")
class Stats:
    agency: Agency | None
    first_day: date = strawberry.field(description="The period's first day, in Vietnam.")
    last_day: date = strawberry.field(description="The period's last day, in Vietnam, included.")
    period_from: datetime = strawberry.field(
        description="The period's first instant: midnight in Vietnam starting `firstDay`."
    )
    period_to: datetime = strawberry.field(
        description="The instant the period ends, excluded: midnight in Vietnam after `lastDay`."
    )
    received: int
    resolved: int
    responded_on_time: int = strawberry.field(
        description="Resolved submissions whose answer, the one that resolved them, came by the "
        "deadline in force when it was given; for an agency, those it leads."
    )
    merged: int
    resolution_rate: float | None
    on_time_rate: float | None
    median_days_to_respond: float | None = strawberry.field(
        description="Days from receipt to the first answer; for an agency, to its own first "
        "answer, also on a submission it has since passed on."
    )
    satisfaction: float | None = strawberry.field(
        description="Mean rating from 1 to 5; for an agency, of the answers it gave."
    )
    ratings: int
    passed_on: int = strawberry.field(
        description="Submissions of the period the agency led and then transferred to another "
        "agency or declined; the agency leading one now counts it in `received`. Overall: "
        "submissions passed on at least once."
    )
    awaiting_assignment: int = strawberry.field(
        description="Overall only (0 for an agency): submissions of the period no agency leads, "
        "waiting for the secretariat to choose one (not yet routed, or in triage)."
    )
    merged_before_assignment: int = strawberry.field(
        description="Overall only: merged into another submission before any agency led them."
    )
    ended_before_assignment: int = strawberry.field(
        description="Overall only: rejected, or withdrawn by the submitter, before any agency "
        "led them. The agencies' `received` and these three add up to the overall `received`."
    )


def _refused(failure: ValidationFailed) -> GraphQLError:
    """The arguments' problems, each naming its argument, in the caller's language."""
    return GraphQLError(
        " ".join(f"{e.field}: {e.message}" for e in failure.errors),
        extensions={"errors": [{"field": e.field, "code": e.code} for e in failure.errors]},
    )


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Public figures over the submissions received from the day `from` to the "
        "day `to`, both included, counted in Vietnam's calendar as the /statistics page counts "
        'them: give days (`"2026-12-03"`) or their midnight in Vietnam, not a time within a day. '
        "`to` defaults to today, `from` to 364 days before `to` (365 days in all); days "
        f"run from {service.FIRST_DAY} to {service.LAST_DAY} and `from` may not come after "
        "`to`. `agency` is an agency code (also of an agency since deactivated; an unknown "
        "code is refused), null for all agencies."
    )
    async def stats(
        self,
        info: Info,
        agency: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> Stats | None:
        language = info.context.language
        problems: list[FieldError] = []
        period: service.Period | None = None
        try:
            period = service.period_from_midnights(from_, to, service.today(), language)
        except ValidationFailed as failure:
            problems = failure.errors
        async with info.context.runtime.db.replica_session() as session:
            # Any agency of the directory, also one deactivated since: its figures are history.
            row = await directory.get_agency_by_code(session, agency) if agency else None
            if agency and row is None:
                message = translations(language).gettext('Unknown agency code "%(value)s".')
                problems = [FieldError("agency", "unknown", message % {"value": agency}), *problems]
            if problems or period is None:
                raise _refused(ValidationFailed(problems)) from None
            start, end = period.bounds
            figures = await service.figures(session, row.id if row else None, start, end)
        return Stats(
            agency=Agency.of(row, info.context.language) if row else None,
            first_day=period.start,
            last_day=period.end,
            period_from=start,
            period_to=end,
            received=figures.received,
            resolved=figures.resolved,
            responded_on_time=figures.responded_on_time,
            merged=figures.merged,
            resolution_rate=figures.resolution_rate,
            on_time_rate=figures.on_time_rate,
            median_days_to_respond=figures.median_days_to_respond,
            satisfaction=figures.satisfaction,
            ratings=figures.ratings,
            passed_on=figures.passed_on,
            awaiting_assignment=figures.unassigned.awaiting,
            merged_before_assignment=figures.unassigned.merged,
            ended_before_assignment=figures.unassigned.ended,
        )
