"""The holidays page warns while this year or the coming one (in Vietnam) has no holidays
listed, since deadlines running into it count every weekday as a business day."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from service.db import Database
from service.holidays import service as holidays
from tests.web.helpers import csrf_of, sign_in_secretariat


def a_weekday_of(year: int) -> date:
    """The first Monday to Friday of the year: a day the holidays table takes."""
    day = date(year, 1, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def listed_this_year(db: Database) -> int:
    """The coming year, with this year's holidays listed (2026's are seeded): only the coming
    year can be missing then."""
    year = holidays.this_year()
    async with db.transaction() as session:
        if not await holidays.holidays_in(session, year):
            await holidays.save_holiday(session, "test", a_weekday_of(year), "Tết Dương lịch", "vi")
    return year + 1


async def test_the_page_warns_until_the_coming_year_has_holidays(
    client: httpx.AsyncClient, db: Database
) -> None:
    coming = await listed_this_year(db)
    await sign_in_secretariat(client)
    warning = (
        f'<div class="notice" role="status" id="unlisted-{coming}"><strong>Lưu ý:</strong> '
        f"Chưa có ngày nghỉ lễ nào của năm {coming}: thời hạn kéo sang năm {coming} sẽ tính mọi "
        "ngày từ thứ Hai đến thứ Sáu là ngày làm việc, kể cả Tết Dương lịch và Tết Nguyên đán. "
        f'<a href="/admin/holidays?year={coming}#date">Thêm các ngày nghỉ lễ năm {coming} khi '
        "Chính phủ đã công bố.</a></div>"
    )
    page = await client.get("/admin/holidays")
    assert warning in page.text
    assert 'id="unlisted-' + str(coming - 1) not in page.text
    # Shown whichever year is open, the coming one's page included.
    assert warning in (await client.get("/admin/holidays", params={"year": coming})).text

    await client.get("/lang/en")
    english = await client.get("/admin/holidays")
    assert (
        f"<strong>Warning:</strong> No holidays are listed for {coming}: deadlines running into "
        f"{coming} count every weekday as a business day, New Year's Day and Tết included. "
        f'<a href="/admin/holidays?year={coming}#date">Add the holidays of {coming} once the '
        "Government has published them.</a></div>"
    ) in english.text

    added = await client.post(
        "/admin/holidays",
        data={
            "date": a_weekday_of(coming).isoformat(),
            "name": "Tết Dương lịch",
            "csrf_token": csrf_of(english.text),
        },
    )
    assert added.status_code == 303
    after = await client.get(added.headers["location"])
    assert "<td>Tết Dương lịch</td>" in after.text
    assert 'id="unlisted-' not in after.text
