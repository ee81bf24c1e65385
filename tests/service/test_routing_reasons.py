"""Routing reasons rendered in each language: wording, plurals, numbers, names, older rows."""

from __future__ import annotations

import csv

from service.i18n import translations
from service.routing import reasons as why
from service.routing.loader import RULES_FILE
from service.routing.seed_notes import SEED_NOTES

NAMES = why.Names(
    agencies={"BTC": "Bộ Tài chính"},
    categories={"TAX": "Thuế"},
    actors={"user:3": "lan@mof.gov.vn"},
)


def test_every_reason_in_vietnamese_and_in_english() -> None:
    cases = [
        (why.nothing(), "không có quy tắc, thẩm quyền hay tiền lệ nào chỉ ra cơ quan xử lý"),
        (why.rule(2, "thuế địa phương"), "quy tắc 2: thuế địa phương"),
        (why.rule(3, ""), "quy tắc 3"),
        (why.keywords(["hoàn thuế", "thuế"]), "từ khóa: hoàn thuế, thuế"),
        (why.keywords(["thuế"]), "từ khóa: thuế"),
        (why.competence("TAX"), "có thẩm quyền về Thuế"),
        (why.title_subject("hoàn thuế"), "chủ đề của tiêu đề: hoàn thuế"),
        (why.precedent([("AB12", 0.834), ("CD34", 0.5)]), "tiền lệ: AB12 (0,83), CD34 (0,50)"),
        (why.confidence("BTC", 0.55), "Bộ Tài chính: độ tin cậy 0,55"),
        (
            why.below_threshold(0.47, 0.6),
            "độ tin cậy 0,47 thấp hơn ngưỡng 0,60: Văn phòng Thường trực quyết định",
        ),
        (why.near_duplicate("AB12"), "gần trùng với AB12"),
        (why.decided("BTC", "user:3"), "Bộ Tài chính: do lan@mof.gov.vn quyết định"),
        (
            why.declined("BTC", "user:3", "Sai cơ quan."),
            "Bộ Tài chính (lan@mof.gov.vn) từ chối: Sai cơ quan.",
        ),
    ]
    for reason, vietnamese in cases:
        assert why.render(reason.stored(), "vi", NAMES) == vietnamese
    assert why.english([reason for reason, _ in cases]) == [
        "no rule, competence or precedent points at any agency",
        "rule 2: thuế địa phương",
        "rule 3",
        "keywords: hoàn thuế, thuế",
        "keyword: thuế",
        "competent for TAX",
        "subject of the title: hoàn thuế",
        "precedent: AB12 (0.83), CD34 (0.50)",
        "BTC: confidence 0.55",
        "confidence 0.47 is below 0.60: the secretariat decides",
        "near-duplicate of AB12",
        "BTC: decided by user:3",
        "declined by BTC (user:3): Sai cơ quan.",
    ]
    assert why.render(why.competence("TAX"), "en", why.Names(categories={"TAX": "Taxes"})) == (
        "competent for Taxes"
    )


def test_reasons_stored_before_codes_and_unknown_codes_are_shown_as_they_are() -> None:
    assert why.render("keywords: thuế", "vi") == "keywords: thuế"
    assert why.render({"code": "from_a_newer_version", "args": {}}, "vi") == "from_a_newer_version"
    assert why.loaded({"code": "rule", "args": {"position": 1, "note": ""}}) == why.rule(1, "")


def test_plural_messages_follow_each_languages_plural_rule() -> None:
    english, vietnamese = translations("en"), translations("vi")
    assert english.ngettext("keyword: %(keywords)s", "keywords: %(keywords)s", 1) == (
        "keyword: %(keywords)s"
    )
    assert english.ngettext("keyword: %(keywords)s", "keywords: %(keywords)s", 2) == (
        "keywords: %(keywords)s"
    )
    for n in (1, 2, 5):
        assert vietnamese.ngettext("keyword: %(keywords)s", "keywords: %(keywords)s", n) == (
            "từ khóa: %(keywords)s"
        )
    assert vietnamese.ngettext("a message nobody wrote", "messages nobody wrote", 2) == (
        "messages nobody wrote"
    )


def test_the_shipped_rules_notes_read_in_the_pages_language() -> None:
    with RULES_FILE.open(encoding="utf-8") as rules:
        shipped = [row["note"] for row in csv.DictReader(rules) if row["note"]]
    assert shipped  # rules.csv ships notes
    assert set(shipped) <= set(SEED_NOTES), "list every note of rules.csv in seed_notes.py"
    vietnamese = translations("vi")
    for note in SEED_NOTES:
        assert vietnamese.gettext(note) != note, f"no Vietnamese for the rule note {note!r}"
    drones = "flights of drones are the Ministry of National Defence's wherever they happen"
    assert why.render(why.rule(4, drones), "vi") == (
        "quy tắc 4: bay thiết bị bay không người lái thuộc Bộ Quốc phòng, dù diễn ra ở đâu"
    )
    assert why.render(why.rule(4, drones), "en") == f"rule 4: {drones}"
    # A note the secretariat typed is shown as typed.
    assert why.render(why.rule(7, "ưu tiên xử lý"), "en") == "rule 7: ưu tiên xử lý"


def test_a_cited_submission_the_reader_may_not_read_is_counted_without_its_code() -> None:
    cited = why.precedent([("AB12", 0.834), ("CD34", 0.651), ("EF56", 0.5)])
    duplicate = why.near_duplicate("CD34")
    readable = why.Names(readable=frozenset({"AB12"}))
    assert why.cited([cited.stored(), duplicate, "keywords: thuế"]) == {"AB12", "CD34", "EF56"}
    assert why.english([cited, duplicate], frozenset({"AB12"})) == [
        "precedent: AB12 (0.83), 2 earlier submissions you may not see (0.65, 0.50)",
        "near-duplicate of an earlier submission you may not see",
    ]
    assert why.render_all([cited, duplicate], "vi", readable) == [
        "tiền lệ: AB12 (0,83), 2 kiến nghị trước đó bạn không được xem (0,65, 0,50)",
        "gần trùng với một kiến nghị trước đó bạn không được xem",
    ]
    alone = why.precedent([("CD34", 0.651)])
    assert why.render(alone, "en", readable) == (
        "precedent: 1 earlier submission you may not see (0.65)"
    )
    # The secretariat (None) reads every code, and so does a reader of all of them.
    assert why.english([cited, duplicate]) == why.english(
        [cited, duplicate], frozenset({"AB12", "CD34", "EF56"})
    )
    assert why.english([cited]) == ["precedent: AB12 (0.83), CD34 (0.65), EF56 (0.50)"]
    # What the API's arguments show: the code left out, the similarity kept.
    assert why.shown(alone.stored(), frozenset()) == why.Reason(
        "precedent", {"cases": [{"code": None, "similarity": 0.651}]}
    )
    assert why.shown(duplicate, frozenset()) == why.Reason("near_duplicate", {"code": None})


def test_a_routing_note_older_than_codes_gives_its_citations_back() -> None:
    note = "BTC: confidence 0.81; competent for TAX; precedent: AB12 (0.71), CD34 (0.65)"
    assert why.from_note(note) == [
        "BTC: confidence 0.81",
        "competent for TAX",
        why.precedent([("AB12", 0.71), ("CD34", 0.65)]).stored(),
    ]
    assert "; ".join(why.english(why.from_note(note))) == note
    assert why.english(why.from_note("near-duplicate of AB12"), frozenset()) == [
        "near-duplicate of an earlier submission you may not see"
    ]
    assert why.from_note("") == []
