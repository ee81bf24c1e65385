"""Business days for deadlines, counted in Vietnam's time zone, without weekends and holidays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Vietnam's public holidays that fall on working days (Labour Code 2019, article 112, and the
# Government's schedule for civil servants). Weekend holidays need no entry; a holiday on a
# Sunday moves to the Monday. The Government fixes each year's Tết break and the day next to
# National Day. Deadlines read the holidays table (service.holidays), which migration 0007
# seeds with these; the secretariat adds each later year at /admin/holidays once the Government
# has published it: later years only know weekends until then.
VIETNAM_HOLIDAY_NAMES: dict[date, str] = {
    date(2026, 1, 1): "Tết Dương lịch",  # New Year's Day (Thursday)
    # Tết Bính Ngọ: the break runs Sat 14 to Sun 22 February (Lunar New Year: Tue 17)
    date(2026, 2, 16): "Tết Nguyên đán",
    date(2026, 2, 17): "Tết Nguyên đán",
    date(2026, 2, 18): "Tết Nguyên đán",
    date(2026, 2, 19): "Tết Nguyên đán",
    date(2026, 2, 20): "Tết Nguyên đán",
    # Hùng Kings' day (10/3 lunar) is Sunday 26 April: off on Monday
    date(2026, 4, 27): "Giỗ Tổ Hùng Vương (nghỉ bù)",
    date(2026, 4, 30): "Ngày Chiến thắng",  # Reunification Day (Thursday)
    date(2026, 5, 1): "Ngày Quốc tế Lao động",  # International Labour Day (Friday)
    date(2026, 9, 1): "Quốc khánh",  # National Day: 2 September and the day before
    date(2026, 9, 2): "Quốc khánh",
}
VIETNAM_HOLIDAYS: frozenset[date] = frozenset(VIETNAM_HOLIDAY_NAMES)


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
