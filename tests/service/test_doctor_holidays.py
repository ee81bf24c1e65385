"""`intake doctor` warns, without failing, while the coming year has no holidays listed."""

from __future__ import annotations

from service.db import Database
from service.doctor import report, run_checks
from service.holidays import service as holidays
from service.settings import Settings
from tests.fixtures.smtp import SmtpSink
from tests.web.test_admin_holidays_coming_year import a_weekday_of, listed_this_year


async def test_a_coming_year_without_holidays_is_a_warning_not_a_failure(
    settings: Settings, db: Database, mailbox: SmtpSink
) -> None:
    coming = await listed_this_year(db)
    checks = await run_checks(settings)
    [check] = [c for c in checks if c.name == "holidays"]
    assert (check.ok, check.warning) == (True, True)
    lines = report(checks).splitlines()
    at = lines.index(
        f"WARN holidays: none listed for {coming}: deadlines running into {coming} count every "
        "weekday as a business day"
    )
    assert lines[at + 1] == (
        f"     fix: add {coming}'s public holidays at /admin/holidays?year={coming} (or with "
        "saveHoliday) once the Government publishes them"
    )
    assert lines[-1] == "All checks passed, 1 with a warning."

    async with db.transaction() as session:
        await holidays.save_holiday(session, "test", a_weekday_of(coming), "Tết Dương lịch", "vi")
    checks = await run_checks(settings)
    [check] = [c for c in checks if c.name == "holidays"]
    assert (check.ok, check.warning, check.detail) == (
        True,
        False,
        f"listed for {coming - 1} and {coming}",
    )
    assert f"ok   holidays: listed for {coming - 1} and {coming}" in report(checks).splitlines()
    assert report(checks).endswith("All checks passed.")
