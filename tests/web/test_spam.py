"""Spam defence on /submit (honeypot, minimum fill time) and body size limits on pages and forms."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlmodel import func, select

from service.app import create_app
from service.db import Database
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import form_data
from tests.web_client import csrf_token, post_form
from web.spam import form_started

_STAMP = re.compile(r'name="formStarted" value="([^"]+)"')


@asynccontextmanager
async def serving(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update=overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            yield http


async def _proposal_count(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Proposal))).one()
    await db.dispose()
    return count


async def test_form_carries_an_offscreen_honeypot_and_a_signed_start_stamp(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/submit")
    assert (
        '<div class="honeypot" aria-hidden="true">\n'
        '    <label for="website">Để trống trường này</label>\n'
        '    <input id="website" name="website" type="text" value="" tabindex="-1"'
        ' autocomplete="off">\n  </div>'
    ) in page.text
    stamp = _STAMP.search(page.text)
    assert stamp is not None
    assert re.fullmatch(r"\d+\.\d{3}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", stamp[1])


async def test_a_filled_honeypot_is_refused_naming_it_and_keeping_the_input(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await post_form(client, "/submit", form_data(website="http://spam.example"))
    assert page.status_code == 422
    assert (
        '<a href="#website">Để trống trường này: Trường này phải để trống. '
        "Hãy xoá nội dung trong đó và gửi lại.</a>"
    ) in page.text
    assert 'value="Thủ tục cấp phép thử nghiệm công nghệ mới kéo dài"' in page.text
    assert await _proposal_count(settings) == 0


async def test_a_form_sent_sooner_than_the_minimum_is_refused(settings: Settings) -> None:
    async with serving(settings, spam_min_fill_seconds=600) as client:
        client.cookies.set("intake_lang", "en")
        page = await client.get("/submit")
        stamp = _STAMP.search(page.text)
        assert stamp is not None
        token = await csrf_token(client)
        data = {**form_data(), "csrf_token": token, "formStarted": stamp[1]}
        refused = await client.post("/submit", data=data)
        assert refused.status_code == 422
        # A message about the whole form, not a link to the hidden input that carries the stamp.
        assert (
            '<p id="form-error">The form was sent too soon after it was opened, as automated'
            " senders do. Check what you wrote and send it again.</p>"
        ) in refused.text
        assert 'href="#formStarted"' not in refused.text
        assert "<title>Error: Send a submission · Intake</title>" in refused.text
        assert 'value="duc@example.com"' in refused.text
        # The stamp shown again is the one the form was opened with: the clock keeps running.
        assert f'name="formStarted" value="{stamp[1]}"' in refused.text
        assert await _proposal_count(settings) == 0


async def test_a_missing_or_forged_start_stamp_counts_as_too_soon(settings: Settings) -> None:
    async with serving(settings, spam_min_fill_seconds=5) as client:
        token = await csrf_token(client)
        forged = f"{time.time() - 3600:.3f}.AAAAAA.forged"
        for extra in ({}, {"formStarted": forged}, {"formStarted": "not a stamp"}):
            response = await client.post(
                "/submit", data={**form_data(), "csrf_token": token, **extra}
            )
            assert response.status_code == 422
            assert '<p id="form-error">Biểu mẫu được gửi quá sớm' in response.text
            # A forged stamp is never passed back: the page carries a fresh one of ours.
            shown = _STAMP.search(response.text)
            assert shown is not None
            assert shown[1] != extra.get("formStarted")
            assert time.time() - float(shown[1].split(".", 2)[0]) < 60
        assert await _proposal_count(settings) == 0


async def test_correcting_a_mistake_and_resending_at_once_keeps_the_original_start(
    settings: Settings,
) -> None:
    async with serving(settings, spam_min_fill_seconds=3) as client:
        token = await csrf_token(client)
        opened_earlier = form_started(settings, now=time.time() - 60)
        mistaken = await client.post(
            "/submit",
            data={**form_data(title=""), "csrf_token": token, "formStarted": opened_earlier},
        )
        assert mistaken.status_code == 422
        stamp = _STAMP.search(mistaken.text)
        assert stamp is not None
        assert stamp[1] == opened_earlier
        corrected = await client.post(
            "/submit", data={**form_data(), "csrf_token": token, "formStarted": stamp[1]}
        )
        assert corrected.status_code == 303
        assert await _proposal_count(settings) == 1


async def test_a_form_filled_for_longer_than_the_minimum_is_accepted(settings: Settings) -> None:
    async with serving(settings, spam_min_fill_seconds=5) as client:
        token = await csrf_token(client)
        opened_earlier = form_started(settings, now=time.time() - 60)
        response = await client.post(
            "/submit", data={**form_data(), "csrf_token": token, "formStarted": opened_earlier}
        )
        assert response.status_code == 303
        assert await _proposal_count(settings) == 1


async def test_a_form_body_over_the_limit_is_413_in_the_callers_language(
    settings: Settings,
) -> None:
    async with serving(settings, max_form_bytes=2048) as client:
        token = await csrf_token(client, "/login")
        data = {"csrf_token": token, "email": "x@example.com", "password": "x" * 4096}
        refused = await client.post("/login", data=data)
        assert refused.status_code == 413
        assert refused.headers["content-type"] == "text/html; charset=utf-8"
        assert "tổng dung lượng các tệp vượt quá 2 KB" in refused.text
        await client.get("/lang/en?next=/")
        english = await client.post("/login", data=data)
        assert "the files together are larger than 2 KB" in english.text
        assert (await client.post("/login", data={**data, "password": "x"})).status_code == 401


async def test_a_streamed_body_without_length_is_cut_off_at_the_limit(settings: Settings) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"csrf_token=x&email=x%40example.com&password="
        for _ in range(64):
            yield b"x" * 1024

    async with serving(settings, max_form_bytes=8192) as client:
        refused = await client.post(
            "/login",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert refused.status_code == 413
        assert "content-length" not in refused.request.headers


async def test_uploads_get_room_for_every_attachment_and_no_more(settings: Settings) -> None:
    async with serving(
        settings, max_form_bytes=4096, attachment_max_count=1, attachment_max_bytes=8192
    ) as client:
        token = await csrf_token(client)
        fields = {**form_data(), "csrf_token": token}
        fits = await client.post(
            "/submit", data=fields, files={"attachments": ("a.pdf", b"%PDF-1.4\n" + b"0" * 7000)}
        )
        assert fits.status_code == 303
        too_large = await client.post(
            "/submit", data=fields, files={"attachments": ("a.pdf", b"%PDF-1.4\n" + b"0" * 20000)}
        )
        assert too_large.status_code == 413
        assert await _proposal_count(settings) == 1
