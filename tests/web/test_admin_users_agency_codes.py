"""The admin users page names an agency code that is not in the directory, as the command line
does: the form keeps what was typed and stores nothing."""

from __future__ import annotations

import httpx

from service.accounts import repository as accounts
from service.db import Database
from tests.web.helpers import sign_in_secretariat
from tests.web_client import post_form


async def test_an_unknown_agency_code_is_named(client: httpx.AsyncClient, db: Database) -> None:
    await sign_in_secretariat(client)
    refused = await post_form(
        client,
        "/admin/users",
        {"email": "binh@most.gov.vn", "name": "Bình", "role": "REVIEWER", "agency": "nope",
         "password": ""},
        page="/admin/users",
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Cơ quan: Không có mã cơ quan &#34;NOPE&#34;." in refused.text
    assert 'value="binh@most.gov.vn"' in refused.text
    async with db.session() as session:
        assert await accounts.get_by_email(session, "binh@most.gov.vn") is None
