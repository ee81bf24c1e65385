"""Business days in Vietnam's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.calendar import add_business_days, business_days_between


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


def test_vietnams_2026_holidays_are_the_default() -> None:
    friday_before_tet = datetime(2026, 2, 13, 3, 0, tzinfo=UTC)
    assert add_business_days(friday_before_tet, 1).date() == date(2026, 2, 23)  # after Tết
    before_hung_kings = datetime(2026, 4, 24, 3, 0, tzinfo=UTC)  # Friday
    assert add_business_days(before_hung_kings, 1).date() == date(2026, 4, 28)  # not Mon 27
    before_reunification = datetime(2026, 4, 29, 3, 0, tzinfo=UTC)  # Wednesday
    assert add_business_days(before_reunification, 1).date() == date(2026, 5, 4)
    before_national_day = datetime(2026, 8, 31, 3, 0, tzinfo=UTC)  # Monday
    assert add_business_days(before_national_day, 1).date() == date(2026, 9, 3)
    assert add_business_days(datetime(2025, 12, 31, 3, 0, tzinfo=UTC), 1).date() == date(2026, 1, 2)
    assert add_business_days(friday_before_tet, 1, frozenset()).date() == date(2026, 2, 16)


def test_business_days_between_counts_after_the_first_day_up_to_the_last() -> None:
    friday = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    tuesday = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert business_days_between(friday, tuesday) == 2
    assert business_days_between(friday, friday) == 0
    assert (
        business_days_between(
            datetime(2026, 2, 13, 3, tzinfo=UTC), tuesday.replace(month=2, day=24)
        )
        == 2
    )
