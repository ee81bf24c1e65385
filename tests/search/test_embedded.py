import asyncio
import sqlite3
import unicodedata
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from search import (
    EmbeddedSearch,
    SearchBackend,
    SearchDocument,
    SearchError,
    SearchHit,
    SearchResult,
    SearchScope,
)

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
EVERYTHING = SearchScope.secretariat()


def make_document(
    id: int,
    title: str = "Đề xuất",
    description: str = "",
    *,
    published: bool = True,
    agency: str | None = None,
    agencies: tuple[str, ...] = (),
    created_at: datetime | None = None,
) -> SearchDocument:
    return SearchDocument(
        id=id,
        tracking_code=f"DX-{id:06d}",
        kind="PROPOSAL",
        status="SUBMITTED",
        title=title,
        description=description,
        category="CDS",
        province="HN",
        agency=agency,
        agencies=agencies,
        submitter_type="CITIZEN",
        published=published,
        # Later ids are newer unless a test says otherwise.
        created_at=created_at or START + timedelta(hours=id),
        deadline=None,
    )


@pytest.fixture
async def search(tmp_path: Path) -> AsyncIterator[EmbeddedSearch]:
    backend = EmbeddedSearch(tmp_path / "search.db")
    await backend.setup()
    yield backend
    await backend.close()


async def found(
    search: EmbeddedSearch,
    query: str,
    scope: SearchScope = EVERYTHING,
    *,
    limit: int = 20,
    offset: int = 0,
) -> list[int]:
    result = await search.search(query, scope, limit=limit, offset=offset)
    return [hit.id for hit in result.hits]


def test_embedded_search_is_a_search_backend(tmp_path: Path) -> None:
    backend: SearchBackend = EmbeddedSearch(tmp_path / "search.db")

    assert isinstance(backend, EmbeddedSearch)


async def test_setup_is_idempotent(search: EmbeddedSearch) -> None:
    await search.index([make_document(1, "Chuyển đổi số")])

    await search.setup()
    await search.setup()

    assert await search.get_ids() == {1}
    assert await found(search, "chuyen doi so") == [1]


async def test_setup_creates_missing_directories(tmp_path: Path) -> None:
    backend = EmbeddedSearch(tmp_path / "data" / "nested" / "search.db")
    try:
        await backend.setup()
        await backend.index([make_document(1)])
        assert await backend.get_ids() == {1}
    finally:
        await backend.close()
    assert (tmp_path / "data" / "nested" / "search.db").is_file()


async def test_index_survives_reopening(tmp_path: Path) -> None:
    first = EmbeddedSearch(tmp_path / "search.db")
    await first.setup()
    await first.index([make_document(1, "Cầu Long Biên")])
    await first.close()

    second = EmbeddedSearch(tmp_path / "search.db")
    try:
        await second.setup()
        assert await found(second, "cau long bien") == [1]
    finally:
        await second.close()


@pytest.mark.parametrize(
    "query",
    ["chuyen doi so", "Chuyển đổi số", "CHUYỂN ĐỔI SỐ", "CHUYEN DOI SO", "chuyển doi SỐ"],
)
async def test_folded_query_finds_accented_text(search: EmbeddedSearch, query: str) -> None:
    await search.index(
        [make_document(1, "Đẩy mạnh chuyển đổi số"), make_document(2, "Cải cách hành chính")]
    )

    assert await found(search, query) == [1]


@pytest.mark.parametrize("query", ["duong", "DUONG", "đường", "Đường", "DƯỜNG", "dương"])
async def test_d_with_stroke_folds_to_d(search: EmbeddedSearch, query: str) -> None:
    await search.index(
        [make_document(1, "Sửa chữa đường làng"), make_document(2, "Sửa chữa trường học")]
    )

    assert await found(search, query) == [1]


async def test_decomposed_document_text_is_found_and_returned_composed(
    search: EmbeddedSearch,
) -> None:
    title = unicodedata.normalize("NFD", "Nâng cấp đường sắt")
    await search.index([make_document(1, title, title)])

    result = await search.search("nâng cấp đường", EVERYTHING)

    assert [hit.title for hit in result.hits] == ["Nâng cấp đường sắt"]
    assert result.hits[0].snippet == "<mark>Nâng</mark> <mark>cấp</mark> <mark>đường</mark> sắt"


async def test_every_word_must_match(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Chuyển đổi số trong giáo dục"),
            make_document(2, "Chuyển giao công nghệ"),
            make_document(3, "Số hóa hồ sơ", "Đổi mới quy trình"),
        ]
    )

    assert await found(search, "chuyen doi") == [1]
    assert await found(search, "chuyen") == [2, 1]
    assert await found(search, "doi so") == [1, 3]
    assert await found(search, "chuyen doi cong") == []


