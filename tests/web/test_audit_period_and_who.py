"""The audit log refuses a period whose From comes after its To, and its "Who" filter takes the
email the rows show as well as user:N."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from service.accounts.models import User
from service.db import Database
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.web.helpers import sign_in_reviewer, sign_in_secretariat

REVIEWER = "reviewer.bkhcn@intake.localhost"


def _summary(page: str) -> list[str]:
    box = re.search(r'<div class="error-summary".*?<ul>(.*?)</ul>', page, re.S)
    assert box is not None
    return re.findall(r"<li>(.*?)</li>", box[1])


def _who(page: str) -> list[str]:
    table = re.search(r'<table class="table" id="audit-log">(.*?)</table>', page, re.S)
    assert table is not None
    return re.findall(r'<td title="[^"]*">([^<]*)</td>', table[1])


async def test_from_after_to_is_reported_under_from(client: httpx.AsyncClient) -> None:
    await sign_in_secretariat(client)
    reversed_period = {"from": "2026-12-08", "to": "2026-12-01"}
    refused = await client.get("/admin/audit", params=reversed_period)
    assert refused.status_code == 422
    assert _summary(refused.text) == [
        '<a href="#from">Từ: Ngày đầu của khoảng thời gian không được sau ngày cuối,'
        " 2026-12-01.</a>"
    ]
    assert '<p class="field-error" id="from-error">' in refused.text
    await client.get("/lang/en")
    refused = await client.get("/admin/audit", params=reversed_period)
    assert _summary(refused.text) == [
        '<a href="#from">From: The first day of the period must not come after its last day,'
        " 2026-12-01.</a>"
    ]
    # A day that is no day is reported as such, not compared.
    both = await client.get("/admin/audit", params={"from": "2026-12-08", "to": "xyz"})
    assert _summary(both.text) == ['<a href="#to">To: Enter a date like 2026-03-31.</a>']
    one_day = await client.get("/admin/audit", params={"from": "2026-12-01", "to": "2026-12-01"})
    assert one_day.status_code == 200


async def test_who_takes_the_email_the_rows_show(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings)
    await sign_in_reviewer(client)
    assert (await client.get(f"/inbox/{proposal.id}")).status_code == 200  # VIEW_CONTACT
    async with db.session() as session:
        user = (await session.exec(select(User).where(User.email == REVIEWER))).one()
    client.cookies.clear()
    await sign_in_secretariat(client)
    by_label = await client.get("/admin/audit", params={"actor": f"user:{user.id}"})
    assert _who(by_label.text) == [REVIEWER]
    for typed in (REVIEWER, f" {REVIEWER.upper()} "):
        by_email = await client.get("/admin/audit", params={"actor": typed})
        assert by_email.status_code == 200, typed
        assert _who(by_email.text) == [REVIEWER], typed
        assert f'value="{typed.strip()}"' in by_email.text

    unknown = await client.get("/admin/audit", params={"actor": "nobody@intake.localhost"})
    assert unknown.status_code == 422
    assert _summary(unknown.text) == [
        '<a href="#actor">Người thực hiện (email, user:3 hoặc token:5): Không có tài khoản nào'
        " dùng email này.</a>"
    ]
    assert (
        'id="actor" name="actor" type="text" maxlength="100" value="nobody@intake.localhost"'
        in (unknown.text)
    )
    await client.get("/lang/en")
    unknown = await client.get("/admin/audit", params={"actor": "nobody@intake.localhost"})
    assert _summary(unknown.text) == [
        '<a href="#actor">Who (an email, user:3 or token:5): No account has this email.</a>'
    ]
