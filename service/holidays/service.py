"""The holidays table: what deadlines skip, edited by the secretariat with history."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from sqlmodel.ext.asyncio.session import AsyncSession

from service.calendar import ZONE
from service.db import utcnow
from service.errors import FieldError, ValidationFailed
from service.holidays import repository
from service.holidays.errors import HolidayNotFound
from service.holidays.models import Holiday, HolidayChange
from service.i18n import Language, format_day, translations
from service.text import has_control_characters, normalize

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_NAME_LENGTH = 200
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")  # as Vietnamese pages write


async def holiday_dates(session: AsyncSession) -> frozenset[date]:
    """Every holiday in the table, as the business-day calendar reads them."""
    return frozenset(await repository.all_days(session))


async def holidays_in(session: AsyncSession, year: int) -> list[Holiday]:
    return list(await repository.in_range(session, date(year, 1, 1), date(year, 12, 31)))


def this_year() -> int:
    """The year today is in Vietnam, whose calendar the deadlines count in."""
    return utcnow().astimezone(ZONE).year


async def years_without_holidays(session: AsyncSession) -> list[int]:
    """This year and the coming one, those that have no holiday listed: deadlines running into
    them count every weekday as a business day. Their dates are published each year (Tết's
    by the lunar calendar), so the secretariat adds them; none are guessed here."""
    first = this_year()
    listed = {
        h.day.year
        for h in await repository.in_range(session, date(first, 1, 1), date(first + 1, 12, 31))
    }
    return [year for year in (first, first + 1) if year not in listed]


async def changes_in(session: AsyncSession, year: int) -> list[HolidayChange]:
    """The edits of a year's holidays, newest first."""
    return list(await repository.changes_in_range(session, date(year, 1, 1), date(year, 12, 31)))


def parse_day(text: str, language: Language, field: str = "date") -> date:
    """A date written YYYY-MM-DD, or in Vietnamese also DD/MM/YYYY as Vietnamese pages show
    dates, within the years the calendar serves. English pages show "30 Apr 2027", and 04/05
    reads either way there, so they take only YYYY-MM-DD."""
    _ = translations(language).gettext
    text = text.strip()
    written = _DAY_MONTH_YEAR.fullmatch(text) if language == "vi" else None
    try:
        if written:
            day = date(int(written[3]), int(written[2]), int(written[1]))
        else:
            day = date.fromisoformat(text)
    except ValueError:
        if language == "vi":
            message = _("Write the date as DD/MM/YYYY or YYYY-MM-DD, e.g. 01/01/2027.")
        else:
            message = _("Write the date as YYYY-MM-DD, e.g. 2027-01-01.")
        raise ValidationFailed([FieldError(field, "invalid", message)]) from None
    return checked_day(day, language, field)


def checked_day(day: date, language: Language, field: str = "date") -> date:
    """A working day within the years the calendar serves: deadlines skip weekends already, so
    a holiday on a Saturday or a Sunday would change nothing (when its day off moves to a
    working day, that day is the one to add)."""
    _ = translations(language).gettext
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        message = _("Choose a date from %(first)s to %(last)s.") % {
            "first": MIN_YEAR,
            "last": MAX_YEAR,
        }
        raise ValidationFailed([FieldError(field, "out_of_range", message)])
    if day.weekday() >= 5:
        message = _(
            "%(date)s is a %(weekday)s: deadlines skip weekends already. Add only holidays that "
            "fall on working days."
        ) % {
            "date": format_day(day, language),
            "weekday": format_date(day, "EEEE", locale=language),
        }
        raise ValidationFailed([FieldError(field, "weekend", message)])
    return day


def checked_name(name: str, language: Language) -> str:
    """A holiday's name, normalised; raises ValidationFailed naming the field."""
    _ = translations(language).gettext
    name = normalize(name).strip()
    if not name:
        raise ValidationFailed([FieldError("name", "required", _("This field is required."))])
    if len(name) > MAX_NAME_LENGTH or has_control_characters(name, multiline=False):
        message = _("Use at most %(max)s characters, without control characters.") % {
            "max": MAX_NAME_LENGTH
        }
        raise ValidationFailed([FieldError("name", "invalid", message)])
    return name


async def save_holiday(
    session: AsyncSession, actor: str, day: date, name: str, language: Language
) -> Holiday:
    """Add a holiday, or rename the one on that day; raises ValidationFailed naming each field."""
    problems: list[FieldError] = []
    try:
        checked_day(day, language)
    except ValidationFailed as failure:
        problems += failure.errors
    try:
        name = checked_name(name, language)
    except ValidationFailed as failure:
        problems += failure.errors
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    # Locked, so that two saves of one day at once take turns, each renaming what the other
    # left. A day with no row has nothing to lock: when two add it at once, the second finds
    # the first's row on inserting, and renames it as it would have a moment later.
    holiday = await repository.get(session, day, for_update=True)
    while holiday is None:
        added = Holiday(day=day, name=name, updated_by=actor, updated_at=now)
        if await repository.add_new(session, added):
            change = HolidayChange(day=day, action="added", actor=actor, at=now, new_name=name)
            repository.add(session, change)
            await session.flush()
            return added
        holiday, now = await repository.get(session, day, for_update=True), utcnow()
    if holiday.name != name:
        change = HolidayChange(
            day=day, action="renamed", actor=actor, at=now, old_name=holiday.name, new_name=name
        )
        holiday.name, holiday.updated_by, holiday.updated_at = name, actor, now
        repository.add(session, change)
    await session.flush()
    return holiday


async def delete_holiday(session: AsyncSession, actor: str, day: date) -> None:
    """Remove a holiday, keeping a record of it; raises HolidayNotFound."""
    holiday = await repository.get(session, day, for_update=True)
    if holiday is None:
        raise HolidayNotFound(day.isoformat())
    repository.add(
        session, HolidayChange(day=day, action="removed", actor=actor, old_name=holiday.name)
    )
    await repository.remove(session, holiday)
    await session.flush()