async def test_only_the_last_word_is_a_prefix(search: EmbeddedSearch) -> None:
    await search.index([make_document(1, "Chuyển đổi số")])

    assert await found(search, "chuyen do") == [1]
    assert await found(search, "chuyen doi s") == []  # one letter: a whole word only
    assert await found(search, "chuy") == [1]
    assert await found(search, "chuy doi") == []
    assert await found(search, "chuyenn") == []


async def test_public_sees_only_published_documents(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Cấp phép xây dựng", published=True, agency="BXD"),
            make_document(2, "Cấp phép xây dựng", published=False, agency="BXD"),
            make_document(3, "Cấp phép kinh doanh", published=True),
        ]
    )

    result = await search.search("cap phep", SearchScope.public())

    assert [hit.id for hit in result.hits] == [3, 1]
    assert result.total == 2
    assert (await search.search("", SearchScope.public())).total == 2


async def test_agency_sees_its_own_and_published_documents(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Thuế đất", published=True, agency="BTC", agencies=("BTC",)),
            make_document(2, "Thuế đất", published=False, agency="BTC", agencies=("BTC",)),
            make_document(3, "Thuế đất", published=False, agency="BCT", agencies=("BCT",)),
            make_document(4, "Thuế đất", published=True, agency="BCT", agencies=("BCT",)),
            make_document(5, "Thuế đất", published=False),
        ]
    )

    mine = await search.search("thue dat", SearchScope.agency("BTC"))
    everything = await search.search("", SearchScope.agency("BTC"))

    assert [hit.id for hit in mine.hits] == [4, 2, 1]
    assert mine.total == 3
    assert [hit.id for hit in everything.hits] == [4, 2, 1]
    assert everything.total == 3


async def test_agency_code_never_matches_a_longer_code(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Xuất khẩu", published=False, agency="BCTX", agencies=("BCTX",)),
            make_document(2, "Xuất khẩu", published=False, agencies=("XBCT", "BCT-HN")),
            make_document(3, "Xuất khẩu", published=False, agencies=("bct",)),
            make_document(4, "Xuất khẩu", published=False, agencies=("BCT",)),
        ]
    )

    assert await found(search, "xuat khau", SearchScope.agency("BCT")) == [4]
    assert await found(search, "", SearchScope.agency("BCT")) == [4]
    assert await found(search, "", SearchScope.agency("BC")) == []


async def test_agency_keeps_documents_it_was_assigned_earlier(search: EmbeddedSearch) -> None:
    await search.index(
        [make_document(1, "Điện mặt trời", published=False, agency="BCT", agencies=("BXD", "BCT"))]
    )

    assert await found(search, "dien", SearchScope.agency("BXD")) == [1]
    assert await found(search, "dien", SearchScope.agency("BCT")) == [1]
    assert await found(search, "dien", SearchScope.agency("BTC")) == []


async def test_current_agency_is_in_scope_even_when_missing_from_agencies(
    search: EmbeddedSearch,
) -> None:
    await search.index([make_document(1, "Điện gió", published=False, agency="BCT")])

    assert await found(search, "dien", SearchScope.agency("BCT")) == [1]


async def test_scope_with_several_agencies(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, published=False, agencies=("BCT",)),
            make_document(2, published=False, agencies=("BTC",)),
            make_document(3, published=False, agencies=("BXD",)),
        ]
    )

    result = await search.search("", SearchScope.agency("BCT", "BXD"))

    assert [hit.id for hit in result.hits] == [3, 1]
    assert result.total == 2


async def test_secretariat_sees_everything(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Đất đai", published=True),
            make_document(2, "Đất đai", published=False, agencies=("BTNMT",)),
            make_document(3, "Đất đai", published=False),
        ]
    )

    result = await search.search("dat dai", SearchScope.secretariat())

    assert [hit.id for hit in result.hits] == [3, 2, 1]
    assert result.total == 3


async def test_index_replaces_a_document(search: EmbeddedSearch) -> None:
    await search.index([make_document(1, "Cầu vượt", published=False, agencies=("BGTVT",))])

    await search.index([make_document(1, "Trường học", published=False, agencies=("BGDDT",))])

    assert await found(search, "cau") == []
    assert await found(search, "truong") == [1]
    assert await found(search, "", SearchScope.agency("BGTVT")) == []
    assert await found(search, "", SearchScope.agency("BGDDT")) == [1]
    assert await search.get_ids() == {1}
    assert (await search.search("", EVERYTHING)).total == 1


