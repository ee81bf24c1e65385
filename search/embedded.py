"""Search with SQLite FTS5, in a database file of its own beside the application database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from search.base import SearchDocument, SearchError, SearchHit, SearchResult, SearchScope
from search.text import highlight, index_text, normalize, query_terms

SCHEMA_VERSION = 1
TITLE_WEIGHT = 5.0
DESCRIPTION_WEIGHT = 1.0

_T = TypeVar("_T")
_Row = tuple[object, ...]

_SCHEMA = """
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
    deadline TEXT
);
CREATE INDEX IF NOT EXISTS documents_newest ON documents (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS documents_published_newest
    ON documents (published, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS document_agencies (
    agency TEXT NOT NULL,
    document_id INTEGER NOT NULL,
    PRIMARY KEY (agency, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS document_agencies_document ON document_agencies (document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, description, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
"""


class EmbeddedSearch:
    def __init__(self, path: Path, *, readers: int = 4, busy_timeout_ms: int = 5000) -> None:
        if readers < 1:
            raise ValueError(f"an embedded search needs at least one reader, got {readers}")
        self._path = path
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

    async def search(
        self, query: str, scope: SearchScope, *, limit: int = 20, offset: int = 0
    ) -> SearchResult:
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must not be negative, got {limit} and {offset}")
        terms = query_terms(query)
        return await self._read(lambda connection: _search(connection, terms, scope, limit, offset))

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
        if version not in (0, SCHEMA_VERSION):
            raise SearchError(
                f"search index has schema version {version}, this code expects {SCHEMA_VERSION}:"
                " delete the file and reindex"
            )
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upsert(connection: sqlite3.Connection, documents: Sequence[SearchDocument]) -> None:
    latest = {document.id: document for document in documents}
    ids = [(document_id,) for document_id in latest]
    rows = [_document_row(document) for document in latest.values()]
    texts = [
        (document.id, index_text(document.title), index_text(document.description))
        for document in latest.values()
    ]
    agencies = [
        (agency, document.id) for document in latest.values() for agency in _agencies(document)
    ]
    with _transaction(connection, "IMMEDIATE"):
        connection.executemany("DELETE FROM documents_fts WHERE rowid = ?", ids)
        connection.executemany("DELETE FROM document_agencies WHERE document_id = ?", ids)
        connection.executemany(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
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
    )


def _agencies(document: SearchDocument) -> set[str]:
    # The current agency is always in scope, even if the caller forgot it in `agencies`.
    current = {document.agency} if document.agency else set()
    return set(document.agencies) | current


def _timestamp(moment: datetime) -> str:
    # SQLite hands the application's UTC datetimes back naive: read naive as UTC, not local time.
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    # Fixed width, so that text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _search(
    connection: sqlite3.Connection,
    terms: list[str],
    scope: SearchScope,
    limit: int,
    offset: int,
) -> SearchResult:
    # Only fixed SQL is formatted into the statements; everything the user typed is a parameter.
    scope_sql, scope_parameters = _scope_clause(scope)
    parameters: list[object] = [*scope_parameters]
    if terms:
        # CROSS JOIN keeps the full-text match as the outer loop: left to itself, SQLite may walk
        # the published index and run the match once per document, ten times slower.
        source = "documents_fts CROSS JOIN documents AS d ON d.id = documents_fts.rowid"
        where = f"documents_fts MATCH ? AND {scope_sql}"
        parameters.insert(0, _match_expression(terms))
        score = f"-bm25(documents_fts, {TITLE_WEIGHT}, {DESCRIPTION_WEIGHT})"
        order = "score DESC, d.created_at DESC, d.id DESC"
    else:
        # Without a score to sort by, the newest-first index answers without sorting.
        source, where, score = "documents AS d", scope_sql, "0.0"
        order = "d.created_at DESC, d.id DESC"
    count_sql = f"SELECT count(*) FROM {source} WHERE {where}"  # noqa: S608
    page_sql = (
        f"SELECT d.id, d.tracking_code, d.title, d.description, {score} AS score"  # noqa: S608
        f" FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
    )
    with _transaction(connection):
        total = connection.execute(count_sql, parameters).fetchone()[0]
        rows = connection.execute(page_sql, [*parameters, limit, offset]).fetchall()
    hits = [
        SearchHit(
            id=document_id,
            tracking_code=tracking_code,
            title=title,
            snippet=highlight(description, terms),
            score=score_value,
        )
        for document_id, tracking_code, title, description, score_value in rows
    ]
    return SearchResult(hits=hits, total=total)


def _scope_clause(scope: SearchScope) -> tuple[str, list[str]]:
    if scope.everything:
        return "1", []
    if not scope.agencies:
        return "d.published = 1", []
    agencies = sorted(scope.agencies)
    placeholders = ", ".join("?" for _ in agencies)
    own = f"SELECT document_id FROM document_agencies WHERE agency IN ({placeholders})"  # noqa: S608
    return f"(d.published = 1 OR d.id IN ({own}))", agencies


def _match_expression(terms: list[str]) -> str:
    # Terms hold letters and digits only; quoting them anyway keeps every one a plain string.
    quoted = [f'"{term}"' for term in terms]
    return " ".join(quoted) + "*"
