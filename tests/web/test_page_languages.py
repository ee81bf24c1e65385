"""Officials' pages that show routing reasons and change histories speak the page's language:
no English reason or history text on a Vietnamese page, English on the English one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
from babel.messages.pofile import read_po
from sqlmodel import select
from starlette.applications import Starlette

from search.documents import index_proposal
from service.accounts import service as accounts
from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role, User
from service.demo import SECRETARIAT_EMAIL, reviewer_email
from service.holidays import service as holidays
from service.i18n import LOCALES_DIR
from service.proposals import service as proposals
from service.proposals.models import ProposalStatus
from service.routing import service as routing
from service.routing.service import Routed, route_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, official, submission
from tests.fixtures.api import bearer
from tests.graphql_client import execute
from tests.web.helpers import sign_in_secretariat

# English a Vietnamese page must not show: reason and history framings, actor labels.
ENGLISH = (
    "keyword:",
    "keywords:",
    "competent for",
    "precedent:",
    "confidence",
    "below",
    "the secretariat decides",
    "decided by",
    "declined by",
    "near-duplicate",
    "subject of the title",
    "role:",
    "agency:",
    "(system)",
)
# Who acted, as histories store it; the audit log's filter takes these labels (and says so).
LABELS = re.compile(r"\b(?:user|token):\d+")
FILTER_HINT = "Người thực hiện (email, user:3 hoặc token:5)"
ENGLISH_WORDS = re.compile(r"\b(?:rule \d+|created|changed|deleted|added|renamed|removed|cli)\b")

CAMPAIGN: dict[str, Any] = {
    "category": "OTHER",
    "title": "Mở lại tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh",
    "description": "Cư dân khu Hòa Khánh đề nghị mở lại tuyến xe buýt điện số 12 đã dừng "
    "chạy từ tháng trước, vì hàng nghìn công nhân không còn phương tiện đi làm.",
}


@dataclass(frozen=True, slots=True)
class Scene:
    routed: Routed  # by keywords and competence, then declined by its agency
    first: Routed  # a campaign's first letter, assigned by the secretariat
    precedent: Routed  # routed by an earlier triage assignment
    duplicate: Routed  # a copy of the campaign letter
    triaged: Routed  # below the threshold
    official_id: int
    rule_id: int
    holiday: date


async def _route(runtime: Runtime, settings: Settings, **fields: Any) -> Routed:
    async with runtime.db.transaction() as session:
        proposal = await proposals.submit_proposal(session, submission(**fields), settings, "vi")
    assert proposal.id is not None
    async with runtime.db.transaction() as session:
        routed = await route_proposal(session, proposal.id, settings, runtime.search)
    assert routed is not None
    async with runtime.db.session() as session:
        await index_proposal(session, runtime.search, proposal.id)
    return routed


async def _scene(app: Starlette, client: httpx.AsyncClient, settings: Settings) -> Scene:
    """Submissions routed the real way (rules, keywords, competences, precedent, duplicates,
    triage, a decline), and histories of an account, a rule, an agency and a holiday."""
    runtime: Runtime = app.state.runtime
    db = runtime.db
    routed = await _route(runtime, settings, email="a@example.com")
    assert routed.agency.code == "BKHCN"
    first = await _route(runtime, settings, email="b@example.com", **CAMPAIGN)
    assert first.status is ProposalStatus.TRIAGE
    assert first.proposal.id is not None
    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, first.proposal.id, "UBND-DA-NANG", settings, "vi"
        )
    async with db.session() as session:
        await index_proposal(session, runtime.search, first.proposal.id)
    precedent = await _route(
        runtime,
        settings,
        email="c@example.com",
        category="OTHER",
        title="Đề nghị mở lại tuyến xe buýt điện số 12 ở Hòa Khánh",
        description="Tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh dừng chạy, công nhân "
        "không có phương tiện đi làm; đề nghị mở lại.",
    )
    duplicate = await _route(runtime, settings, email="d@example.com", **CAMPAIGN)
    triaged = await _route(
        runtime,
        settings,
        email="e@example.com",
        category="OTHER",
        title="Giấy phép lao động và bảo hiểm cho chuyên gia dạy đại học",
        description="Chuyên gia nước ngoài thỉnh giảng ở trường đại học vướng giấy phép lao động.",
    )
    assert triaged.status is ProposalStatus.TRIAGE
    assert routed.proposal.id is not None
    async with db.transaction() as session:
        reviewer = (
            await session.exec(select(User).where(User.email == reviewer_email("BKHCN")))
        ).one()
        secretariat = (
            await session.exec(select(User).where(User.email == SECRETARIAT_EMAIL))
        ).one()
        decliner = official(routed.agency.id, user_id=reviewer.id or 0)
        await workflow.decline(
            session, decliner, routed.proposal.id, "Không thuộc thẩm quyền của Bộ.", "vi"
        )
        admin = Actor(ActorKind.USER, role=Role.SECRETARIAT, user_id=secretariat.id)
        created, _ = await accounts.create_official(
            session,
            admin,
            email="lan@most.gov.vn",
            name="Nguyễn Thị Lan",
            role="REVIEWER",
            agency_code="BKHCN",
            password="",
            language="vi",
        )
        assert created.id is not None
        await accounts.update_official(
            session, admin, created.id, role="AGENCY_ADMIN", agency_code="BTC", language="vi"
        )
        rule = await routing.save_rule(
            session,
            admin.label,
            {"kind": "PROPOSAL", "keywords_vi": "xe buýt điện", "lead": "BXD", "weight": "6"},
            "vi",
        )
        assert rule.id is not None
        await routing.update_agency_competences(
            session,
            admin.label,
            "BKHCN",
            "vi",
            categories=[
                "DIGITAL_ECONOMY",
                "DIGITAL_INFRASTRUCTURE",
                "INNOVATION",
                "IP_TECH_TRANSFER",
                "RESEARCH_FUNDING",
                "STRATEGIC_TECHNOLOGIES",
                "HUMAN_RESOURCES",
            ],
            keywords_vi=["đổi mới sáng tạo"],
            keywords_en=["innovation"],
        )
        # This year's (the page shows it), on a working day: the last one of December.
        holiday = date(date.today().year, 12, 31)
        holiday -= timedelta(days=max(0, holiday.weekday() - 4))
        await holidays.save_holiday(session, admin.label, holiday, "Nghỉ cuối năm", "vi")
    token = await bearer(db, Role.SECRETARIAT, None, "cổng liên thông")
    changed = await execute(
        client,
        "SaveRoutingRule",
        {
            "input": {
                "id": str(rule.id),
                "kinds": ["PROPOSAL", "OBSTACLE"],
                "keywordsVi": ["xe buýt điện"],
                "lead": "BXD",
                "cooperating": ["BKHCN"],
                "weight": 8,
                "active": False,
            }
        },
        headers=token,
    )
    assert changed["saveRoutingRule"]["rule"]["updatedBy"].startswith("token:")
    return Scene(routed, first, precedent, duplicate, triaged, created.id, rule.id, holiday)


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside script and style, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.nodes.append(text)


def visible(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def _translated_msgids() -> list[tuple[str, re.Pattern[str]]]:
    """Every English message whose Vietnamese differs, as a pattern finding it in a text node:
    whole for a plain message, its words around the placeholders for one with arguments."""
    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    found: list[tuple[str, re.Pattern[str]]] = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not isinstance(msgid, str) or not msgid or msgid in strings:
                continue
            parts = re.split(r"%\([a-z_]+\)s", msgid)
            if len(parts) == 1:
                found.append((msgid, re.compile(rf"^{re.escape(msgid)}$")))
            elif any(re.search(r"[A-Za-z]{3}", part) for part in parts):
                pattern = r"\S.*?".join(re.escape(part) for part in parts)
                found.append((msgid, re.compile(pattern)))
    return found


async def _pages(client: httpx.AsyncClient, scene: Scene) -> dict[str, str]:
    paths = {
        "routed detail": f"/inbox/{scene.routed.proposal.id}",
        "precedent detail": f"/inbox/{scene.precedent.proposal.id}",
        "duplicate detail": f"/inbox/{scene.duplicate.proposal.id}",
        "triaged detail": f"/inbox/{scene.triaged.proposal.id}",
        "triage": "/secretariat/triage",
        "user": f"/admin/users/{scene.official_id}",
        "agency": "/admin/agencies/BKHCN",
        "rule": f"/admin/rules/{scene.rule_id}",
        "rules": "/admin/rules",
        "holidays": f"/admin/holidays?year={scene.holiday.year}",
        "audit": "/admin/audit",
    }
    pages = {}
    for name, path in paths.items():
        response = await client.get(path)
        assert response.status_code == 200, name
        pages[name] = response.text
    return pages


async def test_officials_pages_show_reasons_and_histories_in_vietnamese(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    scene = await _scene(app, client, settings)
    await sign_in_secretariat(client)
    pages = await _pages(client, scene)
    messages = _translated_msgids()
    for name, html in pages.items():
        nodes = [node for node in visible(html) if node != FILTER_HINT]
        text = "\n".join(nodes)
        assert LABELS.findall(text) == [], name
        assert [e for e in ENGLISH if e in text] == [], name
        assert ENGLISH_WORDS.findall(text) == [], name
        leftovers = {msgid for node in nodes for msgid, found in messages if found.search(node)}
        assert leftovers == set(), name

    def note(page: str) -> str:
        return "\n".join(re.findall(r'<p class="event-note">([^<]*)</p>', pages[page]))

    routed = note("routed detail")
    assert re.search(r"Bộ Khoa học và Công nghệ: độ tin cậy \d,\d\d", routed)
    assert "từ khóa: " in routed
    assert "có thẩm quyền về Kinh tế số và doanh nghiệp" in routed
    assert "Không thuộc thẩm quyền của Bộ." in routed
    first = scene.first.proposal.tracking_code
    assert re.search(rf"tiền lệ: {first} \(0,\d\d\)", note("precedent detail"))
    assert f"gần trùng với {first}" in note("duplicate detail")
    assert re.search(
        r"^độ tin cậy 0,\d\d thấp hơn ngưỡng 0,50: Văn phòng Thường trực quyết định; từ khóa: ",
        note("triaged detail"),
    )
    assert "(hệ thống)" in pages["routed detail"]
    triage = pages["triage"]
    assert (
        "<strong>Bộ Khoa học và Công nghệ đã từ chối:</strong> Không thuộc thẩm quyền của Bộ."
        in triage
    )
    waiting = r"<strong>Lý do chờ phân loại:</strong> độ tin cậy 0,\d\d thấp hơn ngưỡng 0,50"
    assert re.search(waiting, triage)
    assert (
        "<li>Vai trò: Cán bộ xử lý → Quản trị viên cơ quan</li>"
        "<li>Cơ quan: Bộ Khoa học và Công nghệ → Bộ Tài chính</li>" in pages["user"]
    )
    assert "<td>Đã tạo</td>" in pages["user"]
    assert "<td>Lĩnh vực</td>" in pages["agency"]
    assert "dòng lệnh" in pages["agency"]
    rule = pages["rule"]
    assert "mã truy cập API “cổng liên thông”" in rule
    assert "<li>Loại: Đề xuất → Đề xuất; Phản ánh vướng mắc</li>" in rule
    assert "<li>Cơ quan phối hợp: — → Bộ Khoa học và Công nghệ</li>" in rule
    assert "<li>Trọng số: 6 → 8</li>" in rule
    assert "<li>Đang hoạt động: Có → Không</li>" in rule
    assert "<td>Ủy ban nhân dân tỉnh, thành phố nơi phát sinh nội dung</td>" in pages["rules"]
    assert "Phản ánh vướng mắc; tỉnh, thành phố mà nội dung nêu;" in pages["rules"]
    assert "<td>Đã thêm</td>" in pages["holidays"]
    assert SECRETARIAT_EMAIL in pages["audit"]


async def test_the_same_pages_in_english(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    scene = await _scene(app, client, settings)
    await sign_in_secretariat(client)
    client.cookies.set("intake_lang", "en")
    pages = await _pages(client, scene)
    for name, html in pages.items():
        text = "\n".join(visible(html))
        assert not re.search(r"độ tin cậy|từ khóa|Vai trò|Đã tạo|hệ thống|dòng lệnh", text), name
    assert re.search(
        r"Ministry of Science and Technology: confidence \d\.\d\d", pages["routed detail"]
    )
    assert "competent for Digital economy and enterprises" in pages["routed detail"]
    assert "(the system)" in pages["routed detail"]
    first = scene.first.proposal.tracking_code
    assert re.search(rf"precedent: {first} \(0\.\d\d\)", pages["precedent detail"])
    assert f"near-duplicate of {first}" in pages["duplicate detail"]
    assert re.search(r"confidence 0\.\d\d is below 0\.50: the secretariat decides", pages["triage"])
    assert (
        "<li>Role: Reviewer → Agency administrator</li>"
        "<li>Agency: Ministry of Science and Technology → Ministry of Finance</li>" in pages["user"]
    )
    assert "API token “cổng liên thông”" in pages["rule"]
    assert "<li>Weight: 6 → 8</li>" in pages["rule"]
    assert "the command line" in pages["agency"]
