"""One suite for every search backend: the choice of backend is configuration, not behaviour."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from search.base import SearchBackend, SearchDocument, SearchFilters, SearchResult, SearchScope

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PAST = datetime(2020, 1, 1, tzinfo=UTC)
FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
EVERYTHING = SearchScope.secretariat()
PUBLIC = SearchScope.public()


def document(
    id: int,
    title: str,
    description: str = "",
    *,
    kind: str = "PROPOSAL",
    status: str = "SUBMITTED",
    category: str = "CDS",
    province: str | None = "HA-NOI",
    agency: str | None = None,
    agencies: tuple[str, ...] = (),
    submitter_type: str = "CITIZEN",
    published: bool = True,
    created_at: datetime | None = None,
    deadline: datetime | None = None,
) -> SearchDocument:
    return SearchDocument(
        id=id,
        tracking_code=f"DX{id:08d}",
        kind=kind,
        status=status,
        title=title,
        description=description,
        category=category,
        province=province,
        agency=agency,
        agencies=agencies or ((agency,) if agency else ()),
        submitter_type=submitter_type,
        published=published,
        created_at=created_at or START + timedelta(hours=id),
        deadline=deadline,
    )


CORPUS = [
    document(
        1,
        "Đẩy mạnh chuyển đổi số trong giáo dục",
        "Đề xuất số hóa học bạ và chuyển đổi số ở trường phổ thông.",
        status="ROUTED",
        agency="BGDDT",
        deadline=FUTURE,
    ),
    document(
        2,
        "Sửa chữa đường giao thông nông thôn",
        "Đường liên xã xuống cấp nghiêm trọng.",
        kind="OBSTACLE",
        status="ACKNOWLEDGED",
        category="HA-TANG",
        province="DA-NANG",
        agency="UBND-DA-NANG",
        published=False,
        deadline=PAST,
    ),
    document(
        3,
        "Quỹ hỗ trợ nghiên cứu khoa học",
        "Thủ tục giải ngân kinh phí nghiên cứu còn chậm.",
        kind="OBSTACLE",
        status="RESPONDED",
        category="KHCN",
        agency="BKHCN",
        deadline=PAST,
    ),
    document(
        4,
        "Chuyển giao công nghệ bán dẫn",
        "Đề xuất ưu đãi thuế cho doanh nghiệp bán dẫn.",
        status="ROUTED",
        category="KHCN",
        province="HCM",
        agency="BKHCN",
        submitter_type="ENTERPRISE",
        published=False,
        deadline=FUTURE,
    ),
    document(
        5,
        "ข้อเสนอการเปลี่ยนผ่านสู่ดิจิทัล",
        "การเปลี่ยนผ่านสู่ดิจิทัลของหน่วยงานภาครัฐ",
        kind="RECOMMENDATION",
        province=None,
        submitter_type="OVERSEAS_EXPERT",
    ),
    document(
        6,
        "Цифровая трансформация государственных услуг",
        "Предложение по цифровой платформе.",
        kind="RECOMMENDATION",
        status="TRIAGE",
        province=None,
        agency="THUONGTRUC",
        submitter_type="OVERSEAS_EXPERT",
        published=False,
    ),
    document(
        7,
        "Regulatory sandbox for fintech startups",
        "The sandbox licence took six months.",
        status="NEEDS_INFO",
        category="STARTUP",
        province="HCM",
        agency="NHNN",
        agencies=("BKHDT", "NHNN"),
        submitter_type="ENTERPRISE",
        published=False,
        deadline=PAST,
    ),
    document(
        8,
        "Chuyển đổi số ngân hàng",
        "Kết nối dữ liệu dân cư với ngân hàng để chuyển đổi số.",
        status="CLOSED",
        province="HCM",
        agency="NHNN",
        submitter_type="UNIVERSITY",
        deadline=PAST,
    ),
]
NEWEST_FIRST = [8, 7, 6, 5, 4, 3, 2, 1]


@pytest.fixture
async def corpus(backend: SearchBackend) -> SearchBackend:
    await backend.index(CORPUS)
    return backend


async def ids(
    backend: SearchBackend,
    query: str,
    scope: SearchScope = EVERYTHING,
    *,
    filters: SearchFilters | None = None,
    sort: str = "newest",
) -> list[int]:
    result = await backend.search(query, scope, filters=filters, sort=sort)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return [hit.id for hit in result.hits]


def test_meilisearch_joins_the_suite_when_a_server_is_given() -> None:
    if not os.environ.get("INTAKE_TEST_MEILI_URL"):
        pytest.skip(
            "Meilisearch conformance skipped: no server here; set INTAKE_TEST_MEILI_URL (and"
            " INTAKE_TEST_MEILI_KEY) to run this whole suite against one"
        )


# Words match regardless of case and Vietnamese diacritics; all must match, the last as a prefix
# from two letters on.


@pytest.mark.parametrize(
    "query", ["chuyen doi so", "Chuyển đổi số", "CHUYỂN ĐỔI SỐ", "chuyển DOI sỐ", "chuyen đoi"]
)
async def test_folded_words_find_accented_text(corpus: SearchBackend, query: str) -> None:
    assert await ids(corpus, query) == [8, 1]


@pytest.mark.parametrize("query", ["duong", "DUONG", "đường", "Đường", "dương"])
async def test_d_with_stroke_is_d(corpus: SearchBackend, query: str) -> None:
    assert await ids(corpus, query) == [2]


async def test_every_word_must_match_and_only_the_last_is_a_prefix(corpus: SearchBackend) -> None:
    assert await ids(corpus, "chuyen") == [8, 4, 1]
    assert await ids(corpus, "chuyen do") == [8, 4, 1]  # đổi, and "doanh" in 4
    assert await ids(corpus, "chuyen doi") == [8, 1]
    assert await ids(corpus, "chuyen doi ngan hang") == [8]
    assert await ids(corpus, "chuy doi") == []
    assert await ids(corpus, "chuyen doi cong") == []
    assert await ids(corpus, "ban dan") == [4]


async def test_a_last_word_of_one_letter_matches_only_a_whole_word(corpus: SearchBackend) -> None:
    # One letter would match nearly every document as a prefix; it waits for the second.
    assert await ids(corpus, "chuyen doi s") == []
    assert await ids(corpus, "ban d") == []
    assert await ids(corpus, "ban da") == [4]
    assert await ids(corpus, "c") == []


async def test_any_word_matches_when_asked_and_more_matches_rank_first(
    corpus: SearchBackend,
) -> None:
    result = await corpus.search("ngan hang giao duc", EVERYTHING, match="any")
    found = [hit.id for hit in result.hits]
    assert result.total == len(found)
    assert sorted(found) == [1, 2, 3, 4, 8]  # giao (chuyển giao, giao thông), ngân (giải ngân) …
    assert found[:2] == [8, 1]  # "ngân hàng" twice; "giáo dục": two words each, before one
    none = await corpus.search("khongcotu", EVERYTHING, match="any")
    assert (none.total, none.hits) == (0, [])


# Thai (no spaces between words) and Russian are found by their own words.


@pytest.mark.parametrize("query", ["ดิจิทัล", "การเปลี่ยนผ่าน", "เปลี่ยนผ่าน", "ภาครัฐ", "หน่วยงาน ดิจิทัล", "ดิ"])
async def test_thai_words_are_found_inside_unspaced_text(corpus: SearchBackend, query: str) -> None:
    assert await ids(corpus, query) == [5]


@pytest.mark.parametrize("query", ["ภาษี", "ดิจิทัลภาษี", "ทัลดิจิ"])
async def test_thai_words_that_are_not_there_are_not_found(
    corpus: SearchBackend, query: str
) -> None:
    assert await ids(corpus, query) == []


@pytest.mark.parametrize(
    "query", ["цифровая", "ЦИФРОВАЯ", "Цифров", "государственных услуг", "трансформация цифр"]
)
async def test_russian_words_are_found_regardless_of_case(
    corpus: SearchBackend, query: str
) -> None:
    assert await ids(corpus, query) == [6]


async def test_english_words(corpus: SearchBackend) -> None:
    assert await ids(corpus, "SANDBOX licence") == [7]
    assert await ids(corpus, "fintech start") == [7]


# Filters, each alone and together; unknown values match nothing.

FILTERS = [
    (SearchFilters(statuses=frozenset({"ROUTED"})), [4, 1]),
    (SearchFilters(statuses=frozenset({"ROUTED", "CLOSED"})), [8, 4, 1]),
    (SearchFilters(kinds=frozenset({"OBSTACLE"})), [3, 2]),
    (SearchFilters(categories=frozenset({"KHCN"})), [4, 3]),
    (SearchFilters(agencies=frozenset({"NHNN"})), [8, 7]),
    (SearchFilters(agencies=frozenset({"BKHDT"})), []),  # only an earlier agency of 7
    (SearchFilters(provinces=frozenset({"HCM"})), [8, 7, 4]),
    (SearchFilters(submitter_types=frozenset({"OVERSEAS_EXPERT"})), [6, 5]),
    (
        SearchFilters(
            created_from=START + timedelta(hours=3), created_to=START + timedelta(hours=6)
        ),
        [5, 4, 3],
    ),
    (SearchFilters(created_from=START + timedelta(hours=7, microseconds=1)), [8]),
    (SearchFilters(created_to=START + timedelta(hours=2)), [1]),
    # 7 is past its deadline too, but waits for the submitter's information: its clock is stopped.
    (SearchFilters(overdue=True), [2]),
    (SearchFilters(overdue=False), [8, 7, 6, 5, 4, 3, 1]),
    (SearchFilters(published=True), [8, 5, 3, 1]),
    (SearchFilters(published=False), [7, 6, 4, 2]),
    (SearchFilters(kinds=frozenset({"PROPOSAL"}), provinces=frozenset({"HCM"})), [8, 7, 4]),
    (SearchFilters(statuses=frozenset({"NOPE"})), []),
    (SearchFilters(categories=frozenset({"CDS", "x' OR '1'='1"})), [8, 6, 5, 1]),
    (SearchFilters(provinces=frozenset({'HCM" OR published = false'})), []),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
async def test_filters(corpus: SearchBackend, filters: SearchFilters, expected: list[int]) -> None:
    assert await ids(corpus, "", filters=filters) == expected


async def test_filters_combine_with_words(corpus: SearchBackend) -> None:
    hcm_proposals = SearchFilters(kinds=frozenset({"PROPOSAL"}), provinces=frozenset({"HCM"}))

    assert await ids(corpus, "chuyen", filters=hcm_proposals) == [8, 4]
    assert await ids(corpus, "chuyen", filters=SearchFilters(published=False)) == [4]
    assert await ids(
        corpus, "", filters=SearchFilters(overdue=True, kinds=frozenset({"OBSTACLE"}))
    ) == [2]


async def test_filters_never_widen_the_scope(corpus: SearchBackend) -> None:
    unpublished = SearchFilters(published=False)

    assert await ids(corpus, "", PUBLIC, filters=unpublished) == []
    assert await ids(corpus, "", SearchScope.agency("BKHCN"), filters=unpublished) == [4]


# Facet counts, within the scope, the query and the filters.


async def test_facets_count_everything_the_caller_may_see(corpus: SearchBackend) -> None:
    result = await corpus.search("", SearchScope.agency("BKHCN"), facets=True, sort="newest")

    assert [hit.id for hit in result.hits] == [8, 5, 4, 3, 1]
    assert result.total == 5
    assert result.facets == {
        "status": {"ROUTED": 2, "RESPONDED": 1, "SUBMITTED": 1, "CLOSED": 1},
        "kind": {"PROPOSAL": 3, "OBSTACLE": 1, "RECOMMENDATION": 1},
        "category": {"CDS": 3, "KHCN": 2},
        "agency": {"BGDDT": 1, "BKHCN": 2, "NHNN": 1},
        "province": {"HA-NOI": 2, "HCM": 2},
        "submitter_type": {"CITIZEN": 2, "ENTERPRISE": 1, "OVERSEAS_EXPERT": 1, "UNIVERSITY": 1},
        "published": {"true": 4, "false": 1},
    }


async def test_facets_follow_the_query_and_filters(corpus: SearchBackend) -> None:
    result = await corpus.search(
        "chuyen",
        EVERYTHING,
        filters=SearchFilters(provinces=frozenset({"HCM"})),
        facets=["status", "agency", "province", "published"],
    )

    assert sorted(hit.id for hit in result.hits) == [4, 8]
    assert result.total == 2
    assert result.facets == {
        "status": {"ROUTED": 1, "CLOSED": 1},
        "agency": {"BKHCN": 1, "NHNN": 1},
        "province": {"HCM": 2},
        "published": {"true": 1, "false": 1},
    }


async def test_facets_of_nothing_found(corpus: SearchBackend) -> None:
    result = await corpus.search("khong co gi", EVERYTHING, facets=["status", "kind"])

    assert result == SearchResult(hits=[], total=0, facets={"status": {}, "kind": {}})


async def test_facets_only_when_asked(corpus: SearchBackend) -> None:
    assert (await corpus.search("", EVERYTHING)).facets == {}


async def test_unknown_facet_is_refused(corpus: SearchBackend) -> None:
    with pytest.raises(ValueError, match=r"unknown facets \['title'\]"):
        await corpus.search("", EVERYTHING, facets=["status", "title"])


# Sorting and pagination.


async def test_sort_by_deadline_soonest_first_then_newest_without_deadlines_last(
    corpus: SearchBackend,
) -> None:
    assert await ids(corpus, "", sort="deadline") == [8, 7, 3, 2, 4, 1, 6, 5]


async def test_sort_newest(corpus: SearchBackend) -> None:
    assert await ids(corpus, "", sort="newest") == NEWEST_FIRST
    assert await ids(corpus, "", sort="relevance") == NEWEST_FIRST  # no words: newest first


async def test_relevance_ranks_title_matches_above_description_matches(
    backend: SearchBackend,
) -> None:
    await backend.index(
        [
            document(1, "Cải tạo vỉa hè", "Kết nối giao thông khu vực", created_at=START),
            document(2, "Nâng cấp hạ tầng giao thông", created_at=START),
            document(3, "Sửa cống thoát nước", "Giao thông bị ảnh hưởng", created_at=START),
        ]
    )

    result = await backend.search("giao thong", EVERYTHING, sort="relevance")

    assert [hit.id for hit in result.hits][:1] == [2]
    assert sorted(hit.id for hit in result.hits) == [1, 2, 3]
    assert result.hits[0].score > result.hits[1].score > 0


async def test_equal_relevance_lists_newest_first(backend: SearchBackend) -> None:
    await backend.index(
        [
            document(1, "Cấp nước sạch", created_at=START + timedelta(days=1)),
            document(2, "Cấp nước sạch", created_at=START + timedelta(days=3)),
            document(3, "Cấp nước sạch", created_at=START + timedelta(days=2)),
        ]
    )

    assert await ids(backend, "nuoc sach", sort="relevance") == [2, 3, 1]


async def test_pagination(corpus: SearchBackend) -> None:
    pages = [
        await corpus.search("", EVERYTHING, sort="newest", limit=3, offset=offset)
        for offset in (0, 3, 6, 9)
    ]

    assert [[hit.id for hit in page.hits] for page in pages] == [[8, 7, 6], [5, 4, 3], [2, 1], []]
    assert [page.total for page in pages] == [8, 8, 8, 8]
    assert await corpus.search("", EVERYTHING, limit=0) == SearchResult(hits=[], total=8)


@pytest.mark.parametrize(("limit", "offset"), [(-1, 0), (10, -1)])
async def test_negative_page_is_refused(corpus: SearchBackend, limit: int, offset: int) -> None:
    with pytest.raises(ValueError, match="limit and offset must not be negative"):
        await corpus.search("", EVERYTHING, limit=limit, offset=offset)


async def test_unknown_sort_is_refused(corpus: SearchBackend) -> None:
    with pytest.raises(ValueError, match="unknown sort 'oldest'"):
        await corpus.search("", EVERYTHING, sort="oldest")  # type: ignore[arg-type]


# Hits: what a results page shows, with highlighted, escaped snippets.


async def test_hits_carry_the_fields_of_a_results_page(corpus: SearchBackend) -> None:
    result = await corpus.search("sandbox", EVERYTHING)

    [hit] = result.hits
    assert (hit.id, hit.tracking_code, hit.title) == (
        7,
        "DX00000007",
        "Regulatory sandbox for fintech startups",
    )
    assert (hit.kind, hit.status, hit.category, hit.agency, hit.province) == (
        "PROPOSAL",
        "NEEDS_INFO",
        "STARTUP",
        "NHNN",
        "HCM",
    )
    assert (hit.submitter_type, hit.published) == ("ENTERPRISE", False)
    assert (hit.created_at, hit.deadline) == (START + timedelta(hours=7), PAST)
    assert hit.snippet == "The <mark>sandbox</mark> licence took six months."


async def test_snippets_mark_the_original_words(corpus: SearchBackend) -> None:
    vietnamese = await corpus.search(
        "doi so", EVERYTHING, filters=SearchFilters(agencies=frozenset({"NHNN"}))
    )
    thai = await corpus.search("ดิจิทัล", EVERYTHING)
    russian = await corpus.search("цифров", EVERYTHING)

    assert [hit.snippet for hit in vietnamese.hits] == [
        "Kết nối dữ liệu dân cư với ngân hàng để chuyển <mark>đổi</mark> <mark>số</mark>."
    ]
    assert [hit.snippet for hit in thai.hits] == ["การเปลี่ยนผ่านสู่<mark>ดิจิทัล</mark>ของหน่วยงานภาครัฐ"]
    assert [hit.snippet for hit in russian.hits] == [
        "Предложение по <mark>цифровой</mark> платформе."
    ]


async def test_snippets_escape_html(backend: SearchBackend) -> None:
    await backend.index(
        [document(1, "Cổng dịch vụ công", 'Trang <script>alert("x")</script> & chuyển đổi số')]
    )

    [hit] = (await backend.search("chuyen doi so", EVERYTHING)).hits

    assert hit.snippet == (
        "Trang &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;"
        " <mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>"
    )


# The caller's scope is applied inside the search: documents, snippets and counts.


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (PUBLIC, [8, 5, 3, 1]),
        (SearchScope.agency("BKHCN"), [8, 5, 4, 3, 1]),
        (SearchScope.agency("UBND-DA-NANG"), [8, 5, 3, 2, 1]),
        (SearchScope.agency("BKHDT"), [8, 7, 5, 3, 1]),  # assigned 7 earlier
        (SearchScope.agency("NHNN", "THUONGTRUC"), [8, 7, 6, 5, 3, 1]),
        (SearchScope.agency("BKHCN-X"), [8, 5, 3, 1]),
        (SearchScope.agency("bkhcn"), [8, 5, 3, 1]),
        (EVERYTHING, NEWEST_FIRST),
    ],
)
async def test_scope(corpus: SearchBackend, scope: SearchScope, expected: list[int]) -> None:
    assert await ids(corpus, "", scope) == expected


async def test_an_agency_never_sees_another_agencys_documents_snippets_or_counts(
    corpus: SearchBackend,
) -> None:
    result = await corpus.search(
        "duong", SearchScope.agency("BGDDT"), facets=True, filters=SearchFilters(published=False)
    )
    semiconductors = await corpus.search("ban dan", SearchScope.agency("BGDDT"), facets=["agency"])

    assert result == SearchResult(
        hits=[],
        total=0,
        facets={name: {} for name in result.facets},
    )
    assert len(result.facets) == 7
    assert semiconductors == SearchResult(hits=[], total=0, facets={"agency": {}})


# Keeping the index: replacing, deleting, fingerprints.


async def test_index_replaces_and_deletes(corpus: SearchBackend) -> None:
    moved = document(2, "Trường học", published=False, agency="BGDDT", agencies=("BGDDT",))
    await corpus.index([moved])
    await corpus.delete([3, 99])
    await corpus.delete([])

    assert await corpus.get_ids() == {1, 2, 4, 5, 6, 7, 8}
    assert await ids(corpus, "duong") == []
    assert await ids(corpus, "truong") == [2, 1]
    assert await ids(corpus, "", SearchScope.agency("UBND-DA-NANG")) == [8, 5, 1]
    assert await ids(corpus, "", SearchScope.agency("BGDDT")) == [8, 5, 2, 1]


async def test_fingerprints_change_with_content(corpus: SearchBackend) -> None:
    before = await corpus.fingerprints()
    await corpus.index([document(8, "Chuyển đổi số ngân hàng", status="CLOSED", published=False)])
    after = await corpus.fingerprints()

    assert sorted(before) == sorted(after) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert {i for i in before if before[i] != after[i]} == {8}


async def test_setup_is_idempotent(corpus: SearchBackend) -> None:
    await corpus.setup()
    await corpus.setup()

    assert await corpus.get_ids() == set(NEWEST_FIRST)


# Bad input: a sane result, never an error from the engine, never an injected query.

HOSTILE_QUERIES = [
    ('"', NEWEST_FIRST),
    ("*", NEWEST_FIRST),
    ("NEAR(chuyen doi)", []),
    ("chuyen OR duong", []),
    ("chuyen AND NOT doi", []),
    ("title:chuyen", []),
    ("-chuyen", [8, 4, 1]),
    ("chuyen*", [8, 4, 1]),
    ('"chuyen doi"*', [8, 1]),
    ("chuyen & !doi", [8, 1]),
    ("chuyen <-> doi | so", [8, 1]),
    ("chuyen:* doi", [8, 1]),
    ("'; DROP TABLE documents; --", []),
    ("chuyen " * 5000, [8, 4, 1]),
    ("x" * 100_000, []),
    ("", NEWEST_FIRST),
    ("   \n\t ", NEWEST_FIRST),
    ("!@#$%^&*()[]{}<>?/\\|`~=+-_", NEWEST_FIRST),
    ("\x00", NEWEST_FIRST),
    ("so\x00chuyen", [8, 1]),
    ("👍 đường", [2]),
    ("published = false", []),
]


@pytest.mark.parametrize(("query", "expected"), HOSTILE_QUERIES)
async def test_hostile_queries_are_plain_words(
    corpus: SearchBackend, query: str, expected: list[int]
) -> None:
    assert await ids(corpus, query) == expected
    assert await corpus.get_ids() == set(NEWEST_FIRST)


# A query that is a tracking code finds that document, whatever its words.


async def _coded(backend: SearchBackend) -> SearchBackend:
    await backend.index(
        [
            *CORPUS,
            replace(document(9, "Cấp nước sạch", "Nước sinh hoạt."), tracking_code="TERNMT2XHD"),
            replace(
                document(10, "Đường nông thôn", published=False, agency="BKHCN"),
                tracking_code="HJKMNPQRST",
            ),
            document(11, "Department of roads", "The DEPARTMENT answered."),
        ]
    )
    return backend


@pytest.mark.parametrize("query", ["TERNMT2XHD", "ternmt2xhd", "  TernMT2xhd \n", "TERN-MT2X-HD"])
async def test_a_query_that_is_a_tracking_code_finds_that_document(
    backend: SearchBackend, query: str
) -> None:
    await _coded(backend)

    for sort in ("relevance", "newest", "deadline"):
        result = await backend.search(query, EVERYTHING, sort=sort, facets=["status", "published"])
        assert [(hit.id, hit.tracking_code, hit.title) for hit in result.hits] == [
            (9, "TERNMT2XHD", "Cấp nước sạch")
        ]
        assert result.total == 1
        assert result.exact is True
        assert result.facets == {"status": {"SUBMITTED": 1}, "published": {"true": 1}}
        assert result.hits[0].snippet == "Nước sinh hoạt."
    assert await ids(backend, query, PUBLIC) == [9]
    counted = await backend.search(query, EVERYTHING, limit=0)
    assert (counted.hits, counted.total) == ([], 1)
    assert (await backend.search(query, EVERYTHING, offset=1)).hits == []


async def test_a_tracking_code_stays_within_the_scope_and_the_filters(
    backend: SearchBackend,
) -> None:
    await _coded(backend)

    assert await ids(backend, "hjkmnpqrst") == [10]
    assert await ids(backend, "hjkmnpqrst", SearchScope.agency("BKHCN")) == [10]
    assert await ids(backend, "hjkmnpqrst", PUBLIC) == []
    assert await ids(backend, "hjkmnpqrst", SearchScope.agency("BCA")) == []
    assert await ids(backend, "TERNMT2XHD", filters=SearchFilters(published=False)) == []
    assert (
        await ids(backend, "TERNMT2XHD", filters=SearchFilters(kinds=frozenset({"OBSTACLE"}))) == []
    )
    # A code's prefix is a word like any other, and the code is not in any text.
    assert await ids(backend, "TERNMT") == []
    assert await ids(backend, "cap nuoc TERNMT2XHD") == []


async def test_a_code_shaped_word_that_is_no_code_is_searched_as_a_word(
    backend: SearchBackend,
) -> None:
    await _coded(backend)

    assert await ids(backend, "department") == [11]
    assert await ids(backend, "DEPARTMENT", sort="relevance") == [11]
    # Similar titles compare words, never codes.
    similar = await backend.search("TERNMT2XHD", EVERYTHING, match="any")
    assert similar.hits == []


# Date bounds at the ends of what a datetime can say filter nothing out.


async def test_date_bounds_at_the_ends_of_the_calendar(corpus: SearchBackend) -> None:
    vietnam = timezone(timedelta(hours=7))
    west = timezone(timedelta(hours=-7))
    widest = SearchFilters(
        created_from=datetime(1, 1, 1, tzinfo=vietnam),  # still year 0 in UTC
        created_to=datetime.max.replace(tzinfo=west),  # already year 10000 in UTC
    )

    assert await ids(corpus, "", filters=widest) == NEWEST_FIRST
    assert await ids(corpus, "chuyen", filters=widest) == [8, 4, 1]
    assert (
        await ids(corpus, "", filters=SearchFilters(created_to=datetime(1, 1, 1, tzinfo=vietnam)))
        == []
    )
    assert (
        await ids(corpus, "", filters=SearchFilters(created_from=datetime.max.replace(tzinfo=west)))
        == []
    )
