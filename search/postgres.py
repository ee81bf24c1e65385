"""Search with PostgreSQL full-text search, in a table of its own in the application database.

The index is derived data that `intake reindex` can rebuild at any time, so it owns its schema:
`setup()` creates it idempotently (under an advisory lock, so that processes starting together
do not race) instead of an Alembic migration. Alembic's history then stays about the data that
cannot be rebuilt, and a deployment that searches with Meilisearch never carries these tables.

Text goes through the same folding and tokens as the embedded backend (search.text): folded in
Python so that đ -> d is exact, then stored as space-separated tokens; the generated tsvector
runs them through the `intake` text-search configuration (simple + unaccent), with titles
weighted A and descriptions B. Words in Thai and the other unspaced scripts are indexed as
character trigrams, and a query word in them matches as the phrase of its trigrams (`<->`).

The words live in a table of their own, `search_terms` (id and tsvector only, partitioned by
ranges of PARTITION_SIZE ids, each range with its own GIN index), apart from what a hit shows
(`search_documents`). Counting stops after the newest count limit + 1 visible matches, so a
search reads the newest ranges first and older ones only while it has found too few: a common
word then costs the GIN lookups and heap pages of the ranges it needs, not of the whole index,
and the narrow rows put about eleven documents on a heap page instead of five.

No pg_trgm index: the partial words the search promises (the last word as a prefix, substrings
of unspaced runs) are served by the GIN index on the tsvector (prefix lexemes and trigram
lexemes). Trigram similarity over Latin words would find "chuy doi" where the other backends do
not, and the backends must behave the same; an unused index would only slow every write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

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

# Titles count five times as much as descriptions, as in the embedded backend: {D, C, B, A}.
_WEIGHTS = "{0.1, 0.2, 0.2, 1.0}"
# See search.embedded.RANK_WINDOW: ranking reads every match's tsvector, so when more match,
# relevance orders the newest RANK_WINDOW of them (at most the count limit).
RANK_WINDOW = 1000
# `search_terms` is partitioned by ranges of this many ids (ids are dense primary keys). Smaller
# ranges read fewer needless matches of a common word; more of them cost planning.
PARTITION_SIZE = 16_384
# The first read covers the newest ranges holding FIRST_READ × (count limit + 1) documents; each
# further one as many documents as the visible share found so far says are missing, plus a margin.
FIRST_READ = 2
READ_MARGIN = 1.25
_MAX_ID = 2**31 - 1  # as search.columns.MAX_ID
# Per session, for these short statements: JIT compilation (tens of ms) pays off only for long
# analytical ones, and would start whenever a plan's estimate passes jit_above_cost, as the GIN
# scans of common words do in large indexes; parallel workers take longer to start than the
# ranking of a window takes in one process.
_SESSION_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0"}
_SETUP_LOCK = 0x1A7A_5EA2  # pg_advisory_xact_lock key: one setup at a time per database

_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM pg_ts_config
            WHERE cfgname = 'intake' AND cfgnamespace = current_schema()::regnamespace
        ) THEN
            CREATE TEXT SEARCH CONFIGURATION intake (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION intake
                ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;
        END IF;
    END
    $$
    """,
    """
    CREATE TABLE IF NOT EXISTS search_documents (
        id bigint PRIMARY KEY,
        tracking_code text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        title text NOT NULL,
        description text NOT NULL,
        category text NOT NULL,
        province text,
        agency text,
        agencies text[] NOT NULL,
        submitter_type text NOT NULL,
        published boolean NOT NULL,
        created_at timestamptz NOT NULL,
        deadline timestamptz,
        fingerprint text NOT NULL,
        title_tokens text NOT NULL,
        description_tokens text NOT NULL
    )
    """,
    # Indexes made before the words moved to search_terms carried them here.
    "DROP INDEX IF EXISTS search_documents_tsv",
    "ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv",
    """
    CREATE TABLE IF NOT EXISTS search_terms (
        id bigint PRIMARY KEY,
        tsv tsvector NOT NULL
    ) PARTITION BY RANGE (id)
    """,
    "CREATE INDEX IF NOT EXISTS search_terms_tsv ON search_terms USING gin (tsv)",
    "CREATE INDEX IF NOT EXISTS search_documents_agencies ON search_documents USING gin (agencies)",
    "CREATE INDEX IF NOT EXISTS search_documents_newest"
    " ON search_documents (created_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS search_documents_published_newest"
    " ON search_documents (published, created_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS search_documents_deadline ON search_documents (deadline)",
    # A query that is a tracking code is looked up here first (see _code_matches).
    "CREATE INDEX IF NOT EXISTS search_documents_tracking_code ON search_documents (tracking_code)",
    # The change version (see search.columns): raised by every write, stamped on what it wrote.
    "ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS search_documents_version ON search_documents (version)",
    """
    CREATE TABLE IF NOT EXISTS search_state (
        id int PRIMARY KEY CHECK (id = 1),
        generation text NOT NULL,
        version bigint NOT NULL
    )
    """,
    "INSERT INTO search_state VALUES (1, gen_random_uuid()::text, 0) ON CONFLICT DO NOTHING",
    """
    CREATE TABLE IF NOT EXISTS search_deleted (
        id bigint PRIMARY KEY,
        version bigint NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS search_deleted_version ON search_deleted (version)",
]

_UPSERT = text(
    """
    INSERT INTO search_documents (
        id, tracking_code, kind, status, title, description, category, province, agency,
        agencies, submitter_type, published, created_at, deadline, fingerprint,
        title_tokens, description_tokens, version
    ) VALUES (
        :id, :tracking_code, :kind, :status, :title, :description, :category, :province,
        :agency, :agencies, :submitter_type, :published, :created_at, :deadline, :fingerprint,
        :title_tokens, :description_tokens, :version
    )
    ON CONFLICT (id) DO UPDATE SET
        tracking_code = excluded.tracking_code, kind = excluded.kind, status = excluded.status,
        title = excluded.title, description = excluded.description,
        category = excluded.category, province = excluded.province, agency = excluded.agency,
        agencies = excluded.agencies, submitter_type = excluded.submitter_type,
        published = excluded.published, created_at = excluded.created_at,
        deadline = excluded.deadline, fingerprint = excluded.fingerprint,
        title_tokens = excluded.title_tokens, description_tokens = excluded.description_tokens,
        version = excluded.version
    """
)

_TSVECTOR = (
    "setweight(to_tsvector('intake', {0}title_tokens), 'A')"
    " || setweight(to_tsvector('intake', {0}description_tokens), 'B')"
)
_UPSERT_TERMS = text(
    f"INSERT INTO search_terms (id, tsv) VALUES (:id, {_TSVECTOR.format(':')})"  # noqa: S608
    " ON CONFLICT (id) DO UPDATE SET tsv = excluded.tsv"
)
# An index made when the words were a column of search_documents gets them from the tokens.
_FILL_TERMS = f"INSERT INTO search_terms SELECT id, {_TSVECTOR.format('')} FROM search_documents"  # noqa: S608

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


class PostgresSearch:
    def __init__(
        self, database_url: str, *, pool_size: int = 5, count_limit: int = COUNT_LIMIT
    ) -> None:
        if count_limit < 1:
            raise ValueError(f"the count limit must be at least 1, got {count_limit}")
        self._url = database_url
        self._count_limit = count_limit
        self._engine: AsyncEngine = create_async_engine(
            database_url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            connect_args={"server_settings": _SESSION_SETTINGS},
        )
        # One snapshot for the change version and the matches (search.columns), begun with the
        # BEGIN itself instead of a SET TRANSACTION of its own.
        self._read_engine = self._engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        self._closed = False
        self._columns = DocumentColumns()

    async def setup(self) -> None:
        async with self._connect(write=True) as connection:
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_LOCK}
            )
            for statement in _SETUP:
                await connection.execute(text(statement))
            empty = await connection.execute(
                text(
                    "SELECT NOT EXISTS (SELECT FROM search_terms)"
                    " AND EXISTS (SELECT FROM search_documents)"
                )
            )
            if empty.scalar_one():
                ids = await connection.execute(text("SELECT id FROM search_documents"))
                documents = [row[0] for row in ids]
                await _add_partitions(connection, documents)
                await connection.execute(text(_FILL_TERMS))
                await _merge_pending_words(connection, documents)

    async def drop(self) -> None:
        """Remove the index tables (the text-search configuration stays)."""
        async with self._connect(write=True) as connection:
            for table in ("search_documents", "search_terms", "search_state", "search_deleted"):
                await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))

    async def index(self, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        latest = {document.id: document for document in documents}
        outside = sorted(i for i in latest if not 0 <= i <= _MAX_ID)
        if outside:
            raise SearchError(f"document ids {outside} are out of range 0..{_MAX_ID}")
        rows = [_row(document) for document in latest.values()]
        async with self._connect(write=True) as connection:
            version = await _next_version(connection)
            await _add_partitions(connection, list(latest))
            await connection.execute(_UPSERT, [{**row, "version": version} for row in rows])
            await connection.execute(
                _UPSERT_TERMS,
                [
                    {key: row[key] for key in ("id", "title_tokens", "description_tokens")}
                    for row in rows
                ],
            )
            await _merge_pending_words(connection, list(latest))
            await connection.execute(
                text("DELETE FROM search_deleted WHERE id = ANY(:ids)"), {"ids": sorted(latest)}
            )

    async def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        async with self._connect(write=True) as connection:
            version = await _next_version(connection)
            for table in ("search_documents", "search_terms"):
                await connection.execute(
                    text(f"DELETE FROM {table} WHERE id = ANY(:ids)"),  # noqa: S608
                    {"ids": sorted(set(ids))},
                )
            await connection.execute(
                text(
                    "INSERT INTO search_deleted SELECT id, :version FROM unnest(CAST(:ids AS"
                    " bigint[])) AS id ON CONFLICT (id) DO UPDATE SET version = excluded.version"
                ),
                {"ids": sorted(set(ids)), "version": version},
            )

    async def get_ids(self) -> set[int]:
        async with self._connect() as connection:
            result = await connection.execute(text("SELECT id FROM search_documents"))
            return {row[0] for row in result}

    async def fingerprints(self) -> dict[int, str]:
        async with self._connect() as connection:
            result = await connection.execute(text("SELECT id, fingerprint FROM search_documents"))
            return {row[0]: row[1] for row in result}

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
        count_limit = count_limit_for(self._count_limit, candidates)
        terms = query_terms(query)
        names = facet_names(facets)
        now = datetime.now(UTC)
        chosen = filters or SearchFilters()
        conditions, parameters = _conditions(scope, chosen, now)
        if terms:
            conditions.insert(
                0,
                "d.id IN (SELECT id FROM search_terms WHERE tsv @@ to_tsquery('intake', :query))",
            )
            parameters["query"] = _tsquery(terms, match)
        where = " AND ".join(conditions) or "true"
        ranked = bool(terms) and sort == "relevance"
        columns = self._columns
        code = tracking_code_query(query) if match == "all" else None
        async with self._connect() as connection:
            await _refresh(connection, columns)
            if code is not None:
                coded = await _code_matches(connection, columns, code, scope, chosen, now)
                if coded:
                    return await _code_result(connection, columns, coded, names, limit, offset)
            wanted = count_limit + 1
            if terms:
                counted = await _visible_matches(
                    connection, columns, str(parameters["query"]), scope, chosen, now, wanted
                )
            else:
                counted = columns.select(None, scope, chosen, now, wanted)
            exact = len(counted) <= count_limit
            del counted[count_limit:]
            counts = columns.facet_counts(counted, names)
            total = len(counted)
            if limit == 0 or (exact and offset >= total):
                return SearchResult(hits=[], total=total, facets=counts, exact=exact)
            if ranked:
                window = counted[: min(RANK_WINDOW, count_limit)]
                rows = await _ranked_page(
                    connection, columns, str(parameters["query"]), window, limit, offset
                )
            else:
                sql = (
                    f"SELECT {_HIT_COLUMNS} FROM search_documents AS d"  # noqa: S608
                    f" WHERE {where} ORDER BY {_order(sort)} LIMIT :limit OFFSET :offset"
                )
                page = {**parameters, "limit": limit, "offset": offset}
                rows = [(row, 0.0) for row in await connection.execute(text(sql), page)]
        return SearchResult(
            hits=[_hit(row, score, terms) for row, score in rows],
            total=total,
            facets=counts,
            exact=exact,
        )

    async def session_settings(self, names: Sequence[str]) -> dict[str, str]:
        """The server settings a search runs with (for benchmarks and diagnostics)."""
        async with self._connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT name, current_setting(name) FROM unnest(CAST(:names AS text[])) AS name"
                ),
                {"names": list(names)},
            )
            return {str(name): str(value) for name, value in found}

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._engine.dispose()

    @asynccontextmanager
    async def _connect(self, *, write: bool = False) -> AsyncIterator[AsyncConnection]:
        if self._closed:
            raise SearchError("PostgreSQL search is closed")
        try:
            engine = self._engine if write else self._read_engine
            async with engine.begin() as connection:
                yield connection
        except (SQLAlchemyError, OSError) as error:
            raise SearchError(f"PostgreSQL search: {error}") from error


def _row(document: SearchDocument) -> dict[str, object]:
    return {
        "id": document.id,
        "tracking_code": document.tracking_code,
        "kind": document.kind,
        "status": document.status,
        "title": normalize(document.title),
        "description": normalize(document.description),
        "category": document.category,
        "province": document.province,
        "agency": document.agency,
        "agencies": sorted(document_agencies(document)),
        "submitter_type": document.submitter_type,
        "published": document.published,
        "created_at": utc(document.created_at),
        "deadline": utc(document.deadline) if document.deadline else None,
        "fingerprint": fingerprint(document),
        "title_tokens": index_text(document.title),
        "description_tokens": index_text(document.description),
    }


def _tsquery(terms: list[str], match: WordMatch = "all") -> str:
    # Terms hold letters, digits and marks only, so quoting cannot be escaped from; the doubling
    # is there all the same. An unspaced term is the phrase of its trigrams (a substring of a
    # run), a short one a lexeme prefix; the last word is a prefix while the user types (from
    # two letters on, see search.text.MIN_PREFIX_LENGTH).
    parts = []
    for position, term in enumerate(terms):
        if is_unspaced(term):
            grams = term_grams(term)
            if len(grams) == 1 and len(term) < 3:
                parts.append(f"{_lexeme(term)}:*")
            else:
                parts.append("(" + " <-> ".join(_lexeme(gram) for gram in grams) + ")")
        else:
            last = position == len(terms) - 1 and match == "all" and is_prefix(term)
            parts.append(_lexeme(term) + (":*" if last else ""))
    return (" | " if match == "any" else " & ").join(parts)


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _conditions(
    scope: SearchScope, filters: SearchFilters, now: datetime
) -> tuple[list[str], dict[str, object]]:
    conditions: list[str] = []
    parameters: dict[str, object] = {}
    if not scope.everything:
        if scope.agencies:
            conditions.append("(d.published OR d.agencies && CAST(:scope_agencies AS text[]))")
            parameters["scope_agencies"] = sorted(scope.agencies)
        else:
            conditions.append("d.published")
    for name, values in filters.choices().items():
        if values:
            conditions.append(f"{_FILTER_COLUMNS[name]} = ANY(CAST(:{name} AS text[]))")
            parameters[name] = sorted(values)
    if filters.created_from is not None:
        conditions.append("d.created_at >= :created_from")
        parameters["created_from"] = utc(filters.created_from)
    if filters.created_to is not None:
        conditions.append("d.created_at < :created_to")
        parameters["created_to"] = utc(filters.created_to)
    if filters.overdue is not None:
        overdue = "(d.deadline < :now AND d.status = ANY(CAST(:running AS text[])))"
        conditions.append(overdue if filters.overdue else f"NOT coalesce({overdue}, false)")
        parameters["now"] = now
        parameters["running"] = sorted(CLOCK_RUNNING_STATUSES)
    if filters.published is not None:
        conditions.append("d.published = :published")
        parameters["published"] = filters.published
    return conditions, parameters


async def _code_matches(
    connection: AsyncConnection,
    columns: DocumentColumns,
    code: str,
    scope: SearchScope,
    filters: SearchFilters,
    now: datetime,
) -> list[int]:
    """The documents whose tracking code the query is, that the caller may see and the filters
    keep: when there are any, they are the whole result (a code is not looked for in the text)."""
    found = await connection.execute(
        text("SELECT id FROM search_documents WHERE tracking_code = :code ORDER BY id DESC"),
        {"code": code},
    )
    ids = list(found.scalars())
    return columns.select(ids, scope, filters, now, len(ids)) if ids else []


async def _code_result(
    connection: AsyncConnection,
    columns: DocumentColumns,
    coded: list[int],
    facets: tuple[str, ...],
    limit: int,
    offset: int,
) -> SearchResult:
    page = coded[offset : offset + limit]
    rows = {}
    if page:
        found = await connection.execute(
            text(f"SELECT {_HIT_COLUMNS} FROM search_documents AS d WHERE d.id = ANY(:ids)"),  # noqa: S608
            {"ids": page},
        )
        rows = {row.id: row for row in found}
    return SearchResult(
        hits=[_hit(rows[i], 1.0, []) for i in page if i in rows],
        total=len(coded),
        facets=columns.facet_counts(coded, facets),
    )


async def _visible_matches(
    connection: AsyncConnection,
    columns: DocumentColumns,
    query: str,
    scope: SearchScope,
    filters: SearchFilters,
    now: datetime,
    wanted: int,
) -> list[int]:
    """The newest `wanted` matches the caller may see and the filters keep, newest first.

    The id ranges are read newest first, several per statement: as many as should hold the
    visible matches still missing, judged by the share of visible matches among the documents
    read so far (so a rare word reads the rest in one more statement)."""
    newest = columns.nth_newest(1)
    if newest is None:
        return []
    ranges = [
        (number, held)
        for number in range(newest // PARTITION_SIZE, -1, -1)
        if (held := columns.count_between(number * PARTITION_SIZE, (number + 1) * PARTITION_SIZE))
    ]
    counted: list[int] = []
    read = 0
    goal = FIRST_READ * wanted
    while ranges and len(counted) < wanted:
        taken: list[int] = []
        documents = 0
        while ranges and (not taken or documents < goal):
            number, held = ranges.pop(0)
            taken.append(number)
            documents += held
        matches = await _matching_ids(connection, query, taken)
        counted += columns.select(matches, scope, filters, now, wanted - len(counted))
        read += documents
        share = max(len(counted), 1) / read
        goal = int((wanted - len(counted)) / share * READ_MARGIN)
    return counted


async def _matching_ids(connection: AsyncConnection, query: str, ranges: list[int]) -> list[int]:
    """Ids matching the query in the given id ranges (search_terms partitions), highest first."""
    # One array instead of a row per id: a common word returns tens of thousands of ids.
    union = " UNION ALL ".join(
        f"SELECT id FROM search_terms_{number:d} WHERE tsv @@ to_tsquery('intake', :query)"  # noqa: S608
        for number in ranges
    )
    found = await connection.execute(
        text(f"SELECT array_agg(id ORDER BY id DESC) FROM ({union}) AS found"),  # noqa: S608
        {"query": query},
    )
    return list(found.scalar_one() or [])


async def _ranked_page(
    connection: AsyncConnection,
    columns: DocumentColumns,
    query: str,
    window: list[int],
    limit: int,
    offset: int,
) -> list[tuple[Any, float]]:
    """The page's rows and scores, ranked within the window: by ts_rank, then newest."""
    # Only fixed SQL is formatted in; everything the user typed is a parameter. The window's
    # tsvectors are read from search_terms alone, one lookup per id in the partition that holds
    # it, with created_at from the in-memory copy for the order; only the page's rows are read
    # from search_documents.
    found = await connection.execute(
        text(
            f"SELECT {_HIT_COLUMNS}, r.score FROM (SELECT w.id, w.created, s.score"  # noqa: S608
            " FROM unnest(CAST(:window AS bigint[]), CAST(:created AS bigint[])) AS w (id, created)"
            # OFFSET 0 keeps the lookup per id: joined, the planner may walk every partition.
            f" CROSS JOIN LATERAL (SELECT ts_rank('{_WEIGHTS}', t.tsv,"
            " to_tsquery('intake', :query), 1) AS score"
            " FROM search_terms AS t WHERE t.id = w.id OFFSET 0) AS s"
            " ORDER BY s.score DESC, w.created DESC, w.id DESC LIMIT :limit OFFSET :offset) AS r"
            " JOIN search_documents AS d ON d.id = r.id"
            " ORDER BY r.score DESC, r.created DESC, r.id DESC"
        ),
        {
            "query": query,
            "window": window,
            "created": [columns.created(document_id) for document_id in window],
            "limit": limit,
            "offset": offset,
        },
    )
    return [(row, row.score) for row in found]


