import unicodedata

import pytest

from search.text import MAX_TERM_LENGTH, fold, highlight, index_text, normalize, query_terms


def test_normalize_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Chuyển đổi số")

    assert decomposed != "Chuyển đổi số"
    assert normalize(decomposed) == "Chuyển đổi số"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chuyển đổi số", "chuyen doi so"),
        ("ĐƯỜNG", "duong"),
        ("Đường", "duong"),
        ("đường", "duong"),
        ("Ước tính", "uoc tinh"),
        ("Kiến nghị VỀ thủ tục", "kien nghi ve thu tuc"),
        ("Straße", "strasse"),
        ("Café", "cafe"),
        ("Ё", "е"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_alike() -> None:
    text = "Nghị quyết 57 về đột phá"

    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "nghi quyet 57 ve dot pha"


def test_index_text_keeps_only_words() -> None:
    assert index_text("  Đề xuất: <b>Cải cách</b>, thủ_tục (2026)!") == (
        "de xuat b cai cach b thu tuc 2026"
    )


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("Chuyển đổi số", ["chuyen", "doi", "so"]),
        ("  DƯỜNG  ", ["duong"]),
        ('"a OR b"', ["a", "or", "b"]),
        ("title:x", ["title", "x"]),
        ("NEAR(a b, 2)", ["near", "a", "b", "2"]),
        ("-a ^b c* {d e}", ["a", "b", "c", "d", "e"]),
        ("'; DROP TABLE documents; --", ["drop", "table", "documents"]),
        ('"*-^:()+', []),
        ("", []),
    ],
)
def test_query_terms(query: str, terms: list[str]) -> None:
    assert query_terms(query) == terms


def test_query_terms_caps_the_number_of_terms() -> None:
    query = " ".join(f"w{number}" for number in range(40))

    assert query_terms(query) == [f"w{number}" for number in range(16)]
    assert query_terms(query, max_terms=3) == ["w0", "w1", "w2"]


def test_query_terms_caps_the_length_of_terms() -> None:
    assert query_terms("x" * 500 + " y") == ["x" * MAX_TERM_LENGTH, "y"]
    assert query_terms("abcdef", max_term_length=3) == ["abc"]


def test_highlight_marks_original_accented_words() -> None:
    text = "Đề nghị đẩy mạnh chuyển đổi số ở Đường Láng"

    assert highlight(text, ["chuyen", "doi", "so", "duong"]) == (
        "Đề nghị đẩy mạnh <mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>"
        " ở <mark>Đường</mark> Láng"
    )


def test_highlight_matches_the_last_term_as_a_prefix_only() -> None:
    text = "chuyên gia chuyển đổi số"

    assert highlight(text, ["chuy", "doi"]) == "chuyên gia chuyển <mark>đổi</mark> số"
    assert highlight(text, ["doi", "chuy"]) == (
        "<mark>chuyên</mark> gia <mark>chuyển</mark> <mark>đổi</mark> số"
    )


def test_highlight_marks_a_last_term_of_one_letter_only_as_a_whole_word() -> None:
    text = "Vitamin C cho chuyên gia"

    assert highlight(text, ["c"]) == "Vitamin <mark>C</mark> cho chuyên gia"
    assert highlight(text, ["ch"]) == "Vitamin C <mark>cho</mark> <mark>chuyên</mark> gia"


def test_highlight_escapes_html() -> None:
    text = 'Lỗi <script>alert("x")</script> & trang "đăng ký"'

    assert highlight(text, ["dang", "ky"]) == (
        "Lỗi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; trang"
        " &quot;<mark>đăng</mark> <mark>ký</mark>&quot;"
    )


def test_highlight_keeps_decomposed_text_whole() -> None:
    text = unicodedata.normalize("NFD", "về đường sắt")

    assert highlight(text, ["duong"]) == "về <mark>đường</mark> sắt"


def test_highlight_maps_positions_through_expanding_folds() -> None:
    assert highlight("Die Straße nach Hà Nội", ["ha", "noi"]) == (
        "Die Straße nach <mark>Hà</mark> <mark>Nội</mark>"
    )


def test_highlight_cuts_an_excerpt_around_the_first_match() -> None:
    before = "Mở đầu dài dòng. " * 20
    after = " Phần kết thúc rất dài." * 20
    text = before + "Kiến nghị về thủ tục đất đai." + after

    snippet = highlight(text, ["thu", "tuc"])

    assert snippet == (
        "…Mở đầu dài dòng. Mở đầu dài dòng. Kiến nghị về"
        " <mark>thủ</mark> <mark>tục</mark> đất đai. Phần kết thúc rất dài. Phần kết thúc rất"
        " dài. Phần kết thúc rất dài. Phần kết thúc rất dài. Phần kết thúc rất dài. Phần kết"
        " thúc rất…"
    )
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 202


def test_highlight_without_a_match_starts_at_the_beginning() -> None:
    text = "Một hai ba bốn năm. " * 30

    snippet = highlight(text, ["khong"])

    assert snippet.startswith("Một hai ba bốn năm.")
    assert snippet.endswith("…")
    assert "<mark>" not in snippet
    assert len(snippet) <= 201


def test_highlight_collapses_line_breaks() -> None:
    assert highlight("Dòng một\n\nDòng  hai", ["hai"]) == "Dòng một Dòng <mark>hai</mark>"


def test_highlight_of_empty_text() -> None:
    assert highlight("", ["x"]) == ""
    assert highlight("", []) == ""


def test_highlight_never_cuts_text_that_fits() -> None:
    text = "Bối cảnh. " * 15 + "Đề nghị giảm thủ tục."

    assert (
        highlight(text, ["thu", "tuc"])
        == ("Bối cảnh. " * 15 + "Đề nghị giảm <mark>thủ</mark> <mark>tục</mark>.").strip()
    )
