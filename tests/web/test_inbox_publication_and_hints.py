"""The inbox pages tell officials the truth about who reads what: an answer is offered for
publication only with the submitter's consent and never shown as published when nobody else can
read it, the texts the submitter reads say so, and a bulk acknowledge with nothing ticked says
what is missing."""

from __future__ import annotations

import re

import httpx
from sqlmodel import col, select

from service.db import Database
from service.proposals import repository as proposals
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.models import Response
from tests.factories import official, submitted_and_routed
from tests.web.helpers import csrf_of, sign_in_reviewer, sign_in_secretariat

DISABLED_BOX = (
    '<input type="checkbox" id="respond-publish" name="publish" value="yes" disabled'
    ' aria-describedby="respond-publish-hint">'
)


async def _routed(db: Database, settings: Settings, **fields: object) -> int:
    proposal = await submitted_and_routed(db, settings, **fields)
    assert proposal.id is not None
    return proposal.id


async def _agency_of(db: Database, proposal_id: int) -> int:
    async with db.session() as session:
        proposal = await proposals.get(session, proposal_id)
    assert proposal is not None
    assert proposal.agency_id is not None
    return proposal.agency_id


async def _published(db: Database, proposal_id: int) -> list[bool]:
    async with db.session() as session:
        rows = await session.exec(
            select(Response).where(Response.proposal_id == proposal_id).order_by(col(Response.id))
        )
        return [row.published for row in rows]


def _answer_line(page: str) -> str:
    """The line above the answer: its time and whether it is public."""
    match = re.search(r'<article class="response">\s*<p class="muted">(.*?)</p>', page, re.S)
    assert match is not None
    return re.sub(r"<[^>]+>", "", match[1]).split(" · ")[-1]


async def test_without_consent_the_answer_is_not_offered_for_publication_nor_shown_published(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal_id = await _routed(db, settings, consent_to_publish=False)
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal_id}")
    assert DISABLED_BOX + " Công khai câu trả lời</label>" in page.text
    assert (
        '<p class="hint" id="respond-publish-hint">Không thể công khai: người gửi không đồng ý'
        " công khai. Chỉ người gửi và cán bộ đọc được câu trả lời này.</p>"
    ) in page.text
    client.cookies.set("intake_lang", "en")
    in_english = await client.get(f"/inbox/{proposal_id}")
    assert (
        '<p class="hint" id="respond-publish-hint">Not possible: the submitter did not agree to'
        " publication. Only they and the officials read this answer.</p>"
    ) in in_english.text
    client.cookies.delete("intake_lang")

    # The box ticked anyway (a form made by hand): answered, but stored unpublished.
    answered = await client.post(
        f"/inbox/{proposal_id}/respond",
        data={"text": "Bộ sẽ xem xét.", "publish": "yes", "csrf_token": csrf_of(page.text)},
    )
    assert answered.status_code == 303
    assert await _published(db, proposal_id) == [False]
    assert _answer_line((await client.get(f"/inbox/{proposal_id}")).text) == "Chưa công khai"


async def test_with_consent_the_answer_may_be_published_and_says_so(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal_id = await _routed(db, settings, consent_to_publish=True)
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal_id}")
    assert (
        '<input type="checkbox" name="publish" value="yes"> Công khai câu trả lời (người gửi đã'
        " đồng ý công khai)</label>"
    ) in page.text
    assert "disabled" not in page.text
    answered = await client.post(
        f"/inbox/{proposal_id}/respond",
        data={"text": "Bộ sẽ xem xét.", "publish": "yes", "csrf_token": csrf_of(page.text)},
    )
    assert answered.status_code == 303
    assert await _published(db, proposal_id) == [True]
    assert _answer_line((await client.get(f"/inbox/{proposal_id}")).text) == "Công khai"


async def test_an_answer_marked_published_on_a_submission_not_public_is_not_shown_published(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal_id = await _routed(db, settings, consent_to_publish=False)
    # As answers were stored before publication needed the submitter's consent.
    async with db.transaction() as session:
        session.add(
            Response(
                proposal_id=proposal_id,
                agency_id=await _agency_of(db, proposal_id),
                author="user:1",
                text="Trả lời cũ.",
                published=True,
            )
        )
    await sign_in_reviewer(client)
    assert _answer_line((await client.get(f"/inbox/{proposal_id}")).text) == "Chưa công khai"


async def test_a_bulk_acknowledge_with_nothing_ticked_asks_for_one(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await _routed(db, settings)
    await sign_in_reviewer(client)
    page = await client.get("/inbox")
    sent = await client.post("/inbox/acknowledge", data={"csrf_token": csrf_of(page.text)})
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        "/inbox?acknowledged=0&skipped=0",
    )
    shown = await client.get(sent.headers["location"])
    assert (
        '<div class="error-summary" role="alert" tabindex="-1" id="nothing-chosen"><p>Hãy chọn'
        " ít nhất một nội dung để xác nhận tiếp nhận.</p></div>"
    ) in shown.text
    assert 'id="done"' not in shown.text
    client.cookies.set("intake_lang", "en")
    in_english = await client.get(sent.headers["location"])
    assert "<p>Choose at least one submission to acknowledge.</p>" in in_english.text
    # Without the counts (the inbox itself, a link changed by hand): no notice.
    for params in ("", "?acknowledged=0", "?acknowledged=x&skipped=0"):
        assert 'id="nothing-chosen"' not in (await client.get(f"/inbox{params}")).text, params


def _hint(step: str, name: str, text: str) -> str:
    return f'<p class="hint" id="{step}-{name}-hint">{text}</p>'


def _described(step: str, name: str) -> str:
    described = f'aria-describedby="{step}-{name}-hint"'
    return f'<textarea id="{step}-{name}" name="{name}" rows="2" {described}>'


async def test_the_texts_the_submitter_reads_say_so_under_their_label(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    reads_vi = "Người gửi đọc được nội dung này trên trang theo dõi của mình."
    reads_en = "The submitter reads this on their tracking page."
    routed = await _routed(db, settings)
    in_triage = await _routed(db, settings, email="triage@example.com")
    reviewer = official(await _agency_of(db, in_triage))
    async with db.transaction() as session:
        await workflow.decline(session, reviewer, in_triage, "Không thuộc Bộ.", "vi")

    await sign_in_reviewer(client)
    page = (await client.get(f"/inbox/{routed}")).text
    assert (
        '<label for="decline-reason">Lý do từ chối xử lý</label>\n'
        + _hint("decline", "reason", reads_vi)
    ) in page
    assert 'name="reason" rows="4" aria-describedby="decline-reason-hint">' in page
    # The internal note is not the submitter's: no such hint.
    assert 'id="note-note-hint"' not in page
    client.cookies.clear()

    await sign_in_secretariat(client)
    transfer = (await client.get(f"/inbox/{routed}")).text
    assert (
        '<label for="transfer-reason">Lý do chuyển</label>\n'
        + _hint("transfer", "reason", reads_vi)
    ) in transfer
    assert _described("transfer", "reason") in transfer
    assert _hint("reject", "reason", reads_vi) in transfer
    assign = (await client.get(f"/inbox/{in_triage}")).text
    assert (
        '<label for="assign-note">Ghi chú (không bắt buộc)</label>\n'
        + _hint("assign", "note", reads_vi)
    ) in assign
    assert _described("assign", "note") in assign
    client.cookies.set("intake_lang", "en")
    in_english = (await client.get(f"/inbox/{in_triage}")).text
    assert (
        '<label for="assign-note">Note (optional)</label>\n' + _hint("assign", "note", reads_en)
    ) in in_english
