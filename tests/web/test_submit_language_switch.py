"""Switching language on a refused submission form: what was typed comes along, posted, never
in a URL, and the errors are said again in the new language; nothing is stored."""

from __future__ import annotations

import time
from html.parser import HTMLParser

import httpx
from sqlmodel import func, select

from service.db import Database
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import form_data
from tests.web.test_spam import serving
from tests.web_client import csrf_token, post_form
from web.spam import form_started

_DESCRIPTION = "Dòng thứ nhất của mô tả.\nDòng thứ hai: thủ tục kéo dài & tốn kém."


class _LanguageForm(HTMLParser):
    """The header's language switch when it is a form: its action and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.button = ""
        self._in_nav = self._in_form = self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "nav" and found.get("class") == "languages":
            self._in_nav = True
        elif self._in_nav and tag == "form":
            self._in_form, self.action = True, found["action"]
        elif self._in_form and tag == "input":
            self.fields.append((found["name"], found["value"]))
        elif self._in_form and tag == "button":
            self._in_button = True

    def handle_data(self, data: str) -> None:
        if self._in_button:
            self.button += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False
        elif tag == "form":
            self._in_form = False
        elif tag == "nav":
            self._in_nav = False


def _language_form(page: str) -> _LanguageForm:
    parser = _LanguageForm()
    parser.feed(page)
    assert parser.action, "the language switch is not a form"
    return parser


async def _switch(client: httpx.AsyncClient, page: str) -> httpx.Response:
    form = _language_form(page)
    return await client.post(form.action, data=dict(form.fields))


async def _proposal_count(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Proposal))).one()
    await db.dispose()
    return count


async def test_switching_on_a_refused_form_keeps_every_kind_of_field_and_says_the_errors_again(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    refused = await post_form(client, "/submit", form_data(name="", description=_DESCRIPTION))
    assert refused.status_code == 422
    assert "/lang/en" not in refused.text
    form = _language_form(refused.text)
    # What was typed travels in the body: the address carries the language only.
    assert form.action == "/submit/language/en"
    assert form.button.strip() == "English"
    assert dict(form.fields)["description"] == _DESCRIPTION
    assert "website" not in dict(form.fields)

    english = await _switch(client, refused.text)
    assert english.status_code == 422
    assert english.cookies["intake_lang"] == "en"
    assert '<html lang="en">' in english.text
    assert '<a href="#name">Full name: This field is required.</a>' in english.text
    assert 'value="Thủ tục cấp phép thử nghiệm công nghệ mới kéo dài"' in english.text
    assert "Dòng thứ nhất của mô tả.\nDòng thứ hai: thủ tục kéo dài &amp; tốn kém.</textarea>" in (
        english.text
    )
    assert 'id="kind-OBSTACLE" name="kind" value="OBSTACLE" checked>' in english.text
    assert '<option value="DIGITAL_GOVERNMENT" selected>' in english.text
    assert '<option value="DA-NANG" selected>' in english.text
    assert '<option value="ENTERPRISE" selected>' in english.text
    assert 'value="duc@example.com"' in english.text
    assert 'name="consentToPublish" value="yes" checked>' in english.text
    assert await _proposal_count(settings) == 0

    # And back: the English page's switch is a form too, and Vietnamese comes back.
    assert _language_form(english.text).action == "/submit/language/vi"
    vietnamese = await _switch(client, english.text)
    assert vietnamese.cookies["intake_lang"] == "vi"
    assert '<a href="#name">Họ và tên: Trường này là bắt buộc.</a>' in vietnamese.text
    assert 'value="duc@example.com"' in vietnamese.text


async def test_files_chosen_on_the_refused_form_are_asked_for_again_in_the_new_language(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_token(client)
    pdf = {"attachments": ("evidence.pdf", b"%PDF-1.4\n" + b"0" * 100)}
    with_file = await client.post(
        "/submit", data={**form_data(title=""), "csrf_token": token}, files=pdf
    )
    assert with_file.status_code == 422
    english = await _switch(client, with_file.text)
    assert (
        '<a href="#attachments">Evidence files: The files you chose were not kept when the'
        " language changed: choose them again.</a>"
    ) in english.text
    # Switching again still knows files had been chosen.
    vietnamese = await _switch(client, english.text)
    assert (
        '<a href="#attachments">Tệp minh chứng: Các tệp bạn đã chọn không được giữ lại khi đổi'
        " ngôn ngữ: hãy chọn lại tệp.</a>"
    ) in vietnamese.text

    client.cookies.delete("intake_lang")  # back to Vietnamese pages
    without = await post_form(client, "/submit", form_data(title=""))
    switched = await _switch(client, without.text)
    assert '<a href="#title">Title: This field is required.</a>' in switched.text
    assert "were not kept when the language changed" not in switched.text


async def test_switching_keeps_the_start_stamp_so_a_later_send_is_not_taken_for_a_bot(
    settings: Settings,
) -> None:
    async with serving(settings, spam_min_fill_seconds=30) as client:
        token = await csrf_token(client)
        opened_earlier = form_started(settings, now=time.time() - 60)
        refused = await client.post(
            "/submit",
            data={**form_data(name=""), "csrf_token": token, "formStarted": opened_earlier},
        )
        assert refused.status_code == 422
        english = await _switch(client, refused.text)
        assert f'name="formStarted" value="{opened_earlier}"' in english.text
        assert 'name="website" type="text" value=""' in english.text
        corrected = {**dict(_language_form(english.text).fields), "name": "Trần Văn Đức"}
        sent = await client.post("/submit", data=corrected)
        assert sent.status_code == 303
        assert await _proposal_count(settings) == 1


async def test_the_switch_takes_no_forged_post_and_no_unknown_language(
    client: httpx.AsyncClient,
) -> None:
    refused = await post_form(client, "/submit", form_data(name=""))
    fields = dict(_language_form(refused.text).fields)
    forged = await client.post("/submit/language/en", data={**fields, "csrf_token": "forged"})
    assert forged.status_code == 403
    unknown = await client.post("/submit/language/fr", data=fields)
    assert unknown.status_code == 404


async def test_a_form_not_refused_keeps_the_plain_language_link(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/submit")
    assert '<a href="/lang/en?next=/submit" lang="en" hreflang="en">English</a>' in page.text
    assert 'action="/submit/language/' not in page.text
