"""Search with SQLite FTS5, in a database file of its own beside the application database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from search.base import (
    CLOSED_STATUSES,
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
    document_agencies,
    facet_names,
    fingerprint,
    utc,
)
from search.text import highlight, index_text, is_unspaced, normalize, query_terms, term_grams

SCHEMA_VERSION = 2
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
    fingerprint TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS documents_newest ON documents (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS documents_published_newest
    ON documents (published, created_at DESC, id DESC);
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
    ) -> SearchResult:
        check_page(limit, offset, sort)
        request = _Request(
            terms=query_terms(query),
            match=match,
            count_limit=self._count_limit,
            scope=scope,
            filters=filters or SearchFilters(),
            sort=sort,
            facets=facet_names(facets),
            limit=limit,
            offset=offset,
            now=datetime.now(UTC),
        )
        return await self._read(lambda connection: _search(connection, request))

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
        if version not in (0, 1, SCHEMA_VERSION):
            raise SearchError(
                f"search index has schema version {version}, this code expects {SCHEMA_VERSION}:"
                " delete the file and reindex"
            )
        if version == 1:
            _upgrade_from_1(connection)
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
        connection.executemany("DELETE FROM documents_fts WHERE rowid = ?", ids)
        connection.executemany("DELETE FROM document_agencies WHERE document_id = ?", ids)
        connection.executemany(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.executemany(
            "INSERT INTO documents_fts (rowid, title, description) VALUES (?, ?, ?)", texts
        )
        connection.executemany("INSERT INTO document_agencies VALUES (?, ?)", agencies)


def _delete(connection: sqlite3.Connection, ids: Sequence[int]) -> None:
    parameters = [(document_id,) for document_id in set(ids)]
    with _transaction(connection, "IMMEDIATE"):
        connection.executemany("DELETE FROM documents_fts WHERE rowid = ?", parameters)
        connection.executemany("DELETE FROM document_agencies WHERE document_id = ?", parameters)
        connection.executemany("DELETE FROM documents WHERE id = ?", parameters)


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
RANK_WINDOW = 5000

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
_CLOSED = sorted(CLOSED_STATUSES)


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


def _search(connection: sqlite3.Connection, request: _Request) -> SearchResult:
    # Only fixed SQL is formatted into the statements; everything the user typed is a parameter.
    terms = request.terms
    conditions, parameters = _conditions(request)
    if terms:
        # CROSS JOIN keeps the full-text match as the outer loop: left to itself, SQLite may walk
        # the published index and run the match once per document, ten times slower.
        source = "documents_fts CROSS JOIN documents AS d{index} ON d.id = documents_fts.rowid"
        conditions.insert(0, "documents_fts MATCH ?")
        parameters.insert(0, _match_expression(terms, request.match))
        newest_first = "documents_fts.rowid DESC"
    else:
        source = "documents AS d{index}"
        newest_first = "d.id DESC"
    where = " AND ".join(conditions) or "1"
    ranked = bool(terms) and request.sort == "relevance"
    window = min(RANK_WINDOW, request.count_limit)
    with _transaction(connection):
        counted = _count(connection, source, where, parameters, newest_first, request)
        total, exact, facets, ids = counted
        page_where, page_parameters = where, parameters
        if ranked and (len(ids) > window or not exact):
            # The matches are counted newest first: the window's oldest is known already.
            page_where = f"{where} AND documents_fts.rowid >= ?"
            page_parameters = [*parameters, ids[window - 1]]
        score = f"-bm25(documents_fts, {TITLE_WEIGHT}, {DESCRIPTION_WEIGHT})" if ranked else "0.0"
        rows = connection.execute(
            f"SELECT {_HIT_COLUMNS}, {score} AS score FROM {source.format(index='')}"  # noqa: S608
            f" WHERE {page_where} ORDER BY {_order(request.sort, ranked)} LIMIT ? OFFSET ?",
            [*page_parameters, request.limit, request.offset],
        ).fetchall()
    return SearchResult(
        hits=[_hit(row, terms) for row in rows], total=total, facets=facets, exact=exact
    )


def _count(
    connection: sqlite3.Connection,
    source: str,
    where: str,
    parameters: list[object],
    newest_first: str,
    request: _Request,
) -> tuple[int, bool, dict[str, dict[str, int]], list[int]]:
    """The total, whether it is exact, the facet counts and the ids, newest first, of the
    matches counted: at most `count_limit` of them, read from the covering index."""
    facets = request.facets
    columns = ", ".join(["d.id", *(_FACET_COLUMNS[name] for name in facets)])
    sql = (
        f"SELECT {columns} FROM {source.format(index=' INDEXED BY documents_facets')}"  # noqa: S608
        f" WHERE {where} ORDER BY {newest_first} LIMIT ?"
    )
    rows = connection.execute(sql, [*parameters, request.count_limit + 1]).fetchall()
    exact = len(rows) <= request.count_limit
    del rows[request.count_limit :]
    counts: dict[str, dict[str, int]] = {}
    for position, name in enumerate(facets, start=1):
        counted = Counter(row[position] for row in rows)
        counted.pop(None, None)
        if name == "published":
            counts[name] = {("true" if value else "false"): n for value, n in counted.items()}
        else:
            counts[name] = {str(value): n for value, n in counted.items()}
    return len(rows), exact, counts, [int(row[0]) for row in rows]


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
        overdue = f"(d.deadline < ? AND d.status NOT IN ({_placeholders(_CLOSED)}))"
        conditions.append(overdue if filters.overdue else f"NOT coalesce({overdue}, 0)")
        parameters.extend([_timestamp(request.now), *_CLOSED])
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
    # a short one is a token prefix. The last word is a prefix while the user types.
    phrases = []
    for position, term in enumerate(terms):
        if is_unspaced(term):
            parts = term_grams(term)
            short = len(parts) == 1 and len(term) < 3
            phrases.append(f'"{" ".join(parts)}"' + ("*" if short else ""))
        else:
            last = position == len(terms) - 1 and match == "all"
            phrases.append(f'"{term}"' + ("*" if last else ""))
    return (" OR " if match == "any" else " ").join(phrases)
