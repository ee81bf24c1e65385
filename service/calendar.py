"""Business days for deadlines, counted in Vietnam's time zone, without weekends and holidays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Vietnam's public holidays that fall on working days (Labour Code 2019, article 112, and the
# Government's schedule for civil servants). Weekend holidays need no entry; a holiday on a
# Sunday moves to the Monday. The Government fixes each year's Tết break and the day next to
# National Day; INTAKE_HOLIDAYS replaces this list. Add each year once the Government has
# published it: later years only know weekends until then.
VIETNAM_HOLIDAYS: frozenset[date] = frozenset(
    {
        # 2026
        date(2026, 1, 1),  # New Year's Day (Thursday)
        date(2026, 2, 16),  # Tết Bính Ngọ: the break runs Sat 14 to Sun 22 February
        date(2026, 2, 17),  # (Lunar New Year's Day is Tuesday 17 February)
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2026, 4, 27),  # Hùng Kings' day (10/3 lunar) is Sunday 26 April: off on Monday
        date(2026, 4, 30),  # Reunification Day (Thursday)
        date(2026, 5, 1),  # International Labour Day (Friday)
        date(2026, 9, 1),  # National Day: 2 September and the day before
        date(2026, 9, 2),
    }
)


def is_business_day(day: date, holidays: Iterable[date] = VIETNAM_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(
    start: datetime, days: int, holidays: frozenset[date] = VIETNAM_HOLIDAYS
) -> datetime:
    """The end (23:59:59 local) of the business day `days` business days after `start`."""
    day = start.astimezone(ZONE).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZONE).astimezone(UTC)


def business_days_between(
    start: datetime, end: datetime, holidays: frozenset[date] = VIETNAM_HOLIDAYS
) -> int:
    """Business days after `start`'s local day up to and including `end`'s: a pause from a
    Friday to the next Tuesday is 2 (Monday and Tuesday)."""
    first, last = start.astimezone(ZONE).date(), end.astimezone(ZONE).date()
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            count += 1
    return count
