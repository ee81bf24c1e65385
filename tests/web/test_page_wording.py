"""Words on the pages: one name per thing, the error summary in the page's words, the rating's
comment shown back, and erasure's marker in the page's language."""

from __future__ import annotations

import html
import re

import httpx
from babel.messages.pofile import read_po
from sqlmodel import col, select

from service.db import Database
from service.i18n import LOCALES_DIR
from service.notifications.models import Notification
from service.notifications.service import compose
from service.privacy import service as privacy
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, form_data, submitted_and_routed, submitter_of
from tests.web.helpers import csrf_of, private_link, reviewer, sign_in_reviewer, sign_in_secretariat
from tests.web_client import post_form

_SUMMARY_ITEM = re.compile(r'<li><a href="#([^"]+)">(.*?)</a></li>')


def _summary(page: str) -> list[tuple[str, str]]:
    """(field, text) of each item of the page's error summary, in order."""
    summary = page.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [(name, html.unescape(text)) for name, text in _SUMMARY_ITEM.findall(summary)]


def _squeezed(page: str) -> str:
    """The page without the whitespace between its tags."""
    return re.sub(r">\s+<", "><", page)


def _label(page: str, name: str) -> str:
    """The text of a field's label (or its fieldset's legend), without the optional mark."""
    found = re.search(rf'<label for="{name}">([^<]*)</label>', page) or re.search(
        rf'id="{name}"[^>]*>\s*<legend>([^<]*)</legend>', page
    )
    assert found is not None, name
    return re.sub(r" \((optional|không bắt buộc)\)$", "", html.unescape(found[1]))


def test_the_vietnamese_catalog_names_the_secretariat_one_way() -> None:
    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    strings = [
        (m.id, m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str)
    ]
    assert [(i, s) for i, s in strings if re.search(r"Ban thư ký|thư ký", s)] == []
    assert [(i, s) for i, s in strings if re.search(r"(?<!Văn phòng )Thường trực", s)] == []
    unnamed = [
        (i, s)
        for i, s in strings
        if re.search(r"secretariat", i, re.IGNORECASE) and "Văn phòng Thường trực" not in s
    ]
    assert unnamed == []


async def test_the_tracking_page_names_the_secretariat_as_its_timeline_does(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",  # nothing to route by
    )
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, proposal.id, "BKHCN", settings, "vi")
    page = (await client.get(private_link(settings, proposal))).text
    steps = re.findall(r'<span class="event-(?:action|status)">([^<]*)</span>', page)
    assert steps[1:] == [
        "Chuyển đến Văn phòng Thường trực để phân loại",
        "Trạng thái: Chờ Văn phòng Thường trực phân loại",
        "Văn phòng Thường trực đã giao xử lý",
        "Trạng thái: Đã chuyển đến cơ quan chủ trì",
    ]


async def test_the_agency_history_names_each_field_as_the_form_does(
    client: httpx.AsyncClient,
) -> None:
    await sign_in_secretariat(client)
    for language in ("vi", "en"):
        await client.get(f"/lang/{language}?next=/")
        page = await client.get("/admin/agencies/BKHCN")
        form = {
            "nameVi": "Bộ Khoa học và Công nghệ",
            "nameEn": "Ministry of Science and Technology",
            "emails": f"{language}@most.gov.vn",
            "acknowledgeDays": "",
            "respondDays": "12" if language == "vi" else "13",
            "keywordsVi": "khoa học",
            "keywordsEn": "science",
            "csrf_token": csrf_of(page.text),
        }
        categories = re.findall(r'name="categories" value="([^"]+)" checked', page.text)
        saved = await client.post("/admin/agencies/BKHCN", data={**form, "categories": categories})
        assert saved.status_code == 303
        shown = (await client.get(saved.headers["location"])).text
        history = shown.split('<table class="table" id="history">', 1)[1]
        fields = set(re.findall(r"</td><td>([^<]*)</td><td>[^<]*</td><td>[^<]*</td></tr>", history))
        assert _label(shown, "respondDays") in fields
        assert _label(shown, "emails") in fields
        assert {
            "Business days to answer",
            "Email addresses",
            "Địa chỉ thư điện tử",
        } & fields == set()