async def test_publishing_on_reindex_opens_the_document_to_the_public(
    search: EmbeddedSearch,
) -> None:
    await search.index([make_document(1, "Cầu vượt", published=False)])
    assert await found(search, "cau", SearchScope.public()) == []

    await search.index([make_document(1, "Cầu vượt", published=True)])

    assert await found(search, "cau", SearchScope.public()) == [1]


async def test_the_last_copy_of_a_document_in_one_batch_wins(search: EmbeddedSearch) -> None:
    await search.index([make_document(1, "Bản nháp"), make_document(1, "Bản cuối")])

    result = await search.search("ban", EVERYTHING)

    assert [(hit.id, hit.title) for hit in result.hits] == [(1, "Bản cuối")]
    assert result.total == 1


async def test_index_is_idempotent(search: EmbeddedSearch) -> None:
    documents = [make_document(1, "Cầu vượt"), make_document(2, "Cầu treo")]

    await search.index(documents)
    await search.index(documents)

    result = await search.search("cau", EVERYTHING)
    assert [hit.id for hit in result.hits] == [2, 1]
    assert result.total == 2


async def test_delete(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Cầu vượt", agencies=("BGTVT",)),
            make_document(2, "Cầu treo", agencies=("BGTVT",)),
        ]
    )

    await search.delete([1, 99])
    await search.delete([1])

    assert await search.get_ids() == {2}
    assert await found(search, "cau") == [2]
    assert await found(search, "vuot") == []
    assert await found(search, "", SearchScope.agency("BGTVT")) == [2]


async def test_empty_batches_do_nothing(search: EmbeddedSearch) -> None:
    await search.index([make_document(1)])

    await search.index([])
    await search.delete([])

    assert await search.get_ids() == {1}


async def test_get_ids_of_an_empty_index(search: EmbeddedSearch) -> None:
    assert await search.get_ids() == set()


async def test_hits_carry_original_title_code_and_score(search: EmbeddedSearch) -> None:
    await search.index([make_document(7, "Đơn giản hóa thủ tục", "Thủ tục cấp phép")])

    result = await search.search("thu tuc", EVERYTHING)

    assert result.total == 1
    [hit] = result.hits
    assert (hit.id, hit.tracking_code, hit.title) == (7, "DX-000007", "Đơn giản hóa thủ tục")
    assert hit.snippet == "<mark>Thủ</mark> <mark>tục</mark> cấp phép"
    assert hit.score > 0


async def test_empty_query_lists_visible_documents_newest_first(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Một", created_at=START + timedelta(days=2)),
            make_document(2, "Hai", created_at=START),
            make_document(3, "Ba", created_at=START + timedelta(days=1), published=False),
            make_document(4, "Bốn", created_at=START + timedelta(days=3), published=False),
        ]
    )

    public = await search.search("", SearchScope.public())
    everything = await search.search("", EVERYTHING)

    assert public == SearchResult(
        hits=[
            SearchHit(
                id=1,
                tracking_code="DX-000001",
                title="Một",
                snippet="",
                score=0.0,
                kind="PROPOSAL",
                status="SUBMITTED",
                category="CDS",
                agency=None,
                province="HN",
                submitter_type="CITIZEN",
                published=True,
                created_at=START + timedelta(days=2),
                deadline=None,
            ),
            SearchHit(
                id=2,
                tracking_code="DX-000002",
                title="Hai",
                snippet="",
                score=0.0,
                kind="PROPOSAL",
                status="SUBMITTED",
                category="CDS",
                agency=None,
                province="HN",
                submitter_type="CITIZEN",
                published=True,
                created_at=START,
                deadline=None,
            ),
        ],
        total=2,
    )
    assert [hit.id for hit in everything.hits] == [4, 1, 3, 2]


async def test_naive_datetimes_count_as_utc(search: EmbeddedSearch) -> None:
    naive = datetime(2026, 11, 2, 12, 0)
    await search.index(
        [
            make_document(1, created_at=naive),
            make_document(2, created_at=datetime(2026, 11, 2, 11, 59, tzinfo=UTC)),
            make_document(
                3, created_at=datetime(2026, 11, 2, 19, 1, tzinfo=timezone(timedelta(hours=7)))
            ),
        ]
    )

    assert await found(search, "") == [3, 1, 2]


