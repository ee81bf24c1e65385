"""Search with SQLite FTS5, in a database file of its own beside the application database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from search.base import (
    CLOCK_RUNNING_STATUSES,
    COUNT_LIMIT,
    SearchDocument,
    SearchError,
    SearchFilters,
    SearchHit,
    SearchResult,
    SearchScope,
    SearchSort,
    WordMatch,
    check_page,
    count_limit_for,
    document_agencies,
    facet_names,
    fingerprint,
    tracking_code_query,
    utc,
)
from search.columns import Changes, ColumnRow, DocumentColumns
from search.text import (
    highlight,
    index_text,
    is_prefix,
    is_unspaced,
    normalize,
    query_terms,
    term_grams,
)

SCHEMA_VERSION = 3
TITLE_WEIGHT = 5.0
DESCRIPTION_WEIGHT = 1.0

_T = TypeVar("_T")
_Row = tuple[object, ...]

# Python folds and splits the text (search.text), the same way for every backend; the tokenizer
# only splits on the spaces between those tokens. It must keep combining marks (M*): the vowels
# and tones of Thai trigram tokens are marks, and unicode61 drops them by default.
_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, description,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* M* N* Co'",
    prefix = '2 3'
)
"""

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    tracking_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    province TEXT,
    agency TEXT,
    submitter_type TEXT NOT NULL,
    published INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    deadline TEXT,
    fingerprint TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_newest ON documents (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS documents_published_newest
    ON documents (published, created_at DESC, id DESC);
-- A query that is a tracking code is looked up here first (see _code_matches).
CREATE INDEX IF NOT EXISTS documents_tracking_code ON documents (tracking_code);
-- Covers everything counting and filtering read, so that a match is looked up in a narrow index
-- instead of a row that carries its title and description (about twice as fast).
CREATE INDEX IF NOT EXISTS documents_facets ON documents (
    id, published, status, kind, category, agency, province, submitter_type, created_at, deadline
);
CREATE TABLE IF NOT EXISTS document_agencies (
    agency TEXT NOT NULL,
    document_id INTEGER NOT NULL,
    PRIMARY KEY (agency, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS document_agencies_document ON document_agencies (document_id);
-- The change version (see search.columns): raised by every write, stamped on what it wrote.
CREATE TABLE IF NOT EXISTS search_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation TEXT NOT NULL,
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO search_state VALUES (1, lower(hex(randomblob(16))), 0);
CREATE INDEX IF NOT EXISTS documents_version ON documents (version);
CREATE TABLE IF NOT EXISTS deleted_documents (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deleted_documents_version ON deleted_documents (version);
"""
    + _FTS
)


class EmbeddedSearch:
    def __init__(
        self,
        path: Path,
        *,
        readers: int = 4,
        busy_timeout_ms: int = 5000,
        count_limit: int = COUNT_LIMIT,
    ) -> None:
        if readers < 1:
            raise ValueError(f"an embedded search needs at least one reader, got {readers}")
        if count_limit < 1:
            raise ValueError(f"the count limit must be at least 1, got {count_limit}")
        self._path = path
        self._count_limit = count_limit
        self._writer = _Connection(path, busy_timeout_ms, write=True)
        self._write_lock = asyncio.Lock()
        self._all_readers = [
            _Connection(path, busy_timeout_ms, write=False) for _ in range(readers)
        ]
        self._readers: asyncio.Queue[_Connection] = asyncio.Queue()
        for reader in self._all_readers:
            self._readers.put_nowait(reader)
        self._closed = False
        # Shared by the readers; each search brings it up to date inside its read transaction.
        self._columns = DocumentColumns()

    async def setup(self) -> None:
        await self._write(_create_schema)

    async def index(self, documents: Sequence[SearchDocument]) -> None:
        if documents:
            await self._write(lambda connection: _upsert(connection, documents))

    async def delete(self, ids: Sequence[int]) -> None:
        if ids:
            await self._write(lambda connection: _delete(connection, ids))

    async def get_ids(self) -> set[int]:
        return await self._read(_document_ids)

    async def fingerprints(self) -> dict[int, str]:
        return await self._read(_fingerprints)

    async def search(
        self,
        query: str,
        scope: SearchScope,
        *,
        limit: int = 20,
        offset: int = 0,
        filters: SearchFilters | None = None,
        sort: SearchSort = "relevance",
        facets: bool | Collection[str] = False,
        match: WordMatch = "all",
        candidates: int | None = None,
    ) -> SearchResult:
        check_page(limit, offset, sort)
        request = _Request(
            terms=query_terms(query),
            code=tracking_code_query(query) if match == "all" else None,
            match=match,
            count_limit=count_limit_for(self._count_limit, candidates),
            scope=scope,
            filters=filters or SearchFilters(),
            sort=sort,
            facets=facet_names(facets),
            limit=limit,
            offset=offset,
            now=datetime.now(UTC),
        )
        return await self._read(lambda connection: _search(connection, self._columns, request))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._writer.close()
        for _ in self._all_readers:
            reader = await self._readers.get()
            await reader.close()

    async def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        async with self._write_lock:
            self._check_open()
            return await self._writer.run(work)

    async def _read(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        self._check_open()
        reader = await self._readers.get()
        try:
            return await reader.run(work)
        finally:
            self._readers.put_nowait(reader)

    def _check_open(self) -> None:
        if self._closed:
            raise SearchError(f"search index {self._path} is closed")


class _Connection:
    """One SQLite connection with a thread of its own: each piece of work runs whole, in order."""

    def __init__(self, path: Path, busy_timeout_ms: int, *, write: bool) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._write = write
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-sqlite")
        self._connection: sqlite3.Connection | None = None

    async def run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        # Even if the caller is cancelled, the work finishes before the thread takes the next.
        return await asyncio.wrap_future(self._executor.submit(self._run, work))

    async def close(self) -> None:
        await asyncio.wrap_future(self._executor.submit(self._close))
        self._executor.shutdown(wait=False)

    def _run(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        try:
            if self._connection is None:
                self._connection = self._connect()
            return work(self._connection)
        except sqlite3.Error as error:
            raise SearchError(f"search index {self._path}: {error}") from error

    def _connect(self) -> sqlite3.Connection:
        if self._write:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self._path, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            if self._write:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
            else:
                connection.execute("PRAGMA query_only = ON")
        except BaseException:
            connection.close()
            raise
        return connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@contextmanager
def _transaction(connection: sqlite3.Connection, mode: str = "DEFERRED") -> Iterator[None]:
    connection.execute(f"BEGIN {mode}")
    try:
        yield
    except BaseException:
        # SQLite rolls back by itself after some errors (a full disk, for one).
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _create_schema(connection: sqlite3.Connection) -> None:
    with _transaction(connection, "IMMEDIATE"):
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, 1, 2, SCHEMA_VERSION):
            raise SearchError(
                f"search index has schema version {version}, this code expects {SCHEMA_VERSION}:"
                " delete the file and reindex"
            )
        if version == 1:
            _upgrade_from_1(connection)
        if version in (1, 2):
            # Version 2 had no change versions: every row starts at 0, read by a first load.
            connection.execute(
                "ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 0"
            )
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade_from_1(connection: sqlite3.Connection) -> None:
    # Version 1 let the tokenizer drop combining marks (Thai vowels) and kept no fingerprints:
    # the words are indexed again from the stored text, and `intake reindex --verify` sees every
    # document as stale and rewrites it.
    connection.execute("ALTER TABLE documents ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")
    connection.execute("DROP TABLE documents_fts")
    connection.execute(_FTS)
    rows = connection.execute("SELECT id, title, description FROM documents").fetchall()
    connection.executemany(
        "INSERT INTO documents_fts (rowid, title, description) VALUES (?, ?, ?)",
        [(row[0], index_text(row[1]), index_text(row[2])) for row in rows],
    )


def _upsert(connection: sqlite3.Connection, documents: Sequence[SearchDocument]) -> None:
    latest = {document.id: document for document in documents}
    ids = [(document_id,) for document_id in latest]
    rows = [_document_row(document) for document in latest.values()]
    texts = [
        (document.id, index_text(document.title), index_text(document.description))
        for document in latest.values()
    ]
    agencies = [
        (agency, document.id)
        for document in latest.values()
        for agency in document_agencies(document)
    ]
    with _transaction(connection, "IMMEDIATE"):
        version = _next_version(connection)
        connection.executemany("DELETE FROM documents_fts WHERE rowid = ?", ids)
        connection.executemany("DELETE FROM document_agencies WHERE document_id = ?", ids)
        if connection.execute("SELECT 1 FROM deleted_documents LIMIT 1").fetchone():
            connection.executemany("DELETE FROM deleted_documents WHERE id = ?", ids)
        connection.executemany(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, version) for row in rows],
        )
        connection.executemany(
            "INSERT INTO documents_fts (rowid, title, description) VALUES (?, ?, ?)", texts
        )
        connection.executemany("INSERT INTO document_agencies VALUES (?, ?)", agencies)


def _delete(connection: sqlite3.Connection, ids: Sequence[int]) -> None:
    parameters = [(document_id,) for document_id in set(ids)]
    with _transaction(connection, "IMMEDIATE"):
        version = _next_version(connection)
        connection.executemany("DELETE FROM documents_fts WHERE rowid = ?", parameters)
        connection.executemany("DELETE FROM document_agencies WHERE document_id = ?", parameters)
        connection.executemany("DELETE FROM documents WHERE id = ?", parameters)
        connection.executemany(
            "INSERT OR REPLACE INTO deleted_documents VALUES (?, ?)",
            [(document_id, version) for (document_id,) in parameters],
        )


def _next_version(connection: sqlite3.Connection) -> int:
    # Inside the write transaction: SQLite has one writer at a time, so versions commit in order.
    row = connection.execute(
        "UPDATE search_state SET version = version + 1 RETURNING version"
    ).fetchone()
    if row is None:
        raise SearchError("search index has no change version: run setup() first")
    return int(row[0])


# Timestamps are stored fixed-width (see _timestamp): seconds from the first 19 characters,
# microseconds from characters 21-26, so that the copy holds exact integers.
_MICROS = (
    "CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) * 1000000"
    " + CAST(substr({0}, 21, 6) AS INTEGER)"
)
_COLUMN_ROWS = (
    "SELECT d.id, d.status, d.kind, d.category, d.agency, d.province, d.submitter_type,"  # noqa: S608
    f" d.published, {_MICROS.format('d.created_at')}, {_MICROS.format('d.deadline')},"
    " (SELECT group_concat(agency, char(31)) FROM document_agencies WHERE document_id = d.id)"
    " FROM documents AS d"
)


def _refresh(connection: sqlite3.Connection, columns: DocumentColumns) -> None:
    """Bring the in-memory copy up to this read transaction's version of the index."""
    state = connection.execute("SELECT generation, version FROM search_state").fetchone()
    if state is None:
        raise SearchError("search index has no change version: run setup() first")
    generation, version = str(state[0]), int(state[1])
    with columns.lock:
        if not columns.stale(generation, version):
            return
        since = columns.since(generation)
        if since < 0:
            # The covering index holds every column read, in a fraction of the table's pages.
            rows = connection.execute(f"{_COLUMN_ROWS} INDEXED BY documents_facets").fetchall()
            deleted: list[int] = []
        else:
            rows = connection.execute(f"{_COLUMN_ROWS} WHERE d.version > ?", [since]).fetchall()
            deleted = [
                int(row[0])
                for row in connection.execute(
                    "SELECT id FROM deleted_documents WHERE version > ?", [since]
                )
            ]
        columns.apply(
            Changes(
                generation=generation,
                version=version,
                rows=[_column_row(row) for row in rows],
                deleted=deleted,
                complete=since < 0,
            )
        )


def _column_row(row: _Row) -> ColumnRow:
    # SQLite hands back the types ColumnRow holds; only the agencies come joined.
    agencies = row[10]
    return ColumnRow._make((*row[:10], tuple(str(agencies).split("\x1f")) if agencies else ()))


def _document_ids(connection: sqlite3.Connection) -> set[int]:
    return {row[0] for row in connection.execute("SELECT id FROM documents")}


def _fingerprints(connection: sqlite3.Connection) -> dict[int, str]:
    return dict(connection.execute("SELECT id, fingerprint FROM documents").fetchall())


def _document_row(document: SearchDocument) -> _Row:
    return (
        document.id,
        document.tracking_code,
        document.kind,
        document.status,
        normalize(document.title),
        normalize(document.description),
        document.category,
        document.province,
        document.agency,
        document.submitter_type,
        int(document.published),
        _timestamp(document.created_at),
        _timestamp(document.deadline) if document.deadline else None,
        fingerprint(document),
    )


def _timestamp(moment: datetime) -> str:
    # Fixed width, so that text order is time order.
    return utc(moment).isoformat(timespec="microseconds")


# Ranking costs in proportion to the matches (bm25 reads every match's positions: about 3 µs
# each), so when more than this many visible documents match, relevance orders the newest
# RANK_WINDOW of them (at most the count limit). A query that common is not
# looking for one document, and the newest of many equally plausible answers is the useful end.
RANK_WINDOW = 1000

_HIT_COLUMNS = (
    "d.id, d.tracking_code, d.title, d.description, d.kind, d.status, d.category, d.agency,"
    " d.province, d.submitter_type, d.published, d.created_at, d.deadline"
)
_FILTER_COLUMNS = {
    "status": "d.status",
    "kind": "d.kind",
    "category": "d.category",
    "agency": "d.agency",
    "province": "d.province",
    "submitter_type": "d.submitter_type",
}
_FACET_COLUMNS = {**_FILTER_COLUMNS, "published": "d.published"}
_CLOCK_RUNNING = sorted(CLOCK_RUNNING_STATUSES)


@dataclass(frozen=True, slots=True)
class _Request:
    terms: list[str]
    match: WordMatch
    count_limit: int
    scope: SearchScope
    filters: SearchFilters
    sort: SearchSort
    facets: tuple[str, ...]
    limit: int
    offset: int
    now: datetime
    code: str | None = None  # the tracking code the query could be


def _search(
    connection: sqlite3.Connection, columns: DocumentColumns, request: _Request
) -> SearchResult:
    # Only fixed SQL is formatted into the statements; everything the user typed is a parameter.
    terms = request.terms
    expression = _match_expression(terms, request.match) if terms else ""
    ranked = bool(terms) and request.sort == "relevance"
    with _transaction(connection):
        _refresh(connection, columns)
        coded = _code_matches(connection, columns, request)
        if coded:
            page = [(document_id, 1.0) for document_id in coded]
            rows = _rows_by_id(connection, page[request.offset : request.offset + request.limit])
            return SearchResult(
                hits=[_hit(row, []) for row in rows],
                total=len(coded),
                facets=columns.facet_counts(coded, request.facets),
            )
        # The matches, newest first, as the full-text index lists them; the in-memory copy keeps
        # those in the scope and the filters, and stops after one more than the count limit.
        matches = (
            _first_column(
                connection.execute(
                    "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
                    " ORDER BY rowid DESC",
                    [expression],
                )
            )
            if terms
            else None
        )
        counted = columns.select(
            matches, request.scope, request.filters, request.now, request.count_limit + 1
        )
        exact = len(counted) <= request.count_limit
        del counted[request.count_limit :]
        facets = columns.facet_counts(counted, request.facets)
        if ranked:
            page = _ranked_page(connection, columns, expression, counted, exact, request)
            rows = _rows_by_id(connection, page)
        else:
            rows = _sorted_page(connection, terms, expression, request)
    return SearchResult(
        hits=[_hit(row, terms) for row in rows], total=len(counted), facets=facets, exact=exact
    )


def _code_matches(
    connection: sqlite3.Connection, columns: DocumentColumns, request: _Request
) -> list[int]:
    """The documents whose tracking code the query is, that the caller may see and the filters
    keep: when there are any, they are the whole result (a code is not looked for in the text)."""
    if request.code is None:
        return []
    found = sorted(
        _first_column(
            connection.execute("SELECT id FROM documents WHERE tracking_code = ?", [request.code])
        ),
        reverse=True,
    )
    if not found:
        return []
    return columns.select(found, request.scope, request.filters, request.now, len(found))


def _first_column(cursor: sqlite3.Cursor) -> Iterator[int]:
    while batch := cursor.fetchmany(2048):
        for row in batch:
            yield row[0]


def _ranked_page(
    connection: sqlite3.Connection,
    columns: DocumentColumns,
    expression: str,
    counted: list[int],
    exact: bool,
    request: _Request,
) -> list[tuple[int, float]]:
    """Ids and scores of the page, ranked within the newest RANK_WINDOW matches counted."""
    window = counted[: min(RANK_WINDOW, request.count_limit)]
    if not window or request.limit == 0:
        return []
    chosen = set(window)
    if exact:
        scores = connection.execute(
            f"SELECT rowid, -bm25(documents_fts, {TITLE_WEIGHT}, {DESCRIPTION_WEIGHT})"  # noqa: S608
            " FROM documents_fts WHERE documents_fts MATCH ? AND rowid >= ?",
            [expression, window[-1]],
        ).fetchall()
        scored = [(int(i), float(score)) for i, score in scores if i in chosen]
    else:
        scored = _word_scores(connection, request, window[-1], chosen)
    scored.sort(key=lambda pair: (-pair[1], -columns.created(pair[0]), -pair[0]))
    return scored[request.offset : request.offset + request.limit]


def _word_scores(
    connection: sqlite3.Connection, request: _Request, start: int, chosen: set[int]
) -> list[tuple[int, float]]:
    """Scores of the window's documents when more matched than the count limit: each query word
    found in the title adds TITLE_WEIGHT, in the description DESCRIPTION_WEIGHT.

    bm25 would weigh the words by how rare they are, and FTS5 computes that on every query by
    counting every document holding each word, the whole doclist: 176 ms at 1,000,000
    documents for `chuyen doi so`, against a few ms for these lookups within the window. Words
    that common are all about equally rare, so the weights change little."""
    scores = dict.fromkeys(chosen, 0.0)
    terms = request.terms
    for position, term in enumerate(terms):
        phrase = _match_expression([term], "all" if position == len(terms) - 1 else "any")
        if request.match == "any":
            phrase = _match_expression([term], "any")
        for column, weight in (("title", TITLE_WEIGHT), ("description", DESCRIPTION_WEIGHT)):
            found = connection.execute(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? AND rowid >= ?",
                [f"{{{column}}} : ({phrase})", start],
            )
            for (document_id,) in found:
                if document_id in scores:
                    scores[document_id] += weight
    return list(scores.items())


def _rows_by_id(connection: sqlite3.Connection, page: list[tuple[int, float]]) -> list[_Row]:
    if not page:
        return []
    ids = [document_id for document_id, _ in page]
    found = {
        row[0]: row
        for row in connection.execute(
            f"SELECT {_HIT_COLUMNS} FROM documents AS d"  # noqa: S608
            f" WHERE d.id IN ({_placeholders(ids)})",
            ids,
        )
    }
    return [(*found[i], score) for i, score in page if i in found]


def _sorted_page(
    connection: sqlite3.Connection, terms: list[str], expression: str, request: _Request
) -> list[_Row]:
    """A page in newest or deadline order, or of an empty query: in SQL, over every match."""
    conditions, parameters = _conditions(request)
    if terms:
        # CROSS JOIN keeps the full-text match as the outer loop: left to itself, SQLite may walk
        # the published index and run the match once per document, ten times slower.
        source = "documents_fts CROSS JOIN documents AS d ON d.id = documents_fts.rowid"
        conditions.insert(0, "documents_fts MATCH ?")
        parameters.insert(0, expression)
    else:
        source = "documents AS d"
    where = " AND ".join(conditions) or "1"
    return connection.execute(
        f"SELECT {_HIT_COLUMNS}, 0.0 AS score FROM {source}"  # noqa: S608
        f" WHERE {where} ORDER BY {_order(request.sort, False)} LIMIT ? OFFSET ?",
        [*parameters, request.limit, request.offset],
    ).fetchall()


def _conditions(request: _Request) -> tuple[list[str], list[object]]:
    conditions: list[str] = []
    parameters: list[object] = []
    scope = request.scope
    if not scope.everything:
        if scope.agencies:
            agencies = sorted(scope.agencies)
            own = (
                "SELECT document_id FROM document_agencies"  # noqa: S608
                f" WHERE agency IN ({_placeholders(agencies)})"
            )
            conditions.append(f"(d.published = 1 OR d.id IN ({own}))")
            parameters.extend(agencies)
        else:
            conditions.append("d.published = 1")
    filters = request.filters
    for name, values in filters.choices().items():
        if values:
            chosen = sorted(values)
            conditions.append(f"{_FILTER_COLUMNS[name]} IN ({_placeholders(chosen)})")
            parameters.extend(chosen)
    if filters.created_from is not None:
        conditions.append("d.created_at >= ?")
        parameters.append(_timestamp(filters.created_from))
    if filters.created_to is not None:
        conditions.append("d.created_at < ?")
        parameters.append(_timestamp(filters.created_to))
    if filters.overdue is not None:
        overdue = f"(d.deadline < ? AND d.status IN ({_placeholders(_CLOCK_RUNNING)}))"
        conditions.append(overdue if filters.overdue else f"NOT coalesce({overdue}, 0)")
        parameters.extend([_timestamp(request.now), *_CLOCK_RUNNING])
    if filters.published is not None:
        conditions.append("d.published = ?")
        parameters.append(int(filters.published))
    return conditions, parameters


def _order(sort: SearchSort, ranked: bool) -> str:
    newest = "d.created_at DESC, d.id DESC"
    if sort == "deadline":
        return f"d.deadline IS NULL, d.deadline, {newest}"
    if ranked:
        return f"score DESC, {newest}"
    return newest


def _hit(row: _Row, terms: list[str]) -> SearchHit:
    (document_id, code, title, description, kind, status, category, agency, province) = row[:9]
    submitter_type, published, created_at, deadline, score = row[9:]
    assert isinstance(created_at, str)
    assert isinstance(description, str)
    return SearchHit(
        id=int(str(document_id)),
        tracking_code=str(code),
        title=str(title),
        snippet=highlight(description, terms),
        score=float(str(score)),
        kind=str(kind),
        status=str(status),
        category=str(category),
        agency=None if agency is None else str(agency),
        province=None if province is None else str(province),
        submitter_type=str(submitter_type),
        published=bool(published),
        created_at=datetime.fromisoformat(created_at),
        deadline=datetime.fromisoformat(deadline) if isinstance(deadline, str) else None,
    )


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _match_expression(terms: list[str], match: WordMatch = "all") -> str:
    # Terms hold letters, digits and marks only; quoting them anyway keeps every one a plain
    # string. An unspaced-script term is the phrase of its trigrams, i.e. a substring of a run;
    # a short one is a token prefix. The last word is a prefix while the user types (from two
    # letters on, see search.text.MIN_PREFIX_LENGTH).
    phrases = []
    for position, term in enumerate(terms):
        if is_unspaced(term):
            parts = term_grams(term)
            short = len(parts) == 1 and len(term) < 3
            phrases.append(f'"{" ".join(parts)}"' + ("*" if short else ""))
        else:
            last = position == len(terms) - 1 and match == "all" and is_prefix(term)
            phrases.append(f'"{term}"' + ("*" if last else ""))
    return (" OR " if match == "any" else " ").join(phrases)
