"""Public statistics, overall or for one agency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry

from service.api.context import Info
from service.api.directory.types import Agency
from service.directory import repository as directory
from service.statistics import service


@strawberry.type(description="Figures over submissions received in the period.")
class Stats:
    agency: Agency | None
    period_from: datetime
    period_to: datetime
    received: int
    resolved: int
    responded_on_time: int
    merged: int
    resolution_rate: float | None
    on_time_rate: float | None
    median_days_to_respond: float | None
    satisfaction: float | None = strawberry.field(description="Mean rating from 1 to 5.")
    ratings: int
    passed_on: int = strawberry.field(
        description="Submissions of the period the agency led and then transferred to another "
        "agency or declined; the agency leading one now counts it in `received`. Overall: "
        "submissions passed on at least once."
    )


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Public figures; `agency` is an agency code, null for all agencies. The "
        "period defaults to the last 365 days."
    )
    async def stats(
        self,
        info: Info,
        agency: str | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
    ) -> Stats | None:
        end = to or datetime.now(UTC)
        start = from_ or end - timedelta(days=365)
        async with info.context.runtime.db.replica_session() as session:
            row = await directory.get_agency_by_code(session, agency) if agency else None
            if agency and row is None:
                return None
            figures = await service.figures(session, row.id if row else None, start, end)
        return Stats(
            agency=Agency.of(row, info.context.language) if row else None,
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
        )
