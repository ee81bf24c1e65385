"""A holiday on a Saturday or a Sunday changes no deadline: refused under "Date", naming the
weekday, on the page and through the API; nothing is stored."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from service.accounts.models import Role
from service.db import Database
from service.errors import ValidationFailed
from service.holidays import service as holidays
from tests.fixtures.api import bearer
from tests.graphql_client import execute
from tests.web.helpers import csrf_of, sign_in_secretariat

SATURDAY, SUNDAY, MONDAY = date(2027, 1, 2), date(2027, 1, 3), date(2027, 1, 4)


async def test_the_page_refuses_a_weekend_day_naming_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    page = await client.get("/admin/holidays", params={"year": "2027"})
    refused = await client.post(
        "/admin/holidays",
        data={"date": "2027-01-02", "name": "Nghỉ Tết", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 422
    assert (
        '<a href="#date">Ngày: Ngày 02/01/2027 là Thứ Bảy: thời hạn vốn đã bỏ qua cuối tuần.'
        " Chỉ thêm những ngày nghỉ lễ rơi vào ngày làm việc.</a>"
    ) in refused.text
    assert 'value="2027-01-02"' in refused.text
    assert 'value="Nghỉ Tết"' in refused.text
    await client.get("/lang/en")
    english = await client.post(
        "/admin/holidays",
        data={"date": "2027-01-03", "name": "", "csrf_token": csrf_of(page.text)},
    )
    assert english.status_code == 422
    assert (
        "Date: 3 Jan 2027 is a Sunday: deadlines skip weekends already. Add only holidays that"
        " fall on working days."
    ) in english.text
    assert "Name: This field is required." in english.text
    async with db.session() as session:
        assert await holidays.holidays_in(session, 2027) == []
    monday = await client.post(
        "/admin/holidays",
        data={"date": "2027-01-04", "name": "Nghỉ bù", "csrf_token": csrf_of(page.text)},
    )
    assert monday.status_code == 303
    async with db.session() as session:
        assert [h.day for h in await holidays.holidays_in(session, 2027)] == [MONDAY]


async def test_the_api_and_the_service_refuse_a_weekend_day(
    client: httpx.AsyncClient, db: Database
) -> None:
    secretariat = {**await bearer(db, Role.SECRETARIAT, None), "accept-language": "en"}
    saved = await execute(
        client,
        "SaveHoliday",
        {"input": {"date": SATURDAY.isoformat(), "name": "Tết"}},
        headers=secretariat,
    )
    assert saved["saveHoliday"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {
                "field": "date",
                "code": "weekend",
                "message": "2 Jan 2027 is a Saturday: deadlines skip weekends already. Add only"
                " holidays that fall on working days.",
            }
        ],
    }
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await holidays.save_holiday(session, "user:1", SUNDAY, "Tết", "vi")
    assert [(e.field, e.code, e.message) for e in refused.value.errors] == [
        (
            "date",
            "weekend",
            "Ngày 03/01/2027 là Chủ Nhật: thời hạn vốn đã bỏ qua cuối tuần. Chỉ thêm những ngày"
            " nghỉ lễ rơi vào ngày làm việc.",
        )
    ]
    async with db.session() as session:
        assert await holidays.holidays_in(session, 2027) == []
        assert await holidays.changes_in(session, 2027) == []
