"""The routing engine's scoring and confidence, without a database."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from service.directory.loader import InvalidDirectory, read_directory
from service.routing import engine, precedent
from service.routing.loader import Known, parse_rules, read_rules
from service.routing.reasons import english

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SNAPSHOT = engine.Snapshot(
    agencies=(
        engine.AgencyProfile("BTC", ("thuế", "hoàn thuế", "tax"), frozenset({"FINANCE"})),
        engine.AgencyProfile("UBND-HUE", (), frozenset()),
    ),
    committees={"HUE": "UBND-HUE"},
    defaults={"FINANCE": "BTC"},
)


def _submission(title: str, description: str = "", **fields: str | None) -> engine.Submission:
    values: dict[str, str | None] = {"kind": "PROPOSAL", "category": "OTHER", "province": None}
    values.update(fields)
    return engine.Submission(
        kind=values["kind"] or "",
        category=values["category"] or "",
        title=title,
        description=description,
        province=values["province"],
    )


def test_marked_text_keeps_its_marks_and_unmarked_text_is_folded() -> None:
    rent = engine.score(SNAPSHOT, _submission("Giá thuê văn phòng quá cao"))
    tax = engine.score(SNAPSHOT, _submission("Hoàn thuế chậm", "Thuế giá trị gia tăng."))
    unmarked = engine.score(SNAPSHOT, _submission("Hoan thue cham"))
    assert rent == {}
    assert english(tax["BTC"].reasons) == ["keywords: hoàn thuế, thuế"]
    # "hoàn thuế" (2 words) and "thuế" (1), both also in the title: × 1.5
    assert tax["BTC"].score == 4.5
    assert english(unmarked["BTC"].reasons) == ["keyword: hoàn thuế"]


def test_confidence_is_the_leaders_share_against_the_runner_up_and_a_prior() -> None:
    alone = engine.decide({"A": engine.Evidence(8.0)})
    tied = engine.decide({"A": engine.Evidence(5.0), "B": engine.Evidence(5.0)})
    thin = engine.decide({"A": engine.Evidence(1.0)})
    assert (alone.agency, alone.confidence) == ("A", 0.8)
    assert (tied.agency, tied.confidence) == ("A", 0.417)
    assert thin.confidence == 0.333
    assert engine.decide({}) == engine.Decision(None, 0.0, ())


def test_rules_match_on_kind_category_province_and_keywords() -> None:
    rule = engine.RuleSpec(
        position=1,
        lead=engine.PEOPLES_COMMITTEE,
        weight=5,
        kinds=frozenset({"OBSTACLE"}),
        province=engine.SUBMISSION_PROVINCE,
        keywords=("một cửa",),
        note="local",
    )
    snapshot = engine.Snapshot(SNAPSHOT.agencies, SNAPSHOT.committees, SNAPSHOT.defaults, (rule,))
    local = _submission("Bộ phận một cửa chậm", kind="OBSTACLE", province="HUE")
    assert english(engine.score(snapshot, local)["UBND-HUE"].reasons) == ["rule 1: local"]
    for other in (
        _submission("Bộ phận một cửa chậm", province="HUE"),
        _submission("Bộ phận một cửa chậm", kind="OBSTACLE"),
        _submission("Hồ sơ chậm", kind="OBSTACLE", province="HUE"),
    ):
        assert "UBND-HUE" not in engine.score(snapshot, other)
    assert engine.score(snapshot, local, exclude=["UBND-HUE"]) == {}


def test_similar_precedents_vote_and_common_words_do_not() -> None:
    earlier = precedent.Precedent(1, "A", "BXD", "Mở lại tuyến xe buýt điện số 12", NOW)
    same = precedent.votes("Đề nghị mở lại tuyến xe buýt điện số 12", [earlier], NOW)
    assert [(v.agency, v.tracking_code, v.similarity) for v in same] == [("BXD", "A", 1.0)]
    year_later = precedent.votes("Mở lại tuyến xe buýt", [earlier], NOW + timedelta(days=365))
    assert [(round(v.similarity, 3), round(v.weight, 2)) for v in year_later] == [
        (0.798, 3.99)
    ]  # × 1/2
    assert precedent.votes("Hồ sơ thủ tục chậm", [earlier], NOW) == []


def test_the_shipped_rules_read_cleanly_and_bad_lines_are_named() -> None:
    known = Known({"BCA", "UBND-HUE"}, {"OTHER"}, {"HUE"})
    content = (
        b"kind,category,province,keywords_vi,keywords_en,lead,cooperating,weight,active,note\n"
        b"OBSTACLE,,@submission,,,@committee,,5,true,local\n"
        b"WISH,SPACE,,,,BXYZ,BCA;BQP,0,maybe,\n"
        b",,,,,@committee,,1,,no province\n"
    )
    try:
        parse_rules(content, known)
    except InvalidDirectory as invalid:
        errors = [str(e) for e in invalid.errors]
    assert errors == [
        'rules.csv line 3, field kind: Unknown kind "WISH": write PROPOSAL, OBSTACLE or '
        "RECOMMENDATION.",
        'rules.csv line 3, field category: Unknown category code "SPACE".',
        'rules.csv line 3, field lead: Unknown agency code "BXYZ".',
        'rules.csv line 3, field cooperating: Unknown agency code "BQP".',
        'rules.csv line 3, field weight: "0" is not a number from -100 to 100 other than 0.',
        'rules.csv line 3, field active: Write true or false, not "maybe".',
        "rules.csv line 4, field lead: @committee needs a province condition, such as @submission.",
    ]
    data = read_directory()
    shipped = read_rules(
        Known(
            {a.code for a in data.agencies},
            {c.code for c in data.categories},
            {p.code for p in data.provinces},
        )
    )
    assert [r.lead for r in shipped[:2]] == ["@committee", "@committee"]


MINISTRIES = engine.Snapshot(
    agencies=(
        engine.AgencyProfile("BNV", ("lưu trữ", "vị trí việc làm", "archives"), frozenset()),
        engine.AgencyProfile("BCT", ("lưu trữ năng lượng", "thương mại"), frozenset()),
        engine.AgencyProfile("BKHCN", ("chuyển đổi số", "patent", "university"), frozenset()),
        engine.AgencyProfile("UBND-HUE", (), frozenset()),
    ),
    committees={"HUE": "UBND-HUE"},
    defaults={},
)


def test_a_keyword_inside_another_agencys_longer_keyword_is_that_agencys() -> None:
    storage = engine.score(MINISTRIES, _submission("Lưu trữ năng lượng bằng pin cho làng nghề"))
    assert {code: english(e.reasons) for code, e in storage.items()} == {
        "BCT": ["keyword: lưu trữ năng lượng"]
    }
    archives = engine.score(MINISTRIES, _submission("Lưu trữ hồ sơ điện tử"))
    assert english(archives["BNV"].reasons) == ["keyword: lưu trữ"]


def test_a_text_uses_a_keyword_in_one_sense_throughout() -> None:
    # "pin lưu trữ" in a letter about energy storage is energy storage too, not archives.
    letter = _submission("Lưu trữ năng lượng cho làng nghề", "Dùng pin lưu trữ của xe điện cũ.")
    scored = engine.score(MINISTRIES, letter)
    assert {code: english(e.reasons) for code, e in scored.items()} == {
        "BCT": ["keyword: lưu trữ năng lượng"]
    }
    assert engine.decide(scored).confidence == 0.692  # 4.5 / (4.5 + 2), not 4.5 / (4.5 + 3 + 2)
    # And so do the concepts a precedent is compared by.
    text = f"{letter.title}\n{letter.description}"
    assert precedent.concepts(text) == {"~BCT:luu tru nang luong"}


def test_the_title_names_its_subject_first_when_it_holds_two_agencies_keywords() -> None:
    national = _submission("Chuẩn hóa vị trí việc làm chuyên trách chuyển đổi số")
    scored = engine.score(MINISTRIES, national)
    assert english(scored["BNV"].reasons) == [
        "keyword: vị trí việc làm",
        "subject of the title: vị trí việc làm",
    ]
    assert (scored["BNV"].score, scored["BKHCN"].score) == (6.5, 4.5)
    assert engine.decide(scored).agency == "BNV"
    # A local matter is left to the rules; one agency's keywords alone get no bonus.
    local = _submission(national.title, province="HUE")
    assert engine.score(MINISTRIES, local)["BNV"].score == 4.5
    alone = engine.score(MINISTRIES, _submission("Vị trí việc làm", "chuyển đổi số"))
    assert english(alone["BNV"].reasons) == ["keyword: vị trí việc làm"]


def test_english_keywords_find_their_plurals_in_english_text() -> None:
    scored = engine.score(MINISTRIES, _submission("Universities file patents", "Archives"))
    assert {code: english(e.reasons) for code, e in scored.items()} == {
        "BKHCN": ["keywords: university, patent"],
        "BNV": ["keyword: archives"],
    }
    assert engine.score(MINISTRIES, _submission("Patently unclear")) == {}


def test_precedent_weighs_shared_words_by_their_rarity() -> None:
    permit = precedent.features("Doanh nghiệp nộp hồ sơ giấy phép lao động cho chuyên gia")
    same_subject = precedent.features(
        "Hồ sơ giấy phép lao động của chuyên gia nước ngoài bị trả lại"
    )
    same_words = precedent.features("Doanh nghiệp nộp hồ sơ hoàn thuế")
    # 100 submissions counted, nine in ten of them with "doanh nghiệp", "nộp" and "hồ sơ"
    rarity = precedent.Rarity(100, dict.fromkeys(precedent.features("doanh nghiệp nộp hồ sơ"), 90))
    assert round(precedent.similarity(permit, same_subject), 3) == 0.714
    assert round(precedent.similarity(permit, same_words), 3) == 0.545
    assert round(precedent.similarity(permit, same_subject, rarity), 3) == 0.81
    assert round(precedent.similarity(permit, same_words, rarity), 3) == 0.048
    # With nothing counted every word weighs 1 and the similarity is the plain cosine.
    assert precedent.Rarity().weight("doanh") == precedent.Rarity().weight("lao dong") == 1.0
    title, description = "Hồ sơ giấy phép lao động", "Doanh nghiệp nộp hồ sơ"
    assert precedent.key_terms(title, description, 4) == ["ho", "so", "dong", "giay"]
    assert precedent.key_terms(title, description, 4, rarity) == ["dong", "giay", "phep", "lao"]


def _vote(agency: str, weight: float, code: str = "A") -> engine.Vote:
    return engine.Vote(agency, weight, code, weight / precedent.VOTE_POINTS)


def test_precedents_speak_with_one_voice() -> None:
    snapshot = engine.Snapshot(
        agencies=(*MINISTRIES.agencies, engine.AgencyProfile("UBND-DA-NANG", (), frozenset())),
        committees={"HUE": "UBND-HUE", "DA-NANG": "UBND-DA-NANG"},
        defaults={},
    )
    title = "Vị trí việc làm chuyên trách"
    agreeing = [_vote("BNV", 4.0, "A"), _vote("BNV", 3.0, "B"), _vote("BCT", 2.5, "C")]
    scored = engine.score(snapshot, _submission(title), votes=agreeing)
    # The votes for another agency are taken off the leader's, not added to a competitor.
    assert {code: (e.score, english(e.reasons)) for code, e in scored.items()} == {
        "BNV": (9.0, ["keyword: vị trí việc làm", "precedent: A (0.40), B (0.30)"])
    }
    split = engine.score(snapshot, _submission(title), votes=[_vote("BNV", 3), _vote("BCT", 3)])
    assert {code: e.score for code, e in split.items()} == {"BNV": 4.5}
    # Another province's committee voted: this matter is this province's committee's to handle.
    local = _submission("Hồ sơ đất chậm", province="DA-NANG")
    redirected = engine.score(snapshot, local, votes=[_vote("UBND-HUE", 4.0)])
    assert english(redirected["UBND-DA-NANG"].reasons) == ["precedent: A (0.40)"]
    # With no province, the precedent may be about the same place.
    unplaced = engine.score(snapshot, _submission("Hồ sơ đất chậm"), votes=[_vote("UBND-HUE", 4)])
    assert unplaced["UBND-HUE"].score == 4.0
    declined = engine.score(snapshot, local, votes=[_vote("UBND-HUE", 4)], exclude=["UBND-DA-NANG"])
    assert declined == {}


def test_a_vietnamese_precedent_votes_for_an_english_submission_on_the_same_subject() -> None:
    vietnamese = precedent.Precedent(
        1,
        "VI1",
        "BNV",
        "Chuyên gia bán dẫn chờ giấy phép lao động\nCông ty tuyển chuyên gia thiết kế chip "
        "nhưng hồ sơ xin giấy phép lao động bị trả lại nhiều lần.",
        NOW,
    )
    english = "Semiconductor engineers wait months for work permits\nOur chip design firm hired two"
    # One word in common, "chip", and the concepts (semiconductor, chip, work permit).
    assert precedent.features(english) & precedent.features(vietnamese.text) == {
        "chip",
        "~BKHCN:ban dan",
        "~BKHCN:vi mach",
        "~BNV:giay phep lao dong",
    }
    votes = precedent.votes(english, [vietnamese], NOW)
    assert [(v.agency, v.tracking_code, round(v.similarity, 3)) for v in votes] == [
        ("BNV", "VI1", 0.5)
    ]
    # Concepts of one agency alone say what its keywords say: no vote.
    museum = precedent.Precedent(2, "VI2", "BVHTTDL", "Số hóa bảo tàng và di tích", NOW)
    english_museum = "Digitising the museum and its relics"
    assert precedent.features(english_museum) & precedent.features(museum.text) == {
        "~BVHTTDL:bao tang",
        "~BVHTTDL:di tich",
    }
    assert precedent.votes(english_museum, [museum], NOW) == []
    # The search for precedent asks for the other language's words apart from the text's own.
    queries = precedent.search_queries("Work permits for chip designers", "")
    assert queries == [
        "designers permits chip work",
        "mach microchip design giay phep lao dong permit",  # "vi" is a function word too
    ]


def test_every_concept_is_a_competence_of_its_agency_in_the_shipped_directory() -> None:
    directory = read_directory()
    keywords = {a.code: {*a.keywords_vi, *a.keywords_en} for a in directory.agencies}
    with precedent.CONCEPTS_FILE.open(encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines))
    strays = [
        (row["agency"], form)
        for row in rows
        for form in (*row["keywords_vi"].split(";"), *row["keywords_en"].split(";"))
        if form not in keywords.get(row["agency"], set())
    ]
    assert strays == []
    assert all(row["keywords_vi"] and row["keywords_en"] for row in rows)
    concepts_of: dict[str, set[int]] = {}
    for number, row in enumerate(rows):
        for form in (*row["keywords_vi"].split(";"), *row["keywords_en"].split(";")):
            concepts_of.setdefault(form, set()).add(number)
    assert [
        form for form, numbers in concepts_of.items() if len(numbers) > 1
    ] == []  # a form names one concept


_WORDS = st.sampled_from(
    ["thuế", "thuê", "Thuế", "university", "universities", "patent", "patents", "e-commerce",
     "sáng", "chế", "data", "city", "cities", "ĐẤT", "đất", "dat", "y", "ys", "boxes", "box"]
)  # fmt: skip


@given(
    keywords=st.lists(st.lists(_WORDS, min_size=1, max_size=3).map(" ".join), max_size=6),
    text=st.lists(
        st.one_of(_WORDS, st.sampled_from([" ", "-", "\n", ", ", "_", "  "])), max_size=20
    ).map(" ".join),
)
@example(keywords=["university", "box", "e-commerce"], text="Universities, boxes, e - commerce")
@example(keywords=["đất"], text="ĐẤT")
def test_skipping_absent_keywords_finds_exactly_what_their_patterns_find(
    keywords: list[str], text: str
) -> None:
    # The engine tests a keyword's first word as a substring before running its pattern; that
    # must never lose a match (plurals, hyphens, folded or marked text, case).
    found = engine._Text(text)
    every = [
        (m.start(), m.end(), keyword)
        for keyword in keywords
        for m in engine._pattern(keyword, found.marked).finditer(found.text)
    ]
    assert found.spans(keywords) == every
    assert [found.has(k) for k in keywords] == [
        any(span[2] == k for span in every) for k in keywords
    ]
