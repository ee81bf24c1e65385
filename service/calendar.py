"""Business days for response deadlines, counted in Vietnam's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def add_business_days(
    start: datetime, days: int, holidays: frozenset[date] = frozenset()
) -> datetime:
    """The end (23:59:59 local) of the business day `days` business days after `start`."""
    day = start.astimezone(ZONE).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            remaining -= 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZONE).astimezone(UTC)
