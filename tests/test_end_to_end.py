"""One submission's whole path: form, route, index, email, tracking page; on both databases."""

from __future__ import annotations

import httpx

from service.settings import Settings
from tests.factories import form_data
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.web_client import post_form


async def test_from_form_to_routed_indexed_emailed_and_tracked(
    client: httpx.AsyncClient, settings: Settings, mailbox: SmtpSink
) -> None:
    response = await post_form(client, "/submit", form_data(provinceCode="HO-CHI-MINH"))
    code = response.headers["location"].removeprefix("/track/").split("?")[0]

    await run_worker(settings)

    page = await client.get(f"/track/{code}")
    assert '<strong id="status">Đã chuyển đến cơ quan chủ trì</strong>' in page.text
    assert '<dd id="agency">Ủy ban nhân dân Thành phố Hồ Chí Minh</dd>' in page.text
    assert 'id="deadline">' in page.text
    assert "Được xác định khi phân công" not in page.text
    timeline = page.text[page.text.index('id="timeline"') :]
    assert timeline.index("Đã gửi") < timeline.index("Ủy ban nhân dân Thành phố Hồ Chí Minh")

    found = await execute(client, "Search", {"query": "cap phep thu nghiem", "first": 5})
    assert [hit["trackingCode"] for hit in found["search"]["hits"]] == [code]

    mail = {m.recipients[0]: m.message for m in mailbox.messages}
    assert sorted(mail) == ["duc@example.com", "reviewer.ubnd-ho-chi-minh@intake.localhost"]
    assert code in mail["duc@example.com"]["Subject"]
    body = mail["reviewer.ubnd-ho-chi-minh@intake.localhost"].get_body(("plain",))
    assert body is not None
    assert f"Mã tra cứu: {code}" in body.get_content()
    assert "Hạn trả lời:" in body.get_content()