HOSTILE_QUERIES = [
    ('"', [3, 2, 1]),
    ("*", [3, 2, 1]),
    ("NEAR(", []),
    ("NEAR(chuyen doi)", []),
    ("chuyen OR duong", []),
    ("chuyen AND NOT doi", []),
    ("title:chuyen", []),
    ("description:duong", []),
    ("-chuyen", [1]),
    ("^chuyen", [1]),
    ("chuyen*", [1]),
    ('"chuyen doi"*', [1]),
    ("{title description}: duong", []),
    ("'; DROP TABLE documents; --", []),
    ("chuyen " * 5000, [1]),
    ("x" * 100_000, []),
    ("", [3, 2, 1]),
    ("   \n\t ", [3, 2, 1]),
    ("!@#$%^&*()[]{}<>?/\\|`~=+-_", [3, 2, 1]),
    ("\x00", [3, 2, 1]),
    ("so\x00chuyen", [1]),
    ("👍 đường", [2]),
]


@pytest.mark.parametrize(("query", "ids"), HOSTILE_QUERIES)
async def test_hostile_queries_are_plain_words(
    search: EmbeddedSearch, query: str, ids: list[int]
) -> None:
    await search.index(
        [
            make_document(1, "Chuyển đổi số"),
            make_document(2, "Sửa đường", "Đường xuống cấp"),
            make_document(3, "Mua sắm công"),
        ]
    )

    result = await search.search(query, EVERYTHING)

    assert [hit.id for hit in result.hits] == ids
    assert result.total == len(ids)
    assert await search.get_ids() == {1, 2, 3}


async def test_snippet_marks_original_words_and_escapes_html(search: EmbeddedSearch) -> None:
    description = 'Trang <script>alert("x")</script> chậm; cần đẩy nhanh chuyển đổi số & cải cách'
    await search.index([make_document(1, "Cổng dịch vụ công", description)])

    result = await search.search("chuyen doi so", EVERYTHING)

    assert result.hits[0].snippet == (
        "Trang &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; chậm; cần đẩy nhanh"
        " <mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark> &amp; cải cách"
    )


async def test_snippet_of_a_title_only_match_is_the_description_start(
    search: EmbeddedSearch,
) -> None:
    await search.index([make_document(1, "Chuyển đổi số", "Nội dung <b>chi tiết</b>")])

    result = await search.search("chuyen", EVERYTHING)

    assert result.hits[0].snippet == "Nội dung &lt;b&gt;chi tiết&lt;/b&gt;"


async def test_snippet_is_an_excerpt_around_the_first_match(search: EmbeddedSearch) -> None:
    description = "Bối cảnh chung. " * 30 + "Đề nghị giảm thủ tục hải quan." + " Phụ lục." * 40
    await search.index([make_document(1, "Hải quan", description)])

    snippet = (await search.search("thu tuc", EVERYTHING)).hits[0].snippet

    assert snippet.startswith("…Bối cảnh chung. ")
    assert "Đề nghị giảm <mark>thủ</mark> <mark>tục</mark> hải quan. Phụ lục." in snippet
    assert snippet.endswith("…")
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 202


async def test_pagination(search: EmbeddedSearch) -> None:
    await search.index([make_document(number, f"Kiến nghị số {number}") for number in range(1, 26)])
    newest_first = list(range(25, 0, -1))

    pages = [await search.search("kien nghi", EVERYTHING, limit=10, offset=o) for o in (0, 10, 20)]

    assert [[hit.id for hit in page.hits] for page in pages] == [
        newest_first[:10],
        newest_first[10:20],
        newest_first[20:],
    ]
    assert [page.total for page in pages] == [25, 25, 25]
    assert await search.search("kien nghi", EVERYTHING, offset=25) == SearchResult(
        hits=[], total=25
    )
    assert await search.search("", EVERYTHING, limit=0) == SearchResult(hits=[], total=25)
    assert await found(search, "", limit=3, offset=5) == [20, 19, 18]


async def test_pagination_total_counts_only_visible_documents(search: EmbeddedSearch) -> None:
    await search.index(
        [make_document(number, "Hồ sơ", published=number % 2 == 0) for number in range(1, 11)]
    )

    result = await search.search("ho so", SearchScope.public(), limit=2, offset=2)

    assert [hit.id for hit in result.hits] == [6, 4]
    assert result.total == 5


@pytest.mark.parametrize(("limit", "offset"), [(-1, 0), (10, -1)])
async def test_negative_page_is_refused(search: EmbeddedSearch, limit: int, offset: int) -> None:
    with pytest.raises(ValueError, match="limit and offset must not be negative"):
        await search.search("", EVERYTHING, limit=limit, offset=offset)


