"""The rules list and a rule's history show keyword lists the way the form takes them: joined
with "; ", so what is read can be typed back, and one keyword holding a comma stays visibly one."""

from __future__ import annotations

import re

import httpx

from service.db import Database
from service.routing import repository as routing
from tests.web.helpers import csrf_of, sign_in_secretariat

RULE = {
    "position": "",
    "kinds": "",
    "categories": "",
    "province": "",
    "keywordsVi": "",
    "keywordsEn": "",
    "lead": "BKHCN",
    "cooperating": "",
    "weight": "2",
    "active": "true",
    "note": "",
}


async def _create(client: httpx.AsyncClient, **fields: str) -> int:
    form = await client.get("/admin/rules/new")
    created = await client.post(
        "/admin/rules", data={**RULE, **fields, "csrf_token": csrf_of(form.text)}
    )
    assert created.status_code == 303
    location = re.fullmatch(r"/admin/rules/(\d+)\?saved=1", created.headers["location"])
    assert location is not None
    return int(location[1])


def _conditions(page: str, rule_id: int) -> str:
    match = re.search(
        rf'<a href="/admin/rules/{rule_id}">\d+</a></td>\s*<td>(.*?)</td>', page, re.S
    )
    assert match is not None
    return " ".join(match[1].split())


async def test_keyword_lists_are_shown_as_they_are_typed(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    two = await _create(client, keywordsVi="vệ tinh; không gian", keywordsEn="satellite; space")
    one = await _create(client, keywordsVi="vệ tinh, không gian")

    listing = (await client.get("/admin/rules")).text
    assert _conditions(listing, two) == (
        "Từ khóa tiếng Việt: vệ tinh; không gian<br>Từ khóa tiếng Anh: satellite; space"
    )
    assert _conditions(listing, one) == "Từ khóa tiếng Việt: vệ tinh, không gian"

    history = (await client.get(f"/admin/rules/{two}")).text
    assert "<li>Từ khóa tiếng Việt: — → vệ tinh; không gian</li>" in history
    assert "<li>Từ khóa tiếng Anh: — → satellite; space</li>" in history
    history = (await client.get(f"/admin/rules/{one}")).text
    assert "<li>Từ khóa tiếng Việt: — → vệ tinh, không gian</li>" in history

    # What the list shows, typed back into the form, is the same rule.
    page = await client.get(f"/admin/rules/{two}")
    saved = await client.post(
        f"/admin/rules/{two}",
        data={
            **RULE,
            "keywordsVi": "vệ tinh; không gian",
            "keywordsEn": "satellite; space",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert saved.status_code == 303
    async with db.session() as session:
        rule = await routing.get_rule(session, two)
    assert rule is not None
    assert (rule.keywords_vi, rule.keywords_en) == (
        ["vệ tinh", "không gian"],
        ["satellite", "space"],
    )
