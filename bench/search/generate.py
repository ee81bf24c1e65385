"""Realistic submissions for search benchmarks: Vietnamese mostly, some English, Thai, Russian.

Titles and descriptions are assembled from phrase banks about the topics Intake receives, with a
fixed seed, so that every run (and every backend) indexes the same documents.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from search.base import SearchDocument

STATUSES = [
    ("SUBMITTED", 8),
    ("TRIAGE", 3),
    ("ROUTED", 25),
    ("ACKNOWLEDGED", 20),
    ("NEEDS_INFO", 5),
    ("RESPONDED", 25),
    ("CLOSED", 10),
    ("REJECTED", 2),
    ("MERGED", 1),
    ("WITHDRAWN", 1),
]
KINDS = [("PROPOSAL", 50), ("OBSTACLE", 35), ("RECOMMENDATION", 15)]
CATEGORIES = [
    "DIGITAL_GOVERNMENT",
    "DIGITAL_ECONOMY",
    "STRATEGIC_TECHNOLOGIES",
    "RESEARCH_FUNDING",
    "STARTUPS",
    "DATA",
    "HUMAN_RESOURCES",
    "INTELLECTUAL_PROPERTY",
    "OTHER",
]
PROVINCES = [f"P{number:02d}" for number in range(1, 35)]
MINISTRIES = ["BKHCN", "BTC", "BCT", "BGDDT", "BNV", "BTP", "BYT", "BXD", "NHNN", "BCA"]
SUBMITTER_TYPES = [
    ("CITIZEN", 40),
    ("ENTERPRISE", 30),
    ("UNIVERSITY", 8),
    ("RESEARCH_INSTITUTE", 6),
    ("MINISTRY_OR_AGENCY", 4),
    ("LOCALITY", 6),
    ("ORGANISATION", 4),
    ("OVERSEAS_EXPERT", 2),
]

VI_SUBJECTS = [
    "chuyển đổi số",
    "cơ sở dữ liệu quốc gia về dân cư",
    "quỹ phát triển khoa học và công nghệ",
    "doanh nghiệp khởi nghiệp sáng tạo",
    "thủ tục cấp phép",
    "dữ liệu mở",
    "công nghiệp bán dẫn",
    "trí tuệ nhân tạo",
    "chính phủ số",
    "thanh toán không dùng tiền mặt",
    "hạ tầng điện toán đám mây",
    "an toàn thông tin",
    "sở hữu trí tuệ",
    "kinh phí nghiên cứu",
    "chữ ký số",
    "dịch vụ công trực tuyến",
    "đào tạo nhân lực công nghệ cao",
    "thử nghiệm có kiểm soát",
    "đường truyền băng thông rộng",
    "chuyển giao công nghệ",
]
VI_ACTIONS = [
    "Đề xuất đơn giản hóa",
    "Kiến nghị tháo gỡ vướng mắc về",
    "Đẩy mạnh",
    "Sửa đổi quy định về",
    "Hỗ trợ doanh nghiệp trong",
    "Thành lập trung tâm",
    "Giảm thời gian xử lý",
    "Minh bạch hóa",
    "Ưu đãi thuế cho",
    "Xây dựng khung pháp lý cho",
]
VI_CONTEXT = [
    "Hồ sơ đã chờ hơn sáu tháng chưa có kết quả.",
    "Quy trình hiện nay yêu cầu nhiều giấy tờ trùng lặp giữa các cơ quan.",
    "Doanh nghiệp nhỏ và vừa gặp khó khăn khi tiếp cận nguồn vốn.",
    "Cần kết nối dữ liệu giữa bộ, ngành và địa phương.",
    "Thời hạn giải ngân kinh phí nghiên cứu quá ngắn so với chu kỳ đề tài.",
    "Nhiều địa phương chưa có hướng dẫn thống nhất.",
    "Đề nghị công khai tiến độ xử lý trên cổng dịch vụ công quốc gia.",
    "Chi phí tuân thủ cao làm chậm quá trình đổi mới sáng tạo.",
    "Cần cơ chế thử nghiệm có kiểm soát cho mô hình kinh doanh mới.",
    "Đường dây nóng tiếp nhận phản ánh thường xuyên quá tải.",
    "Nghị quyết 57 đặt mục tiêu đột phá về khoa học, công nghệ và chuyển đổi số.",
    "Người dân vùng sâu, vùng xa chưa tiếp cận được dịch vụ số.",
]
EN_SUBJECTS = [
    "regulatory sandbox",
    "research grants",
    "semiconductor supply chain",
    "open data portal",
    "startup visas",
    "cloud procurement",
    "digital identity",
    "technology transfer offices",
]
EN_ACTIONS = ["Simplify", "Fund", "Speed up approval of", "Open access to", "Reform rules on"]
EN_CONTEXT = [
    "Our application has waited six months without a decision.",
    "Foreign experts cannot obtain work permits in time for project start.",
    "Procurement rules prevent ministries from buying cloud services.",
    "Researchers spend a third of their time on paperwork.",
]
TH_TITLES = [
    "ข้อเสนอการเปลี่ยนผ่านสู่ดิจิทัลของหน่วยงานภาครัฐ",
    "การสนับสนุนทุนวิจัยสำหรับมหาวิทยาลัย",
    "อุปสรรคในการขอใบอนุญาตสำหรับสตาร์ทอัพ",
    "การเปิดเผยข้อมูลภาครัฐเพื่อเศรษฐกิจดิจิทัล",
]
RU_TITLES = [
    "Цифровая трансформация государственных услуг",
    "Финансирование научных исследований в университетах",
    "Препятствия при получении лицензий для стартапов",
    "Открытые данные для цифровой экономики",
]
RU_CONTEXT = [
    "Предложение по цифровой платформе для малого бизнеса.",
    "Заявка на лицензию рассматривается более шести месяцев.",
]

START = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    values = [value for value, _ in choices]
    return rng.choices(values, [weight for _, weight in choices])[0]


def _text(rng: random.Random) -> tuple[str, str]:
    language = rng.random()
    if language < 0.85:
        subject = rng.choice(VI_SUBJECTS)
        title = f"{rng.choice(VI_ACTIONS)} {subject}"
        sentences = rng.sample(VI_CONTEXT, rng.randint(2, 5))
        detail = f"Nội dung liên quan đến {rng.choice(VI_SUBJECTS)} và {subject}."
        return title, " ".join([detail, *sentences])
    if language < 0.95:
        subject = rng.choice(EN_SUBJECTS)
        title = f"{rng.choice(EN_ACTIONS)} {subject}"
        return title, " ".join(rng.sample(EN_CONTEXT, rng.randint(1, 3)))
    if language < 0.975:
        title = rng.choice(TH_TITLES)
        return title, " ".join(rng.sample(TH_TITLES, 2))
    title = rng.choice(RU_TITLES)
    return title, " ".join([rng.choice(RU_CONTEXT), rng.choice(RU_TITLES)])


def submissions(count: int, *, seed: int = 57) -> Iterator[SearchDocument]:
    rng = random.Random(seed)
    span = (NOW - START).total_seconds()
    for number in range(1, count + 1):
        title, description = _text(rng)
        kind = _weighted(rng, KINDS)
        status = _weighted(rng, STATUSES)
        province = rng.choice(PROVINCES) if rng.random() < 0.7 else None
        if status in ("SUBMITTED", "TRIAGE"):
            agency = None
        elif kind == "OBSTACLE" and province:
            agency = f"UBND-{province}"
        else:
            agency = rng.choice(MINISTRIES)
        history: tuple[str, ...] = (agency,) if agency else ()
        if agency and rng.random() < 0.1:
            history = (rng.choice(MINISTRIES), agency)
        created_at = START + timedelta(seconds=span * number / count)
        deadline = created_at + timedelta(days=21) if agency else None
        yield SearchDocument(
            id=number,
            tracking_code=f"B{number:09d}",
            kind=kind,
            status=status,
            title=title,
            description=description,
            category=rng.choice(CATEGORIES),
            province=province,
            agency=agency,
            agencies=history,
            submitter_type=_weighted(rng, SUBMITTER_TYPES),
            published=rng.random() < 0.6,
            created_at=created_at,
            deadline=deadline,
        )


QUERIES = [
    "chuyen doi so",
    "du lieu",
    "ban dan",
    "thu tuc cap phep",
    "kinh phi nghien cuu",
    "khoi nghiep",
    "tri tue nhan tao",
    "chu ky so",
    "dich vu cong",
    "quy phat trien",
    "sandbox",
    "research grants",
    "ดิจิทัล",
    "цифровая",
    "ha tang",
    "an toan thong tin",
    "chinh phu so",
    "c",
    "chuyen",
    "doanh nghiep nho",
]