async def _merge_pending_words(connection: AsyncConnection, ids: Collection[int]) -> None:
    """Move the words just written from the GIN indexes' pending lists into the indexes."""
    # GIN collects new entries in an unsorted pending list (up to gin_pending_list_limit, 4 MB)
    # that every search reads through whole until autovacuum or a full list merges it: after a
    # bulk load, a search for a rare word took 8 ms per statement instead of 1.3. Merged after
    # each write, the list is sorted in one batch (gin_pending_list_limit stays the default, so
    # that a large batch is still merged once), and searches never read one.
    names = [
        f"search_terms_{number:d}_tsv" for number in sorted({i // PARTITION_SIZE for i in ids})
    ]
    await connection.execute(
        text(
            "SELECT gin_clean_pending_list(CAST(name AS regclass))"
            " FROM unnest(CAST(:names AS text[])) AS name"
        ),
        {"names": names},
    )


async def _add_partitions(connection: AsyncConnection, ids: Collection[int]) -> None:
    """Create the search_terms partitions these ids fall in that do not exist yet."""
    wanted = sorted({document_id // PARTITION_SIZE for document_id in ids})
    missing = await connection.execute(
        text(
            "SELECT number FROM unnest(CAST(:numbers AS bigint[])) AS number"
            " WHERE to_regclass('search_terms_' || number) IS NULL"
        ),
        {"numbers": wanted},
    )
    for (number,) in missing.all():
        # Created apart and attached: ATTACH takes a lock that lets searches go on, where
        # CREATE TABLE ... PARTITION OF would hold them until the write commits.
        name = f"search_terms_{int(number):d}"
        await connection.execute(
            text(f"CREATE TABLE {name} (id bigint NOT NULL, tsv tsvector NOT NULL)")
        )
        # Named here, so that _merge_pending_words finds it; ATTACH adopts it for search_terms_tsv.
        await connection.execute(text(f"CREATE INDEX {name}_tsv ON {name} USING gin (tsv)"))
        await connection.execute(
            text(
                f"ALTER TABLE search_terms ATTACH PARTITION {name} FOR VALUES"
                f" FROM ({number * PARTITION_SIZE:d}) TO ({(number + 1) * PARTITION_SIZE:d})"
            )
        )


async def _next_version(connection: AsyncConnection) -> int:
    # The row lock is held to the commit, so writers take versions in the order they commit.
    result = await connection.execute(
        text("UPDATE search_state SET version = version + 1 RETURNING version")
    )
    version = result.scalar_one_or_none()
    if version is None:
        raise SearchError("PostgreSQL search has no change version: run setup() first")
    return int(version)


_COLUMN_ROWS = (
    "SELECT id, status, kind, category, agency, province, submitter_type, published,"
    " CAST(extract(epoch FROM created_at) * 1000000 AS bigint),"
    " CAST(extract(epoch FROM deadline) * 1000000 AS bigint), agencies FROM search_documents"
)


async def _refresh(connection: AsyncConnection, columns: DocumentColumns) -> None:
    """Bring the in-memory copy up to this transaction's snapshot of the index."""
    # The GIN index's bitmap is the plan for the words in the statements that follow; left to
    # itself the planner may read a whole range and test every tsvector when a word is common.
    # Set here to spare the search a round trip of its own.
    state = (
        await connection.execute(
            text(
                "SELECT generation, version, set_config('enable_seqscan', 'off', true)"
                " FROM search_state"
            )
        )
    ).one_or_none()
    if state is None:
        raise SearchError("PostgreSQL search has no change version: run setup() first")
    generation, version = str(state[0]), int(state[1])
    if not columns.stale(generation, version):
        return
    since = columns.since(generation)
    if since < 0:
        # Every row: a sequential scan is the plan here.
        await connection.execute(text("SET LOCAL enable_seqscan = on"))
        rows = (await connection.execute(text(_COLUMN_ROWS))).all()
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        deleted: list[int] = []
    else:
        rows = (
            await connection.execute(
                text(f"{_COLUMN_ROWS} WHERE version > :since"), {"since": since}
            )
        ).all()
        deleted = list(
            (
                await connection.execute(
                    text("SELECT id FROM search_deleted WHERE version > :since"), {"since": since}
                )
            ).scalars()
        )
    columns.apply(
        Changes(
            generation=generation,
            version=version,
            rows=[ColumnRow._make((*row[:10], tuple(row[10]))) for row in rows],
            deleted=deleted,
            complete=since < 0,
        )
    )


def _order(sort: SearchSort) -> str:
    newest = "d.created_at DESC, d.id DESC"
    if sort == "deadline":
        return f"d.deadline ASC NULLS LAST, {newest}"
    return newest


def _hit(row: Any, score: float, terms: list[str]) -> SearchHit:
    return SearchHit(
        id=row.id,
        tracking_code=row.tracking_code,
        title=row.title,
        snippet=highlight(row.description, terms),
        score=float(score),
        kind=row.kind,
        status=row.status,
        category=row.category,
        agency=row.agency,
        province=row.province,
        submitter_type=row.submitter_type,
        published=row.published,
        created_at=utc(row.created_at),
        deadline=utc(row.deadline) if row.deadline else None,
    )
