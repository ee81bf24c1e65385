"""Holidays as the API shows them, and the secretariat's edits of them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from service.api.errors import ValidationErrors
from service.api.workflow.types import NotFoundError, NotPermittedError
from service.holidays.models import Holiday as HolidayRow
from service.holidays.models import HolidayChange as ChangeRow


@strawberry.type(description="A public holiday on a working day: deadlines skip it.")
class Holiday:
    row: strawberry.Private[HolidayRow]

    @strawberry.field
    def date(self) -> date:
        return self.row.day

    @strawberry.field
    def name(self) -> str:
        return self.row.name


@strawberry.type(description="One edit of the holidays: who, when, which day, what name.")
class HolidayChange:
    row: strawberry.Private[ChangeRow]

    @strawberry.field
    def date(self) -> date:
        return self.row.day

    @strawberry.field(description="added, renamed or removed.")
    def action(self) -> str:
        return self.row.action

    @strawberry.field
    def actor(self) -> str:
        return self.row.actor

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field
    def old_name(self) -> str | None:
        return self.row.old_name

    @strawberry.field
    def new_name(self) -> str | None:
        return self.row.new_name


@strawberry.input
class SaveHolidayInput:
    date: date = strawberry.field(description="The day; an existing holiday is renamed.")
    name: str


@strawberry.input
class DeleteHolidayInput:
    date: date


@strawberry.type(description="The holiday as saved.")
class HolidaySaved:
    holiday: Holiday


@strawberry.type(description="The holiday is gone; deadlines count that day again.")
class HolidayDeleted:
    date: date


SaveHolidayResult = Annotated[
    HolidaySaved | ValidationErrors | NotPermittedError, strawberry.union("SaveHolidayResult")
]
DeleteHolidayResult = Annotated[
    HolidayDeleted | NotFoundError | NotPermittedError, strawberry.union("DeleteHolidayResult")
]
