"""The demo national directory: ministries, the secretariat, 34 provinces, topic categories."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.directory.models import AgencyKind

SECRETARIAT_CODE = "THUONGTRUC"


@dataclass(frozen=True, slots=True)
class AgencyEntry:
    code: str
    name_vi: str
    name_en: str
    kind: AgencyKind


@dataclass(frozen=True, slots=True)
class ProvinceEntry:
    code: str
    name_vi: str
    name_en: str
    is_city: bool

    @property
    def agency_code(self) -> str:
        return f"UBND-{self.code}"


@dataclass(frozen=True, slots=True)
class CategoryEntry:
    code: str
    name_vi: str
    name_en: str
    agency_code: str | None


MINISTRIES: tuple[AgencyEntry, ...] = tuple(
    AgencyEntry(code, vi, en, AgencyKind.MINISTRY)
    for code, vi, en in (
        ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"),
        ("BTC", "Bộ Tài chính", "Ministry of Finance"),
        ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs"),
        ("BTP", "Bộ Tư pháp", "Ministry of Justice"),
        ("BCA", "Bộ Công an", "Ministry of Public Security"),
        ("BQP", "Bộ Quốc phòng", "Ministry of National Defence"),
        ("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs"),
        ("BCT", "Bộ Công Thương", "Ministry of Industry and Trade"),
        ("BNNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"),
        ("BXD", "Bộ Xây dựng", "Ministry of Construction"),
        ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism"),
        ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
        ("BYT", "Bộ Y tế", "Ministry of Health"),
        ("BDTTG", "Bộ Dân tộc và Tôn giáo", "Ministry of Ethnic Minorities and Religions"),
        ("NHNN", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam"),
        ("TTCP", "Thanh tra Chính phủ", "Government Inspectorate"),
        ("VPCP", "Văn phòng Chính phủ", "Government Office"),
    )
)

SECRETARIAT = AgencyEntry(
    SECRETARIAT_CODE,
    "Văn phòng Thường trực Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, "
    "đổi mới sáng tạo và chuyển đổi số",
    "Standing Office of the Central Steering Committee for Science, Technology, "
    "Innovation and Digital Transformation",
    AgencyKind.SECRETARIAT,
)


def ascii_code(name: str) -> str:
    """'Đắk Lắk' -> 'DAK-LAK': the ASCII name in capitals with hyphens."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").upper()


_CITIES = (
    ("Hà Nội", "Hanoi"),
    ("Huế", "Hue"),
    ("Hải Phòng", "Hai Phong"),
    ("Đà Nẵng", "Da Nang"),
    ("Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
    ("Cần Thơ", "Can Tho"),
)
_PROVINCES = (
    "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh",
    "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
)  # fmt: skip


def _province_code(name_vi: str) -> str:
    return "HO-CHI-MINH" if name_vi == "Thành phố Hồ Chí Minh" else ascii_code(name_vi)


PROVINCES: tuple[ProvinceEntry, ...] = tuple(
    [ProvinceEntry(_province_code(vi), vi, en, True) for vi, en in _CITIES]
    + [
        ProvinceEntry(_province_code(vi), vi, ascii_code(vi).replace("-", " ").title(), False)
        for vi in _PROVINCES
    ]
)


def _people_committee(province: ProvinceEntry) -> AgencyEntry:
    if province.code == "HO-CHI-MINH":
        vi, en = "Ủy ban nhân dân Thành phố Hồ Chí Minh", "Ho Chi Minh City People's Committee"
    elif province.is_city:
        vi = f"Ủy ban nhân dân thành phố {province.name_vi}"
        en = f"{province.name_en} City People's Committee"
    else:
        vi = f"Ủy ban nhân dân tỉnh {province.name_vi}"
        en = f"{province.name_en} Provincial People's Committee"
    return AgencyEntry(province.agency_code, vi, en, AgencyKind.PROVINCE)


AGENCIES: tuple[AgencyEntry, ...] = (
    *MINISTRIES,
    SECRETARIAT,
    *(_people_committee(p) for p in PROVINCES),
)

# The agency a proposal on each topic reaches first; None sends it to the secretariat's triage.
CATEGORIES: tuple[CategoryEntry, ...] = tuple(
    CategoryEntry(code, vi, en, agency)
    for code, vi, en, agency in (
        ("INSTITUTIONS", "Thể chế, chính sách", "Institutions and policy", "BTP"),
        ("DIGITAL_INFRASTRUCTURE", "Hạ tầng số", "Digital infrastructure", "BKHCN"),
        ("DATA", "Dữ liệu và cơ sở dữ liệu", "Data and databases", "BCA"),
        (
            "DIGITAL_GOVERNMENT",
            "Chính phủ số và dịch vụ công",
            "Digital government and public services",
            "VPCP",
        ),
        (
            "DIGITAL_ECONOMY",
            "Kinh tế số và doanh nghiệp",
            "Digital economy and enterprises",
            "BKHCN",
        ),
        (
            "RESEARCH_FUNDING",
            "Khoa học và tài trợ nghiên cứu",
            "Science and research funding",
            "BKHCN",
        ),
        ("INNOVATION", "Đổi mới sáng tạo và khởi nghiệp", "Innovation and startups", "BKHCN"),
        ("HUMAN_RESOURCES", "Nhân lực và đào tạo", "Human resources and training", "BGDDT"),
        ("CYBERSECURITY", "An ninh mạng", "Cybersecurity", "BCA"),
        (
            "STRATEGIC_TECHNOLOGIES",
            "Công nghệ chiến lược (bán dẫn, trí tuệ nhân tạo)",
            "Strategic technologies (semiconductors, AI)",
            "BKHCN",
        ),
        (
            "IP_TECH_TRANSFER",
            "Sở hữu trí tuệ và chuyển giao công nghệ",
            "Intellectual property and technology transfer",
            "BKHCN",
        ),
        ("FINANCE_INVESTMENT", "Tài chính, đầu tư và thuế", "Finance, investment and tax", "BTC"),
        ("OTHER", "Khác", "Other", None),
    )
)