async def test_the_submission_forms_summary_names_fields_by_their_labels_in_page_order(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    too_long = "x" * (settings.max_name_length + 1)
    bad = form_data(
        categoryCode="MOON",
        provinceCode="ATLANTIS",
        legalReferences="y" * (settings.max_legal_references_length + 1),
        organisation=too_long,
    )
    for language in ("vi", "en"):
        await client.get(f"/lang/{language}?next=/submit")
        page = await post_form(client, "/submit", bad)
        assert page.status_code == 422
        summary = _summary(page.text)
        names = [name for name, _ in summary]
        assert names == ["categoryCode", "provinceCode", "legalReferences", "organisation"]
        for name, text in summary:
            assert text.startswith(f"{_label(page.text, name)}: "), (language, text)
    assert [text.split(":")[0] for _, text in _summary(page.text)] == [
        "Topic",
        "Province or city",
        "Related legal documents or procedures",
        "Agency or organisation",
    ]
    await client.get("/lang/vi?next=/submit")
    vietnamese = await post_form(client, "/submit", bad)
    assert [text.split(":")[0] for _, text in _summary(vietnamese.text)] == [
        "Lĩnh vực",
        "Tỉnh, thành phố",
        "Văn bản pháp luật hoặc thủ tục hành chính liên quan",
        "Cơ quan, tổ chức",
    ]
    assert '<label for="organisation">Cơ quan, tổ chức (không bắt buộc)</label>' in vietnamese.text


async def _answered(db: Database, settings: Settings) -> tuple[int, str]:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.respond(
            session, await reviewer(db), proposal.id, "Đã tiếp thu.", publish=False, language="vi"
        )
    return proposal.id, private_link(settings, proposal)


async def test_a_refused_rating_names_the_question_the_form_asks(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    _, link = await _answered(db, settings)
    code, key = link.split("/")[2].split("?")[0], link.split("key=")[1]
    for language, legend in (
        ("vi", "Bạn hài lòng với câu trả lời ở mức nào?"),
        ("en", "How satisfied are you with the answer?"),
    ):
        await client.get(f"/lang/{language}?next=/")
        page = await client.get(link)
        bad = await client.post(
            f"/track/{code}/rate",
            data={
                "key": key,
                "score": "9",
                "comment": "z" * 20_001,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert bad.status_code == 422
        assert [name for name, _ in _summary(bad.text)] == ["score", "comment"]
        assert _summary(bad.text)[0][1].startswith(f"{legend}: ")
        assert _summary(bad.text)[1][1].startswith(f"{_label(bad.text, 'comment')}: ")
        assert _label(bad.text, "score") == legend


async def test_the_ratings_comment_is_shown_to_the_submitter_and_officials_not_the_public(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, link = await _answered(db, settings)
    code, key = link.split("/")[2].split("?")[0], link.split("key=")[1]
    page = await client.get(link)
    rated = await client.post(
        f"/track/{code}/rate",
        data={
            "key": key,
            "score": "5",
            "comment": "Rất tốt, cảm ơn. <b>Thật</b>",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert rated.status_code == 303
    own = _squeezed((await client.get(rated.headers["location"])).text)
    assert (
        '<div id="rating"><p>Bạn đã đánh giá: 5 trên 5.</p>'
        '<blockquote class="rating-comment" id="rating-comment">'
        "Rất tốt, cảm ơn. &lt;b&gt;Thật&lt;/b&gt;</blockquote></div>"
    ) in own
    public = (await client.get(f"/track/{code}")).text
    assert 'id="rating"' not in public
    assert "Rất tốt, cảm ơn." not in public
    await sign_in_reviewer(client)
    official = _squeezed((await client.get(f"/track/{code}")).text)
    assert "<p>Người gửi đánh giá: 5 trên 5.</p>" in official
    assert "Rất tốt, cảm ơn. &lt;b&gt;Thật&lt;/b&gt;</blockquote>" in official
    assert proposal_id


async def _answered_then_erased(db: Database, settings: Settings) -> tuple[int, str]:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    async with db.transaction() as session:
        await workflow.request_information(session, await reviewer(db), pid, "Số nhà?", "vi")
    submitter = await submitter_of(db, settings, pid)
    async with db.transaction() as session:
        await workflow.answer_information(session, submitter, pid, "Số 12.", "vi")
    async with db.transaction() as session:
        await privacy.erase(session, submitter, pid)
    return pid, private_link(settings, proposal)


def _answer_note(page: str) -> str:
    step = page.split("Người gửi đã trả lời câu hỏi", 1)
    if len(step) == 1:
        step = page.split("The submitter answered the question", 1)
    note = re.search(r'<p class="event-note">([^<]*)</p>', step[1].split("</li>", 1)[0])
    assert note is not None
    return html.unescape(note[1])


async def test_erased_data_shows_in_the_pages_language(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, link = await _answered_then_erased(db, settings)
    vietnamese = (await client.get(link)).text
    assert _answer_note(vietnamese) == "[đã xoá]"
    assert "[erased]" not in vietnamese
    await client.get("/lang/en?next=/")
    assert _answer_note((await client.get(link)).text) == "[erased]"

    await client.get("/lang/vi?next=/")
    await sign_in_reviewer(client)
    detail = (await client.get(f"/inbox/{proposal_id}")).text
    assert "<dt>Người gửi</dt><dd>[đã xoá] (" in detail
    assert _answer_note(detail) == "[đã xoá]"
    assert "[erased]" not in detail
    await client.get("/lang/en?next=/")
    english = (await client.get(f"/inbox/{proposal_id}")).text
    assert "<dd>[erased] (" in english
    assert _answer_note(english) == "[erased]"


async def test_mail_that_quoted_an_erased_answer_shows_the_marker_in_its_language(
    settings: Settings, db: Database
) -> None:
    proposal_id, _ = await _answered_then_erased(db, settings)
    async with db.session() as session:
        quoted = (
            await session.exec(
                select(Notification)
                .where(Notification.proposal_id == proposal_id)
                .where(Notification.template == "answer_received")
                .order_by(col(Notification.id))
            )
        ).first()
        assert quoted is not None
        assert quoted.context["note"] == "[erased]"  # the stored marker stays
        for language, marker in (("vi", "[đã xoá]"), ("en", "[erased]")):
            quoted.language = language
            message = await compose(session, quoted, settings)
            body = message.get_body(("plain",))
            assert body is not None
            text = body.get_content()
            assert f"\n{marker}\n" in text, text
            assert ("[erased]" in text) is (language == "en")


async def test_an_erased_ratings_comment_shows_the_marker_its_score_stays(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, link = await _answered(db, settings)
    submitter = await submitter_of(db, settings, proposal_id)
    async with db.transaction() as session:
        await workflow.rate(session, submitter, proposal_id, 2, "Gọi tôi: 0912 345 678.", "vi")
    async with db.transaction() as session:
        await privacy.erase(session, submitter, proposal_id)
    own = _squeezed((await client.get(link)).text)
    assert (
        '<div id="rating"><p>Bạn đã đánh giá: 2 trên 5.</p>'
        '<blockquote class="rating-comment" id="rating-comment">[đã xoá]</blockquote></div>'
    ) in own
    assert "0912 345 678" not in own
