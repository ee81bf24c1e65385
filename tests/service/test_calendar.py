"""Business days in Vietnam's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.calendar import add_business_days


def test_weekends_are_skipped_and_the_deadline_is_the_end_of_the_local_day() -> None:
    friday_morning_hanoi = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    deadline = add_business_days(friday_morning_hanoi, 1)
    assert deadline == datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)  # Monday 23:59:59 +07


def test_a_utc_evening_is_already_the_next_day_in_vietnam() -> None:
    sunday_evening_utc = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # Monday 03:00 in Hà Nội
    assert add_business_days(sunday_evening_utc, 1) == datetime(
        2026, 11, 24, 16, 59, 59, tzinfo=UTC
    )


def test_fifteen_business_days_span_three_weekends_and_holidays_count_too() -> None:
    monday = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert add_business_days(monday, 15).date() == date(2026, 12, 14)
    holiday = frozenset({date(2026, 12, 2)})
    assert add_business_days(monday, 15, holiday).date() == date(2026, 12, 15)
