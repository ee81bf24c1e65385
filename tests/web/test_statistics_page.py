"""The transparency dashboard against a small data set whose figures are known by hand: overall,
per agency and for one agency, for a chosen period, in both languages, table and chart alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from service.accounts.actor import Actor
from service.db import Database
from service.directory.repository import get_agency_by_code
from service.proposals import repository as proposals_repository
from service.proposals.models import ProposalEvent
from service.settings import Settings
from service.statistics import service as statistics
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, official, submitted_and_routed


def _at(day: str) -> datetime:
    """09:00 in Hanoi on that day."""
    return datetime.fromisoformat(day).replace(hour=2, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Known:
    """One submission of the data set: when it came, when it was due, when (if) it was answered."""

    received: str
    due: str
    answered_after_days: int | None = None
    rating: int | None = None
    category: str = "DIGITAL_ECONOMY"  # routed to BKHCN; DATA goes to BCA


async def _build(db: Database, settings: Settings, known: Known, number: int) -> int:
    fields: dict[str, object] = {"title": f"Đề xuất số {number} về chuyển đổi số"}
    if known.category == "DATA":
        fields |= {
            "title": f"Căn cước điện tử cho người nước ngoài, lần {number}",
            "description": "Đề nghị cấp căn cước điện tử cho chuyên gia nước ngoài.",
            "category": "DATA",
        }
    proposal = await submitted_and_routed(db, settings, **fields)
    assert proposal.id is not None
    pid = proposal.id
    if known.answered_after_days is not None:
        async with db.transaction() as session:
            lead = official(proposal.agency_id)
            await workflow.respond(session, lead, pid, "Trả lời.", publish=False, language="vi")
        if known.rating is not None:
            async with db.transaction() as session:
                await workflow.rate(session, Actor.submitter(pid), pid, known.rating, "", "vi")
    # The clock of the data set: received, due and answered on the days it names.
    async with db.transaction() as session:
        row = await proposals_repository.get(session, pid)
        assert row is not None
        row.created_at = _at(known.received)
        row.deadline = _at(known.due)
        events = await session.exec(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id == pid)
            .order_by(col(ProposalEvent.id))
        )
        for event in events:
            event.at = row.created_at
            if event.action == "RESPOND" and known.answered_after_days is not None:
                event.at = row.created_at + timedelta(days=known.answered_after_days)
    return pid


MARCH = (
    # BKHCN: two answered on time after 2 and 5 days and rated 4 and 5, one late, one open.
    Known("2026-03-02", due="2026-03-20", answered_after_days=2, rating=4),
    Known("2026-03-03", due="2026-03-20", answered_after_days=5, rating=5),
    Known("2026-03-04", due="2026-03-10", answered_after_days=20),
    Known("2026-03-05", due="2026-03-25"),
    # BCA: one, answered on time the next day.
    Known("2026-03-06", due="2026-03-20", answered_after_days=1, category="DATA"),
)
APRIL = Known("2026-04-15", due="2026-04-30", answered_after_days=3, rating=1)


async def _data_set(db: Database, settings: Settings) -> None:
    for number, known in enumerate((*MARCH, APRIL), start=1):
        await _build(db, settings, known, number)


def _headline(page: str) -> dict[str, str]:
    block = re.search(r'<dl class="figures">(.*?)</dl>', page, re.S)
    assert block is not None
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", block[1]))


def _table(page: str) -> dict[str, list[str]]:
    """Each agency row's cells as shown, by agency code (from the row's link)."""
    body = re.search(r'<table class="table" id="per-agency".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body is not None
    rows = {}
    for code, cells in re.findall(r"\?agency=([A-Z0-9-]+)&.*?</th>(.*?)</tr>", body[1], re.S):
        rows[code] = [c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", cells)]
    return rows


def _chart_data(page: str) -> dict[str, list[str]]:
    """What charts.js reads to draw the bars: the data-value of the chart's series columns."""
    holder = re.search(r'data-chart="per-agency" data-labels-column="0" data-series="1,2"', page)
    assert holder is not None
    body = re.search(r'<table class="table" id="per-agency".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body is not None
    return {
        code: re.findall(r'data-value="([^"]*)"', cells)
        for code, cells in re.findall(r"\?agency=([A-Z0-9-]+)&.*?</th>(.*?)</tr>", body[1], re.S)
    }


VI_LABELS = (
    "Số nội dung nhận được",
    "Đã giải quyết",
    "Tỷ lệ giải quyết",
    "Trả lời đúng hạn",
    "Số ngày trả lời (trung vị)",
    "Mức hài lòng",
)
EN_LABELS = (
    "Submissions received",
    "Resolved",
    "Resolution rate",
    "Answered on time",
    "Median days to answer",
    "Satisfaction",
)


async def test_dashboard_shows_the_known_figures_for_a_chosen_period(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    await _data_set(db, settings)
    march = {"from": "2026-03-01", "to": "2026-03-31"}

    page = await client.get("/statistics", params=march)
    assert page.status_code == 200
    assert (
        "<p>Các nội dung nhận từ 01/03/2026 đến 31/03/2026, dù hiện đang ở đâu.</p>"
    ) in page.text
    assert 'id="from" name="from" type="date" value="2026-03-01"' in page.text
    assert '<h2 id="overall-title">Tất cả cơ quan</h2>' in page.text
    # 5 received, 4 answered (3 on time), days 1, 2, 5 and 20, ratings 4 and 5.
    assert _headline(page.text) == dict(
        zip(VI_LABELS, ("5", "4", "80,0%", "75,0%", "3,5", "4,5 / 5"), strict=True)
    )
    table = _table(page.text)
    assert table == {
        "BKHCN": ["4", "3", "75,0%", "66,7%", "5", "4,5 / 5", "0"],
        "BCA": ["1", "1", "100,0%", "100,0%", "1", "—", "0"],
    }
    assert _chart_data(page.text) == {"BKHCN": ["4", "3"], "BCA": ["1", "1"]}
    assert [cells[:2] for cells in table.values()] == list(_chart_data(page.text).values())

    one = await client.get("/statistics", params={**march, "agency": "BKHCN"})
    assert '<h2 id="overall-title">Bộ Khoa học và Công nghệ</h2>' in one.text
    assert '<option value="BKHCN" selected>' in one.text
    assert _headline(one.text) == dict(
        zip(VI_LABELS, ("4", "3", "75,0%", "66,7%", "5", "4,5 / 5"), strict=True)
    )
    assert _table(one.text) == table

    # Widening the period to April takes in the late-April submission, answered after 3 days
    # and rated 1; a period with nothing in it shows dashes, not zeros divided.
    spring = await client.get("/statistics", params={"from": "2026-03-01", "to": "2026-04-30"})
    assert _headline(spring.text) == dict(
        zip(VI_LABELS, ("6", "5", "83,3%", "80,0%", "3", "3,33 / 5"), strict=True)
    )
    assert _table(spring.text)["BKHCN"] == ["5", "4", "80,0%", "75,0%", "4", "3,33 / 5", "0"]
    april = await client.get("/statistics", params={"from": "2026-04-01", "to": "2026-04-30"})
    assert _table(april.text) == {"BKHCN": ["1", "1", "100,0%", "100,0%", "3", "1 / 5", "0"]}
    empty = await client.get("/statistics", params={"from": "2026-02-01", "to": "2026-02-28"})
    assert _headline(empty.text) == dict(
        zip(VI_LABELS, ("0", "0", "—", "—", "—", "—"), strict=True)
    )
    assert '<td colspan="8">Không có nội dung nào trong khoảng thời gian này.</td>' in empty.text
    # The last day of a period counts whole: 31 March ends at midnight after it.
    last_day = await client.get("/statistics", params={"from": "2026-03-06", "to": "2026-03-06"})
    assert _table(last_day.text) == {"BCA": ["1", "1", "100,0%", "100,0%", "1", "—", "0"]}

    await client.get("/lang/en")
    english = await client.get("/statistics", params=march)
    assert (
        "<p>Submissions received from 1 Mar 2026 to 31 Mar 2026, wherever they are now.</p>"
    ) in english.text
    assert '<h2 id="overall-title">All agencies</h2>' in english.text
    assert _headline(english.text) == dict(
        zip(EN_LABELS, ("5", "4", "80.0%", "75.0%", "3.5", "4.5 / 5"), strict=True)
    )
    assert _table(english.text) == {
        "BKHCN": ["4", "3", "75.0%", "66.7%", "5", "4.5 / 5", "0"],
        "BCA": ["1", "1", "100.0%", "100.0%", "1", "—", "0"],
    }
    assert _chart_data(english.text) == _chart_data(page.text)


def _refusal(page: str) -> dict[str, Any]:
    """What a refused page shows: the summary's links, each field's error, the inputs as typed,
    the agency selected, and whether any figure is on it."""
    summary = re.search(
        r'<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
        r'tabindex="-1">\s*<h2 id="error-summary-title">([^<]+)</h2>\s*<ul>(.*?)</ul>',
        page,
        re.S,
    )
    assert summary is not None
    return {
        "title": summary[1],
        "summary": re.findall(r'<li><a href="#([a-z]+)">([^<]+)</a></li>', summary[2]),
        "fields": dict(
            re.findall(
                r'<p class="field-error" id="([a-z]+)-error"><span class="visually-hidden">'
                r"[^<]+</span> ([^<]+)</p>",
                page,
            )
        ),
        "inputs": re.findall(
            r'<input id="(from|to)" name="\1" type="([a-z]+)" value="([^"]*)"([^>]*)>', page
        ),
        "selected": re.findall(r'<option value="([^"]*)" selected>', page),
        "figures": '<dl class="figures">' in page or 'id="per-agency"' in page,
        "no_figures": re.findall(r'<p id="no-figures">([^<]+)</p>', page),
    }


INVALID_FROM = ' aria-describedby="from-error" aria-invalid="true"'
INVALID_TO = ' aria-describedby="to-error" aria-invalid="true"'
NO_FIGURES_VI = ["Chưa hiển thị số liệu cho đến khi các lỗi ở trên được sửa."]
NO_FIGURES_EN = ["No figures are shown until the problems above are corrected."]


async def test_dashboard_names_each_bad_date_and_keeps_what_was_typed(
    client: httpx.AsyncClient,
) -> None:
    """The tester's dates: each field named as the page labels it, with its own problem, linked
    from the summary to its input; what was typed stays; no figures for a refused period."""
    today = statistics.today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    not_a_date = "Nhập ngày theo dạng 2026-03-31."
    out_of_range = "Hãy chọn một ngày từ năm 2000 đến năm 2100."
    cases: list[tuple[dict[str, str], list[tuple[str, str]], list[tuple[str, str, str, str]]]] = [
        (
            {"from": tomorrow},
            [("from", f"Ngày đầu của khoảng thời gian không được sau hôm nay, {today}.")],
            [("from", "date", tomorrow, INVALID_FROM), ("to", "date", "", "")],
        ),
        (
            {"from": "abc"},
            [("from", not_a_date)],
            [("from", "text", "abc", INVALID_FROM), ("to", "date", "", "")],
        ),
        (
            {"from": "2026-02-30"},
            [("from", not_a_date)],
            [("from", "text", "2026-02-30", INVALID_FROM), ("to", "date", "", "")],
        ),
        (
            {"from": "2026-12-03T10:00"},
            [("from", not_a_date)],
            [("from", "text", "2026-12-03T10:00", INVALID_FROM), ("to", "date", "", "")],
        ),
        (
            {"from": "1999-01-01", "to": "2101-01-01"},
            [("from", out_of_range), ("to", out_of_range)],
            [
                ("from", "date", "1999-01-01", INVALID_FROM),
                ("to", "date", "2101-01-01", INVALID_TO),
            ],
        ),
        (
            {"from": "2026-04-01", "to": "2026-03-01"},
            [("from", "Ngày đầu của khoảng thời gian không được sau ngày cuối, 2026-03-01.")],
            [("from", "date", "2026-04-01", INVALID_FROM), ("to", "date", "2026-03-01", "")],
        ),
        (
            # A last day that is no day: nothing to compare the first day with.
            {"from": tomorrow, "to": "31/03/2026"},
            [("to", not_a_date)],
            [("from", "date", tomorrow, ""), ("to", "text", "31/03/2026", INVALID_TO)],
        ),
        (
            {"from": "abc", "to": "9999-12-31"},
            [("from", not_a_date), ("to", out_of_range)],
            [("from", "text", "abc", INVALID_FROM), ("to", "date", "9999-12-31", INVALID_TO)],
        ),
    ]
    labels = {"from": "Từ", "to": "Đến"}
    for params, problems, inputs in cases:
        refused = await client.get("/statistics", params=params)
        assert refused.status_code == 422, params
        assert _refusal(refused.text) == {
            "title": "Có lỗi cần sửa",
            "summary": [(field, f"{labels[field]}: {message}") for field, message in problems],
            "fields": dict(problems),
            "inputs": inputs,
            "selected": [],
            "figures": False,
            "no_figures": NO_FIGURES_VI,
        }, params
        assert "<title>Lỗi: Bảng số liệu công khai · Intake</title>" in refused.text

    await client.get("/lang/en")
    refused = await client.get("/statistics", params={"from": "1999-01-01", "to": "2101-01-01"})
    assert refused.status_code == 422
    assert (
        '<h2 id="error-summary-title">There is a problem</h2>\n  <ul>'
        '<li><a href="#from">From: Choose a date from 2000 to 2100.</a></li>'
        '<li><a href="#to">To: Choose a date from 2000 to 2100.</a></li></ul>'
    ) in refused.text
    assert (
        '<div class="field has-error">\n    <label for="from">From</label>\n    '
        '<p class="field-error" id="from-error"><span class="visually-hidden">Error:</span> '
        "Choose a date from 2000 to 2100.</p>\n    "
        '<input id="from" name="from" type="date" value="1999-01-01" '
        'aria-describedby="from-error" aria-invalid="true">'
    ) in refused.text
    for params, problems in (
        (
            {"from": tomorrow},
            [("from", f"From: The first day of the period must not come after today, {today}.")],
        ),
        ({"from": "2026-02-30"}, [("from", "From: Enter a date like 2026-03-31.")]),
        (
            {"from": "2026-12-05", "to": "2026-12-01"},
            [
                (
                    "from",
                    "From: The first day of the period must not come after its last day, "
                    "2026-12-01.",
                )
            ],
        ),
    ):
        page = await client.get("/statistics", params=params)
        assert page.status_code == 422, params
        found = _refusal(page.text)
        assert (found["summary"], found["figures"], found["no_figures"]) == (
            problems,
            False,
            NO_FIGURES_EN,
        ), params


async def test_dashboard_refuses_days_out_of_the_calendar_saying_which(
    client: httpx.AsyncClient,
) -> None:
    """Days whose midnight in Vietnam is no datetime in UTC used to fail the page with a 500."""
    for field, params in (
        ("from", {"from": "0001-01-01"}),
        ("to", {"to": "9999-12-31"}),
        ("from", {"from": "1999-12-31"}),
    ):
        refused = await client.get("/statistics", params=params)
        assert refused.status_code == 422, params
        label = {"from": "Từ", "to": "Đến"}[field]
        assert _refusal(refused.text)["summary"] == [
            (field, f"{label}: Hãy chọn một ngày từ năm 2000 đến năm 2100.")
        ], params
    # A last day alone: the 365 days ending on it, as the API's `stats` reads it.
    up_to = await client.get("/statistics", params={"to": "2026-03-31"})
    assert up_to.status_code == 200
    assert 'id="from" name="from" type="date" value="2025-04-01">' in up_to.text
    assert 'id="to" name="to" type="date" value="2026-03-31">' in up_to.text
    assert "error-summary" not in up_to.text
    assert "field-error" not in up_to.text


async def test_dashboard_refuses_an_unknown_agency_at_its_selector(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """It used to show every agency's figures as if none had been chosen."""
    await _data_set(db, settings)
    refused = await client.get("/statistics", params={"agency": "NOPE"})
    assert refused.status_code == 422
    assert _refusal(refused.text) == {
        "title": "Có lỗi cần sửa",
        "summary": [("agency", "Cơ quan: Không có mã cơ quan &#34;NOPE&#34;.")],
        "fields": {"agency": "Không có mã cơ quan &#34;NOPE&#34;."},
        "inputs": [("from", "date", "", ""), ("to", "date", "", "")],
        "selected": ["NOPE"],
        "figures": False,
        "no_figures": NO_FIGURES_VI,
    }
    assert (
        '<select id="agency" name="agency" aria-describedby="agency-error" aria-invalid="true">\n'
        '      <option value="">Tất cả cơ quan</option>\n'
        '<option value="NOPE" selected>NOPE</option><option value="BCA">Bộ Công an</option>'
    ) in refused.text
    # Every problem at once, in the form's order, the period kept as typed.
    both = await client.get(
        "/statistics", params={"from": "2026-03-01", "to": "2026-02-30", "agency": "NOPE"}
    )
    assert both.status_code == 422
    found = _refusal(both.text)
    assert found["summary"] == [
        ("to", "Đến: Nhập ngày theo dạng 2026-03-31."),
        ("agency", "Cơ quan: Không có mã cơ quan &#34;NOPE&#34;."),
    ]
    assert found["inputs"] == [
        ("from", "date", "2026-03-01", ""),
        ("to", "text", "2026-02-30", INVALID_TO),
    ]
    await client.get("/lang/en")
    english = await client.get(
        "/statistics", params={"from": "2026-03-01", "to": "2026-03-31", "agency": "NOPE"}
    )
    assert english.status_code == 422
    found = _refusal(english.text)
    assert found["summary"] == [("agency", "Agency: Unknown agency code &#34;NOPE&#34;.")]
    assert found["inputs"] == [("from", "date", "2026-03-01", ""), ("to", "date", "2026-03-31", "")]
    assert (found["selected"], found["figures"], found["no_figures"]) == (
        ["NOPE"],
        False,
        NO_FIGURES_EN,
    )


async def test_a_deactivated_agency_keeps_its_figures_on_the_dashboard(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """Its figures are public history: chosen by code it is shown, and it keeps its row."""
    await _data_set(db, settings)
    async with db.transaction() as session:
        bca = await get_agency_by_code(session, "BCA")
        assert bca is not None
        bca.is_active = False
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    one = await client.get("/statistics", params={**march, "agency": "BCA"})
    assert one.status_code == 200
    assert '<h2 id="overall-title">Bộ Công an</h2>' in one.text
    assert '<option value="BCA" selected>Bộ Công an</option>' in one.text
    assert _headline(one.text) == dict(
        zip(VI_LABELS, ("1", "1", "100,0%", "100,0%", "1", "—"), strict=True)
    )
    everyone = await client.get("/statistics", params=march)
    assert _table(everyone.text) == {
        "BKHCN": ["4", "3", "75,0%", "66,7%", "5", "4,5 / 5", "0"],
        "BCA": ["1", "1", "100,0%", "100,0%", "1", "—", "0"],
    }
    # Out of the selector in a period it has no figures in, as it is out of routing.
    april = await client.get("/statistics", params={"from": "2026-04-01", "to": "2026-04-30"})
    assert '<option value="BCA"' not in april.text
    assert '<option value="BKHCN">' in april.text


async def test_a_late_answer_stays_late_after_a_reopen_and_a_new_answer(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """Due 1 July, answered on 3 July: late. The reopen moves the deadline past that answer;
    answered again, the submission still counts as answered late."""
    late = await _build(
        db, settings, Known("2026-07-01", due="2026-07-01", answered_after_days=2), 1
    )
    async with db.transaction() as session:
        step = await workflow.reopen(session, SECRETARIAT, late, "Câu trả lời chưa đầy đủ.", "vi")
        assert step.proposal.deadline is not None
        assert step.proposal.deadline > _at("2026-07-03")
    async with db.transaction() as session:
        lead = (await proposals_repository.get(session, late)).agency_id  # type: ignore[union-attr]
        await workflow.respond(
            session, official(lead), late, "Trả lời lại.", publish=False, language="vi"
        )
    page = await client.get("/statistics", params={"from": "2026-07-01", "to": "2026-07-31"})
    assert _headline(page.text) == dict(
        zip(VI_LABELS, ("1", "1", "100,0%", "0,0%", "2", "—"), strict=True)
    )


async def test_an_answer_reopened_leaves_the_on_time_rate_within_what_is_resolved(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    await _build(db, settings, Known("2026-05-04", due="2026-05-20", answered_after_days=2), 1)
    reopened = await _build(
        db, settings, Known("2026-05-05", due="2026-05-20", answered_after_days=4), 2
    )
    async with db.transaction() as session:
        await workflow.reopen(session, SECRETARIAT, reopened, "Câu trả lời chưa đầy đủ.", "vi")
    page = await client.get("/statistics", params={"from": "2026-05-01", "to": "2026-05-31"})
    # Two received, one resolved and answered on time; the reopened one is being handled again.
    assert _headline(page.text) == dict(
        zip(VI_LABELS, ("2", "1", "50,0%", "100,0%", "3", "—"), strict=True)
    )
    assert _table(page.text) == {"BKHCN": ["2", "1", "50,0%", "100,0%", "3", "—", "0"]}


async def test_a_transferred_submission_counts_for_the_agency_that_answers_it(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    moved = await _build(db, settings, Known("2026-06-02", due="2026-06-20"), 1)
    await _build(db, settings, Known("2026-06-03", due="2026-06-20", answered_after_days=2), 2)
    async with db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, moved, "BCA", settings, "vi", reason="Thuộc lĩnh vực dữ liệu."
        )
    async with db.transaction() as session:
        bca = (await proposals_repository.get(session, moved)).agency_id  # type: ignore[union-attr]
        await workflow.respond(
            session, official(bca), moved, "Trả lời.", publish=False, language="vi"
        )
    page = await client.get("/statistics", params={"from": "2026-06-01", "to": "2026-06-30"})
    table = _table(page.text)
    # BKHCN keeps the one it answered and shows the one it no longer leads as passed on; BCA
    # answers for the transferred one.
    assert table["BKHCN"][:2] == ["1", "1"]
    assert table["BKHCN"][-1] == "1"
    assert table["BCA"][:2] == ["1", "1"]
    assert table["BCA"][-1] == "0"
    assert '<th scope="col" class="num">Đã chuyển đi</th>' in page.text
    assert (
        "<p>Số ngày trả lời và mức hài lòng được tính cho cơ quan đã trả lời, kể cả khi nội dung "
        "đã được chuyển cho cơ quan khác.</p>"
    ) in page.text
    assert _headline(page.text)["Đã chuyển đi"] == "1"


async def test_a_day_is_vietnams_day_and_the_triage_queue_is_no_agency_row(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """Sent at 01:30 in Hanoi on 10 March (18:30 UTC on the 9th): it counts on the 10th, as the
    search and the API count it. One waiting in triage counts overall, in no agency's row."""
    routed = await submitted_and_routed(db, settings)
    waiting = await submitted_and_routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",
        email="khac@example.com",
    )
    assert routed.id is not None
    assert waiting.id is not None
    async with db.transaction() as session:
        for pid in (routed.id, waiting.id):
            row = await proposals_repository.get(session, pid)
            assert row is not None
            row.created_at = datetime(2026, 3, 9, 18, 30, tzinfo=UTC)
    tenth = await client.get("/statistics", params={"from": "2026-03-10", "to": "2026-03-10"})
    assert _headline(tenth.text)[VI_LABELS[0]] == "2"
    assert _table(tenth.text) == {"BKHCN": ["1", "0", "0,0%", "—", "—", "—", "0"]}
    ninth = await client.get("/statistics", params={"from": "2026-03-09", "to": "2026-03-09"})
    assert _headline(ninth.text)[VI_LABELS[0]] == "0"
