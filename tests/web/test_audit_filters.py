"""The audit log's filters: every problem at once, each named by its field's label."""

from __future__ import annotations

import re

import httpx

from tests.web.helpers import sign_in_secretariat


def _summary(page: str) -> list[str]:
    box = re.search(r'<div class="error-summary".*?<ul>(.*?)</ul>', page, re.S)
    assert box is not None
    return re.findall(r"<li>(.*?)</li>", box[1])


async def test_every_bad_filter_is_reported_and_named_by_its_label(
    client: httpx.AsyncClient,
) -> None:
    await sign_in_secretariat(client)
    await client.get("/lang/en")
    bad = await client.get(
        "/admin/audit", params={"from": "abc", "to": "xyz", "code": "zz", "action": "NOPE"}
    )
    assert bad.status_code == 422
    assert _summary(bad.text) == [
        '<a href="#action">Action: Choose an action from the list.</a>',
        '<a href="#code">Tracking code: No submission has this tracking code.</a>',
        '<a href="#from">From: Enter a date like 2026-03-31.</a>',
        '<a href="#to">To: Enter a date like 2026-03-31.</a>',
    ]
    # At each field too, and what was typed stays.
    for name in ("action", "code", "from", "to"):
        assert f'<p class="field-error" id="{name}-error">' in bad.text
    assert 'id="from" name="from" type="date" value="abc"' in bad.text
    assert 'id="to" name="to" type="date" value="xyz"' in bad.text
    assert 'id="code" name="code" type="text" maxlength="20" value="zz"' in bad.text


async def test_the_audit_filter_problems_are_named_in_vietnamese(
    client: httpx.AsyncClient,
) -> None:
    await sign_in_secretariat(client)
    bad = await client.get("/admin/audit", params={"to": "31/03/2026"})
    assert bad.status_code == 422
    assert _summary(bad.text) == ['<a href="#to">Đến: Nhập ngày theo dạng 2026-03-31.</a>']
    fine = await client.get("/admin/audit", params={"from": "2026-03-01", "to": "2026-03-31"})
    assert fine.status_code == 200
    assert 'class="error-summary"' not in fine.text
