"""An official's own mail settings on /account/mail, and the digest's link to them."""

from __future__ import annotations

import httpx

from service.accounts.models import NotificationMode
from service.accounts.repository import get_by_email
from service.db import Database
from service.demo import reviewer_email
from service.i18n import LANGUAGES
from service.notifications.preview import sample_message
from service.settings import Settings
from tests.web.helpers import csrf_of, sign_in_reviewer

REVIEWER = reviewer_email("BKHCN")


async def _stored(db: Database) -> tuple[NotificationMode, str]:
    async with db.session() as session:
        user = await get_by_email(session, REVIEWER)
    assert user is not None
    return user.notification_mode, user.language


async def test_an_official_chooses_the_digest_and_the_language_of_their_mail(
    client: httpx.AsyncClient, db: Database
) -> None:
    assert (await client.get("/account/mail")).headers["location"] == "/login?next=/account/mail"
    await sign_in_reviewer(client)
    page = await client.get("/account/mail")
    assert page.status_code == 200
    assert '<a href="/account/mail">Thư của bạn</a>' in (await client.get("/inbox")).text
    assert 'id="mode-INSTANT" name="mode" value="INSTANT" checked' in page.text
    assert '<option value="vi" lang="vi" selected>Tiếng Việt</option>' in page.text

    saved = await client.post(
        "/account/mail",
        data={"mode": "DIGEST", "language": "en", "csrf_token": csrf_of(page.text)},
    )
    assert (saved.status_code, saved.headers["location"]) == (303, "/account/mail?saved=1")
    assert await _stored(db) == (NotificationMode.DIGEST, "en")
    shown = await client.get(saved.headers["location"])
    assert 'id="saved"' in shown.text
    assert 'id="mode-DIGEST" name="mode" value="DIGEST" checked' in shown.text
    assert '<option value="en" lang="en" selected>English</option>' in shown.text


async def test_a_choice_not_offered_is_refused_by_name_and_nothing_is_stored(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_reviewer(client)
    page = await client.get("/account/mail")
    refused = await client.post(
        "/account/mail",
        data={"mode": "WEEKLY", "language": "fr", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 422
    assert '<a href="#mode">Thư về công việc của bạn: Hãy chọn một mục trong danh sách.</a>' in (
        refused.text
    )
    assert '<a href="#language">Ngôn ngữ của thư: Hãy chọn một mục trong danh sách.</a>' in (
        refused.text
    )
    assert await _stored(db) == (NotificationMode.INSTANT, "vi")


async def test_the_digest_preview_links_to_the_page(settings: Settings) -> None:
    for language in LANGUAGES:
        message = sample_message("digest", language, settings)
        text = message.get_body(("plain",))
        assert text is not None
        assert f"{settings.base_url.rstrip('/')}/account/mail?lang={language}" in text.get_content()
