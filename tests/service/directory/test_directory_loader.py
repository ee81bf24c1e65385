"""Reading the directory's data files: the shipped data, and every kind of mistake in a copy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from search.text import fold
from service.directory.loader import (
    DATA_DIR,
    FILES,
    DirectoryError,
    InvalidDirectory,
    parse_directory,
    read_directory,
)
from service.directory.models import AgencyKind
from tests.service.directory.directory_files import (
    append_row,
    copy_directory,
    drop_row,
    edit_row,
    line_of,
)

MINISTRIES = (
    "BKHCN", "BTC", "BNV", "BTP", "BCA", "BQP", "BNG", "BCT", "BNNMT", "BXD", "BVHTTDL",
    "BGDDT", "BYT", "BDTTG", "NHNN", "TTCP", "VPCP",
)  # fmt: skip

# The 63 provincial units before the July 2025 reorganisation.
FORMER_PROVINCES = (
    "Hà Nội", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Thừa Thiên Huế",
    "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu",
    "Sơn La", "Yên Bái", "Hòa Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang",
    "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hưng Yên", "Thái Bình", "Hà Nam",
    "Nam Định", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị",
    "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận",
    "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước",
    "Tây Ninh", "Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang",
    "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang",
    "Sóc Trăng", "Bạc Liêu", "Cà Mau",
)  # fmt: skip


def _errors(directory: Path) -> list[str]:
    with pytest.raises(InvalidDirectory) as caught:
        read_directory(directory)
    assert str(caught.value) == "\n".join(str(e) for e in caught.value.errors)
    return [str(error) for error in caught.value.errors]


def test_the_shipped_directory_reads_without_errors() -> None:
    data = read_directory()
    kinds = [a.kind for a in data.agencies]
    assert data.version == "2025.07.1"
    assert len(data.checksum) == 64
    assert (len(data.agencies), len(data.provinces), len(data.categories)) == (52, 34, 13)
    assert (kinds.count(AgencyKind.MINISTRY), kinds.count(AgencyKind.PROVINCE)) == (17, 34)
    assert [a.code for a in data.agencies if a.kind is AgencyKind.MINISTRY] == list(MINISTRIES)
    assert {p.agency_code for p in data.provinces} <= {a.code for a in data.agencies}


def test_every_ministry_lists_competences_and_a_contact() -> None:
    data = read_directory()
    for agency in data.agencies:
        if agency.kind is AgencyKind.MINISTRY:
            assert len(agency.keywords_vi) >= 12, agency.code
            assert len(agency.keywords_en) >= 12, agency.code
            assert agency.emails, agency.code


def test_each_of_the_63_former_provinces_is_a_current_name_or_an_alias() -> None:
    data = read_directory()
    names = {fold(p.name_vi): p.code for p in data.provinces}
    names |= {fold(alias): p.code for p in data.provinces for alias in p.aliases}
    missing = [name for name in FORMER_PROVINCES if fold(name) not in names]
    assert missing == []
    # Besides: Huế, the city Thừa Thiên Huế became in January 2025, and short forms.
    assert sorted(set(names) - {fold(n) for n in FORMER_PROVINCES}) == ["hue", "tp.hcm", "tphcm"]
    merged_into = {alias: p.code for p in data.provinces for alias in p.aliases}
    assert merged_into["Bắc Giang"] == "BAC-NINH"
    assert merged_into["Hà Giang"] == "TUYEN-QUANG"
    assert merged_into["Quảng Nam"] == "DA-NANG"
    assert merged_into["Bình Dương"] == merged_into["Bà Rịa - Vũng Tàu"] == "HO-CHI-MINH"
    assert merged_into["Hà Nam"] == merged_into["Nam Định"] == "NINH-BINH"
    assert merged_into["Kon Tum"] == "QUANG-NGAI"
    assert merged_into["Bình Định"] == "GIA-LAI"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    (directory / "provinces.csv").unlink()
    assert _errors(directory) == [f"provinces.csv: missing from {directory}"]


def test_header_problems_name_the_column(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    path = directory / "categories.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("default_agency", "agency", 1), encoding="utf-8"
    )
    assert _errors(directory) == [
        "categories.csv line 1, field default_agency: missing column",
        "categories.csv line 1, field agency: unknown column: "
        "the columns are code, name_vi, name_en and default_agency",
    ]


def test_a_row_with_a_field_too_many_names_its_line(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    path = directory / "provinces.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _errors(directory) == ["provinces.csv line 10: 6 fields where 5 are expected"]


def test_required_fields_and_codes(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    line = edit_row(directory, "agencies.csv", "BYT", name_en="", kind="")
    extra = append_row(directory, "agencies.csv", code="bộ mới", kind="MINISTRY")
    assert _errors(directory) == [
        f"agencies.csv line {line}, field name_en: required",
        f"agencies.csv line {line}, field kind: required",
        f'agencies.csv line {extra}, field code: "bộ mới" is not a code: '
        "capitals, digits and hyphens, like UBND-HA-NOI",
    ]


def test_an_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    line = edit_row(directory, "agencies.csv", "TTCP", kind="AGENCY")
    assert _errors(directory) == [
        f'agencies.csv line {line}, field kind: unknown kind "AGENCY": '
        "write MINISTRY, PROVINCE or SECRETARIAT"
    ]


def test_a_duplicate_code_names_both_lines(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    first = line_of(directory, "categories.csv", "DATA")
    line = append_row(directory, "categories.csv", code="DATA", name_vi="Dữ liệu", name_en="Data")
    assert _errors(directory) == [
        f'categories.csv line {line}, field code: duplicate code "DATA" (first on line {first})'
    ]


def test_unknown_references_are_named(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    parent = edit_row(directory, "agencies.csv", "BYT", parent="BXYZ")
    category = edit_row(directory, "agencies.csv", "BCT", categories="DIGITAL_ECONOMY;TRADE")
    default = edit_row(directory, "categories.csv", "OTHER", default_agency="BKHDT")
    assert category < parent
    assert _errors(directory) == [
        f'agencies.csv line {category}, field categories: unknown category code "TRADE"',
        f'agencies.csv line {parent}, field parent: unknown agency code "BXYZ"',
        f'categories.csv line {default}, field default_agency: unknown agency code "BKHDT"',
    ]


def test_a_default_agency_must_be_competent_for_its_category(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    line = edit_row(directory, "categories.csv", "CYBERSECURITY", default_agency="BYT")
    assert _errors(directory) == [
        f"categories.csv line {line}, field default_agency: "
        "agency BYT does not list CYBERSECURITY among its categories"
    ]


def test_parent_cycles_are_reported_once_on_their_first_line(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    byt = edit_row(directory, "agencies.csv", "BYT", parent="CUC-A")
    cuc_a = append_row(
        directory, "agencies.csv", code="CUC-A", kind="MINISTRY", parent="CUC-B",
        name_vi="Cục A", name_en="Department A",
    )  # fmt: skip
    append_row(
        directory, "agencies.csv", code="CUC-B", kind="MINISTRY", parent="CUC-A",
        name_vi="Cục B", name_en="Department B",
    )  # fmt: skip
    itself = edit_row(directory, "agencies.csv", "TTCP", parent="TTCP")
    assert byt < itself < cuc_a
    assert _errors(directory) == [
        f"agencies.csv line {itself}, field parent: agency parents form a cycle: TTCP → TTCP",
        f"agencies.csv line {cuc_a}, field parent: "
        "agency parents form a cycle: CUC-A → CUC-B → CUC-A",
    ]


def test_a_parent_chain_without_a_cycle_is_accepted(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    append_row(
        directory, "agencies.csv", code="CUC-SHTT", kind="MINISTRY", parent="BKHCN",
        name_vi="Cục Sở hữu trí tuệ", name_en="Intellectual Property Office",
        categories="IP_TECH_TRANSFER", keywords_vi="sáng chế;nhãn hiệu",
    )  # fmt: skip
    [office] = [a for a in read_directory(directory).agencies if a.code == "CUC-SHTT"]
    assert (office.parent, office.categories, office.keywords_vi) == (
        "BKHCN",
        ("IP_TECH_TRANSFER",),
        ("sáng chế", "nhãn hiệu"),
    )


def test_bad_emails_and_day_counts(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    line = edit_row(
        directory, "agencies.csv", "BCA",
        emails="tiepnhan@bca.gov.vn; bca at gov.vn", acknowledge_days="ba", respond_days="0",
    )  # fmt: skip
    assert _errors(directory) == [
        f'agencies.csv line {line}, field emails: not an email address: "bca at gov.vn"',
        f'agencies.csv line {line}, field acknowledge_days: "ba" is not a number of days '
        "from 1 to 365; empty means the default",
        f'agencies.csv line {line}, field respond_days: "0" is not a number of days '
        "from 1 to 365; empty means the default",
    ]


def test_an_agency_with_a_bad_field_is_not_also_reported_as_unknown(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    line = edit_row(directory, "agencies.csv", "BTP", emails="not-an-email")
    assert _errors(directory) == [
        f'agencies.csv line {line}, field emails: not an email address: "not-an-email"'
    ]


def test_day_counts_are_read_as_overrides(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    edit_row(directory, "agencies.csv", "BYT", acknowledge_days="2", respond_days="10")
    [byt] = [a for a in read_directory(directory).agencies if a.code == "BYT"]
    assert (byt.acknowledge_days, byt.respond_days) == (2, 10)


def test_alias_clashes(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    hue = edit_row(directory, "provinces.csv", "HUE", aliases="Thừa Thiên Huế;Ha Noi")
    ha_noi = edit_row(directory, "provinces.csv", "HA-NOI", aliases="Bắc Giang;HÀ NỘI")
    bac_ninh = line_of(directory, "provinces.csv", "BAC-NINH")
    assert _errors(directory) == [
        f'provinces.csv line {ha_noi}, field aliases: alias "Bắc Giang" is also an alias of '
        "BAC-NINH",
        f'provinces.csv line {ha_noi}, field aliases: alias "HÀ NỘI" is already the name of HA-NOI',
        f'provinces.csv line {hue}, field aliases: alias "Ha Noi" is already the name of HA-NOI',
        f'provinces.csv line {bac_ninh}, field aliases: alias "Bắc Giang" is also an alias of '
        "HA-NOI",
    ]


def test_a_province_needs_its_peoples_committee(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    drop_row(directory, "agencies.csv", "UBND-CA-MAU")
    edit_row(directory, "agencies.csv", "UBND-SON-LA", kind="MINISTRY")
    ca_mau = line_of(directory, "provinces.csv", "CA-MAU")
    son_la = line_of(directory, "provinces.csv", "SON-LA")
    assert _errors(directory) == [
        f"provinces.csv line {son_la}, field code: "
        "agency UBND-SON-LA has kind MINISTRY, not PROVINCE",
        f"provinces.csv line {ca_mau}, field code: "
        "no agency UBND-CA-MAU in agencies.csv for its People's Committee",
    ]


def test_is_city_must_be_true_or_false(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    line = edit_row(directory, "provinces.csv", "CAN-THO", is_city="yes")
    assert _errors(directory) == [
        f'provinces.csv line {line}, field is_city: write true or false, not "yes"'
    ]


def test_the_secretariat_cannot_be_removed(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    drop_row(directory, "agencies.csv", "THUONGTRUC")
    assert _errors(directory) == [
        "agencies.csv, field code: the secretariat THUONGTRUC is missing: it triages the rest"
    ]


def test_text_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    path = directory / "categories.csv"
    path.write_bytes(path.read_bytes().replace("Khác".encode(), "Khác".encode("cp1258")))
    assert _errors(directory) == ["categories.csv line 14: not UTF-8 text: save the file as UTF-8"]


def test_every_error_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    (directory / "VERSION").write_text("\n", encoding="utf-8")
    edit_row(directory, "agencies.csv", "BNG", emails="x")
    edit_row(directory, "provinces.csv", "LAI-CHAU", name_vi="")
    edit_row(directory, "categories.csv", "DATA", name_en="")
    with pytest.raises(InvalidDirectory) as caught:
        read_directory(directory)
    assert [(e.file, e.field) for e in caught.value.errors] == [
        ("agencies.csv", "emails"),
        ("provinces.csv", "name_vi"),
        ("categories.csv", "name_en"),
        ("VERSION", None),
    ]


def test_an_error_reads_as_file_line_field_and_message() -> None:
    error = DirectoryError("agencies.csv", 12, "parent", 'unknown agency code "BXYZ"')
    assert str(error) == 'agencies.csv line 12, field parent: unknown agency code "BXYZ"'
    assert str(DirectoryError("VERSION", None, None, "empty")) == "VERSION: empty"


def test_every_province_has_places_and_each_place_names_one_province() -> None:
    data = read_directory()
    by_province = Counter(place.province for place in data.places)
    assert sorted(by_province) == sorted(p.code for p in data.provinces)
    assert min(by_province.values()) >= 4
    where = {place.name: place.province for place in data.places}
    assert (where["Thủ Đức"], where["Vũng Tàu"], where["Sài Gòn"]) == ("HO-CHI-MINH",) * 3
    assert (where["Quy Nhơn"], where["Pleiku"]) == ("GIA-LAI", "GIA-LAI")
    assert (where["Hội An"], where["Phú Quốc"], where["Sa Pa"]) == (
        "DA-NANG",
        "AN-GIANG",
        "LAO-CAI",
    )


def test_place_problems_name_the_line_and_field(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    first = append_row(directory, "places.csv", name="Thủ Đức", province="HA-NOI", kind="city")
    bad = append_row(directory, "places.csv", name="Cao Bằng", province="HUE", kind="town")
    unknown = append_row(directory, "places.csv", name="Xóm Mới", province="HA-TAY", kind="")
    thu_duc = line_of(directory, "places.csv", "Thủ Đức")
    assert _errors(directory) == [
        f'places.csv line {first}, field name: "Thủ Đức" is already a place of HO-CHI-MINH '
        f"(line {thu_duc})",
        f'places.csv line {bad}, field name: "Cao Bằng" is already a name of CAO-BANG',
        f'places.csv line {bad}, field kind: unknown kind "town": write city, district or place',
        f'places.csv line {unknown}, field province: unknown province code "HA-TAY"',
        f"places.csv line {unknown}, field kind: required",
    ]


@pytest.mark.parametrize(
    ("missing", "file", "code", "fields", "expected"),
    [
        # Without agencies.csv, no default agency and no People's Committee can be checked.
        (
            "agencies.csv", "categories.csv", "DATA", {"name_en": ""},
            ["agencies.csv: missing from {directory}",
             "categories.csv line {line}, field name_en: required"],
        ),
        # Without categories.csv, no agency's categories can be checked.
        (
            "categories.csv", "agencies.csv", "BCA", {"emails": "x"},
            ['agencies.csv line {line}, field emails: not an email address: "x"',
             "categories.csv: missing from {directory}"],
        ),
        # Without provinces.csv, no place's province can be checked.
        (
            "provinces.csv", "places.csv", None,
            {"name": "Xóm Mới", "province": "HA-TAY", "kind": ""},
            ["provinces.csv: missing from {directory}",
             "places.csv line {line}, field kind: required"],
        ),
        (
            "places.csv", "provinces.csv", "CAN-THO", {"is_city": "yes"},
            ['provinces.csv line {line}, field is_city: write true or false, not "yes"',
             "places.csv: missing from {directory}"],
        ),
        (
            "VERSION", "agencies.csv", "BYT", {"kind": ""},
            ["agencies.csv line {line}, field kind: required", "VERSION: missing from {directory}"],
        ),
    ],
)  # fmt: skip
def test_a_missing_file_is_named_with_the_errors_of_the_others(
    tmp_path: Path,
    missing: str,
    file: str,
    code: str | None,
    fields: dict[str, str],
    expected: list[str],
) -> None:
    directory = copy_directory(tmp_path)
    (directory / missing).unlink()
    if code is None:
        line = append_row(directory, file, **fields)
    else:
        line = edit_row(directory, file, code, **fields)
    assert _errors(directory) == [e.format(directory=directory, line=line) for e in expected]


def test_an_unreadable_file_is_named_with_the_errors_of_the_others(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    (directory / "agencies.csv").unlink()
    (directory / "agencies.csv").mkdir()  # unreadable as a file, even by root
    line = append_row(directory, "places.csv", name="Xóm Mới", province="HA-TAY", kind="place")
    (directory / "VERSION").unlink()
    assert _errors(directory) == [
        "agencies.csv: cannot be read: Is a directory",
        f'places.csv line {line}, field province: unknown province code "HA-TAY"',
        f"VERSION: missing from {directory}",
    ]


def test_parsing_names_a_file_left_out_of_the_contents() -> None:
    contents = {name: (DATA_DIR / name).read_bytes() for name in FILES if name != "VERSION"}
    with pytest.raises(InvalidDirectory) as caught:
        parse_directory(contents)
    assert [str(error) for error in caught.value.errors] == ["VERSION: missing"]


def test_a_bad_province_row_leaves_the_places_checked(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    can_tho = edit_row(directory, "provinces.csv", "CAN-THO", is_city="yes")  # has places
    drop_row(directory, "agencies.csv", "UBND-CA-MAU")  # an error filed under provinces.csv
    ca_mau = line_of(directory, "provinces.csv", "CA-MAU")
    place = append_row(directory, "places.csv", name="Xóm Mới", province="HA-TAY", kind="place")
    assert _errors(directory) == [
        f'provinces.csv line {can_tho}, field is_city: write true or false, not "yes"',
        f"provinces.csv line {ca_mau}, field code: "
        "no agency UBND-CA-MAU in agencies.csv for its People's Committee",
        f'places.csv line {place}, field province: unknown province code "HA-TAY"',
    ]


def test_a_row_with_a_field_too_many_still_counts_as_its_code(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    path = directory / "provinces.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[9].startswith("SON-LA,")  # the places of SON-LA are not unknown
    lines[9] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    place = append_row(directory, "places.csv", name="Xóm Mới", province="HA-TAY", kind="place")
    assert _errors(directory) == [
        "provinces.csv line 10: 6 fields where 5 are expected",
        f'places.csv line {place}, field province: unknown province code "HA-TAY"',
    ]
