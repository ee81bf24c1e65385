"""An agency's deadline overrides: acknowledging never takes longer than responding, whether
the figures come from the secretariat's page, the API or the directory files."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.accounts.models import Role
from service.db import Database
from service.directory import service as directory
from service.directory.loader import InvalidDirectory, read_directory
from tests.fixtures.api import bearer
from tests.graphql_client import execute
from tests.service.directory.directory_files import copy_directory, edit_row
from tests.web.helpers import csrf_of, sign_in_secretariat
from tests.web.test_admin_agencies import _form


async def _deadlines(db: Database) -> tuple[int | None, int | None]:
    async with db.session() as session:
        agency = await directory.agency(session, "BKHCN")
    assert agency is not None
    return agency.acknowledge_days, agency.respond_days


async def test_the_page_refuses_more_days_to_acknowledge_than_to_respond(
    client: httpx.AsyncClient, db: Database
) -> None:
    before = await _deadlines(db)
    await sign_in_secretariat(client)
    page = await client.get("/admin/agencies/BKHCN")
    refused = await client.post(
        "/admin/agencies/BKHCN",
        data={
            **_form(acknowledgeDays="20", respondDays="10"),
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 422
    assert (
        '<a href="#acknowledgeDays">Số ngày làm việc để xác nhận tiếp nhận: Không được vượt quá'
        " số ngày làm việc để trả lời, 10: nội dung phải được xác nhận tiếp nhận trước khi được"
        " trả lời.</a>"
    ) in refused.text
    assert 'value="20"' in refused.text
    assert await _deadlines(db) == before

    await client.get("/lang/en")
    # Left empty, a figure is the default (INTAKE_RESPONSE_BUSINESS_DAYS=15 and
    # INTAKE_ACKNOWLEDGE_BUSINESS_DAYS=3): weighed like one typed.
    over_default = await client.post(
        "/admin/agencies/BKHCN",
        data={**_form(acknowledgeDays="16", respondDays=""), "csrf_token": csrf_of(page.text)},
    )
    assert over_default.status_code == 422
    assert (
        "Business days to acknowledge: Must not exceed the default business days to respond,"
        " 15: a submission is acknowledged before it is answered."
    ) in over_default.text
    under_default = await client.post(
        "/admin/agencies/BKHCN",
        data={**_form(acknowledgeDays="", respondDays="2"), "csrf_token": csrf_of(page.text)},
    )
    assert under_default.status_code == 422
    assert (
        "Business days to respond: Must not be less than the default business days to"
        " acknowledge, 3: a submission is acknowledged before it is answered."
    ) in under_default.text
    assert await _deadlines(db) == before

    equal = await client.post(
        "/admin/agencies/BKHCN",
        data={**_form(acknowledgeDays="10", respondDays="10"), "csrf_token": csrf_of(page.text)},
    )
    assert equal.status_code == 303
    assert await _deadlines(db) == (10, 10)


async def test_the_api_refuses_more_days_to_acknowledge_than_to_respond(
    client: httpx.AsyncClient, db: Database
) -> None:
    before = await _deadlines(db)
    secretariat = {**await bearer(db, Role.SECRETARIAT, None), "accept-language": "en"}
    update = {
        "agencyCode": "BKHCN",
        "nameVi": "Bộ Khoa học và Công nghệ",
        "nameEn": "Ministry of Science and Technology",
        "emails": ["vanphong@most.gov.vn"],
        "acknowledgeDays": 20,
        "respondDays": 10,
    }
    refused = await execute(client, "UpdateAgency", {"input": update}, headers=secretariat)
    assert refused["updateAgency"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {
                "field": "acknowledgeDays",
                "code": "exceeds_respond",
                "message": "Must not exceed the business days to respond, 10: a submission is"
                " acknowledged before it is answered.",
            }
        ],
    }
    by_default = await execute(
        client,
        "UpdateAgency",
        {"input": {**update, "acknowledgeDays": None, "respondDays": 2}},
        headers=secretariat,
    )
    assert by_default["updateAgency"]["errors"] == [
        {
            "field": "respondDays",
            "code": "below_acknowledge",
            "message": "Must not be less than the default business days to acknowledge, 3: a"
            " submission is acknowledged before it is answered.",
        }
    ]
    assert await _deadlines(db) == before
    saved = await execute(
        client,
        "UpdateAgency",
        {"input": {**update, "acknowledgeDays": 2, "respondDays": 10}},
        headers=secretariat,
    )
    assert saved["updateAgency"]["__typename"] == "AgencyUpdated"
    assert await _deadlines(db) == (2, 10)


def test_the_directory_files_refuse_more_days_to_acknowledge_than_to_respond(
    tmp_path: Path,
) -> None:
    files = copy_directory(tmp_path)
    line = edit_row(files, "agencies.csv", "BYT", acknowledge_days="20", respond_days="10")
    with pytest.raises(InvalidDirectory) as caught:
        read_directory(files)
    assert [str(e) for e in caught.value.errors] == [
        f"agencies.csv line {line}, field acknowledge_days: 20 days to acknowledge exceed the"
        " 10 days to respond: a submission is acknowledged before it is answered"
    ]
    edit_row(files, "agencies.csv", "BYT", acknowledge_days="10", respond_days="10")
    [byt] = [a for a in read_directory(files).agencies if a.code == "BYT"]
    assert (byt.acknowledge_days, byt.respond_days) == (10, 10)
