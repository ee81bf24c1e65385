"""The directory's files obey the rules the secretariat's edits obey: names and keywords without
control characters and within their lengths; no file emptied down to its header."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.directory.loader import InvalidDirectory, read_directory
from tests.service.directory.directory_files import copy_directory, edit_row, line_of


def _errors(directory: Path) -> list[str]:
    with pytest.raises(InvalidDirectory) as caught:
        read_directory(directory)
    return [str(error) for error in caught.value.errors]


def test_names_with_control_characters_are_refused_by_line_and_field(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    btp = edit_row(directory, "agencies.csv", "BTP", name_vi="Bộ Tư\x07 pháp")
    byt = edit_row(directory, "agencies.csv", "BYT", name_en="Ministry\x00of Health")
    other = edit_row(directory, "categories.csv", "OTHER", name_vi="Khác\x1b")
    hue = edit_row(directory, "provinces.csv", "HUE", name_en="Hue\u202e", aliases="Thừa\x00")
    assert _errors(directory) == [
        f"agencies.csv line {btp}, field name_vi: holds control characters",
        f"agencies.csv line {byt}, field name_en: holds control characters",
        f"provinces.csv line {hue}, field name_en: holds control characters",
        f"provinces.csv line {hue}, field aliases: alias 1: holds control characters",
        f"categories.csv line {other}, field name_vi: holds control characters",
    ]


def test_a_place_name_with_a_control_character_is_refused(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    path = directory / "places.csv"
    line = line_of(directory, "places.csv", "Hoàn Kiếm")
    path.write_text(
        path.read_text(encoding="utf-8").replace("Hoàn Kiếm,", "Hoàn\tKiếm,"), encoding="utf-8"
    )
    assert _errors(directory) == [
        f"places.csv line {line}, field name: holds control characters",
    ]


def test_agency_keywords_are_checked_one_by_one_and_counted(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    btp = edit_row(directory, "agencies.csv", "BTP", keywords_vi="pháp luật;x" + "a" * 100)
    byt = edit_row(directory, "agencies.csv", "BYT", keywords_en="health;vac\x07cine")
    bca = edit_row(
        directory, "agencies.csv", "BCA", keywords_vi=";".join(f"từ {n}" for n in range(201))
    )
    assert _errors(directory) == [
        f"agencies.csv line {btp}, field keywords_vi: keyword 2: longer than 100 characters",
        f"agencies.csv line {bca}, field keywords_vi: more than 200 keywords",
        f"agencies.csv line {byt}, field keywords_en: keyword 2: holds control characters",
    ]


def test_keywords_within_the_limits_load(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    edit_row(
        directory,
        "agencies.csv",
        "BCA",
        keywords_vi=";".join(["a" * 100, *(f"từ {n}" for n in range(199))]),
    )
    [bca] = [a for a in read_directory(directory).agencies if a.code == "BCA"]
    assert (len(bca.keywords_vi), bca.keywords_vi[0]) == (200, "a" * 100)


@pytest.mark.parametrize("file", ["agencies.csv", "provinces.csv", "categories.csv", "places.csv"])
def test_a_file_with_only_its_header_is_refused(tmp_path: Path, file: str) -> None:
    directory = copy_directory(tmp_path)
    path = directory / file
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(f"{header}\n\n", encoding="utf-8")
    assert _errors(directory) == [  # not also every row referring to the emptied file's
        f"{file} line 2: no rows: the file has its header and no row below it"
    ]


def test_a_lone_deadline_override_is_weighed_against_the_other_default(tmp_path: Path) -> None:
    directory = copy_directory(tmp_path)
    btp = edit_row(directory, "agencies.csv", "BTP", acknowledge_days="", respond_days="2")
    bnv = edit_row(directory, "agencies.csv", "BNV", acknowledge_days="16", respond_days="")
    with pytest.raises(InvalidDirectory) as caught:
        read_directory(directory, deadline_defaults=(3, 15))
    assert [str(error) for error in caught.value.errors] == sorted(
        [
            f"agencies.csv line {btp}, field respond_days: 2 days to respond are fewer than the "
            "default 3 days to acknowledge (INTAKE_ACKNOWLEDGE_BUSINESS_DAYS): a submission is "
            "acknowledged before it is answered",
            f"agencies.csv line {bnv}, field acknowledge_days: 16 days to acknowledge exceed the "
            "default 15 days to respond (INTAKE_RESPONSE_BUSINESS_DAYS): a submission is "
            "acknowledged before it is answered",
        ],
        key=lambda text: int(text.split(" line ")[1].split(",")[0]),
    )
    # Other defaults, other verdicts: the figures that would apply are what count.
    loaded = read_directory(directory, deadline_defaults=(2, 16))
    figures = {a.code: (a.acknowledge_days, a.respond_days) for a in loaded.agencies}
    assert (figures["BTP"], figures["BNV"]) == ((None, 2), (16, None))