async def test_title_match_ranks_above_description_match(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Nâng cấp hạ tầng giao thông", created_at=START),
            make_document(2, "Cải tạo vỉa hè", "Kết nối giao thông khu vực", created_at=START),
            make_document(3, "Sửa cống thoát nước", "Giao thông bị ảnh hưởng", created_at=START),
        ]
    )

    result = await search.search("giao thong", EVERYTHING)

    assert [hit.id for hit in result.hits][:1] == [1]
    assert result.hits[0].score > result.hits[1].score > 0


async def test_equal_scores_list_newest_first(search: EmbeddedSearch) -> None:
    await search.index(
        [
            make_document(1, "Cấp nước sạch", created_at=START + timedelta(days=1)),
            make_document(2, "Cấp nước sạch", created_at=START + timedelta(days=3)),
            make_document(3, "Cấp nước sạch", created_at=START + timedelta(days=2)),
        ]
    )

    assert await found(search, "nuoc sach") == [2, 3, 1]


async def test_concurrent_writes_and_reads(search: EmbeddedSearch) -> None:
    async def write(number: int) -> None:
        await search.index([make_document(number, f"Đề án {number}")])

    await asyncio.gather(
        *(write(number) for number in range(1, 41)),
        *(search.search("de an", EVERYTHING) for _ in range(20)),
    )

    assert await search.get_ids() == set(range(1, 41))
    assert (await search.search("de an", EVERYTHING)).total == 40


async def test_closed_search_refuses_work(tmp_path: Path) -> None:
    backend = EmbeddedSearch(tmp_path / "search.db")
    await backend.setup()
    await backend.close()
    await backend.close()

    with pytest.raises(SearchError, match="is closed"):
        await backend.search("", EVERYTHING)
    with pytest.raises(SearchError, match="is closed"):
        await backend.index([make_document(1)])


async def test_unreadable_file_raises_search_error(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    path.write_bytes(b"this is not a database" * 100)
    backend = EmbeddedSearch(path)
    try:
        with pytest.raises(SearchError, match="file is not a database"):
            await backend.setup()
    finally:
        await backend.close()


async def test_search_before_setup_raises_search_error(tmp_path: Path) -> None:
    backend = EmbeddedSearch(tmp_path / "search.db")
    try:
        with pytest.raises(SearchError, match="no such table"):
            await backend.search("x", EVERYTHING)
    finally:
        await backend.close()


async def test_index_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA user_version = 99")
    backend = EmbeddedSearch(path)
    try:
        with pytest.raises(SearchError, match="schema version 99, this code expects 3"):
            await backend.setup()
    finally:
        await backend.close()


async def test_a_failed_batch_writes_nothing(search: EmbeddedSearch) -> None:
    await search.index([make_document(1, "Cầu vượt")])
    broken = make_document(2, "Cầu treo")
    object.__setattr__(broken, "kind", None)  # as a buggy caller might send it

    with pytest.raises(SearchError, match=r"NOT NULL constraint failed: documents\.kind"):
        await search.index([make_document(1, "Trường học"), broken])

    assert await search.get_ids() == {1}
    assert await found(search, "cau") == [1]
    await search.index([make_document(3, "Chợ")])
    assert await search.get_ids() == {1, 3}


def test_at_least_one_reader(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one reader, got 0"):
        EmbeddedSearch(tmp_path / "search.db", readers=0)


_VERSION_1_SCHEMA = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY, tracking_code TEXT NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
    category TEXT NOT NULL, province TEXT, agency TEXT, submitter_type TEXT NOT NULL,
    published INTEGER NOT NULL, created_at TEXT NOT NULL, deadline TEXT
);
CREATE TABLE document_agencies (
    agency TEXT NOT NULL, document_id INTEGER NOT NULL, PRIMARY KEY (agency, document_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, description, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
INSERT INTO documents VALUES (1, 'DX-000001', 'PROPOSAL', 'SUBMITTED', 'Chuyển đổi số',
    'การเปลี่ยนผ่านสู่ดิจิทัล', 'CDS', 'HN', NULL, 'CITIZEN', 1,
    '2026-11-02T08:00:00.000000+00:00', NULL);
INSERT INTO documents_fts (rowid, title, description) VALUES (1, 'chuyen doi so', 'x');
PRAGMA user_version = 1;
"""


async def test_an_index_of_version_1_is_upgraded_and_its_words_indexed_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "search.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(_VERSION_1_SCHEMA)
    backend = EmbeddedSearch(path)
    try:
        await backend.setup()
        assert await found(backend, "ดิจิทัล") == [1]
        assert await found(backend, "chuyen doi") == [1]
        # No fingerprint yet: verification sees the document as stale and rewrites it.
        assert await backend.fingerprints() == {1: ""}
    finally:
        await backend.close()
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (3,)
