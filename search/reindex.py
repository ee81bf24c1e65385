"""`intake reindex`: rebuild the search index from the database, or verify and repair it.

The outbox makes the index converge after any crash; these are for everything else (a restored
backup, a new backend, a bug fixed in folding). Both stream proposals in keyset pages, so memory
holds one batch of documents (and, for verification, every indexed id with its fingerprint).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from search.base import SearchBackend, SearchDocument, fingerprint
from search.documents import build_document
from search.factory import create_backend
from search.meili import MeiliSearch
from service.db import Database
from service.directory import repository as directory
from service.proposals import repository as proposals
from service.settings import Settings

BATCH_SIZE = 1000
_SHOWN_IDS = 20


@dataclass(frozen=True, slots=True)
class ReindexReport:
    documents: int  # in the database
    indexed: int  # written to the index
    missing: tuple[int, ...] = ()  # in the database, not in the index
    stale: tuple[int, ...] = ()  # in both, the index's copy out of date
    extra: tuple[int, ...] = ()  # in the index, gone from the database
    verified: bool = False

    @property
    def drift(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)

    def summary(self) -> str:
        if not self.verified:
            return (
                f"Reindexed {self.indexed} documents; removed {len(self.extra)} no longer in"
                " the database."
            )
        if not self.drift:
            return f"Verified {self.documents} documents: the index matches the database."
        lines = [
            f"Verified {self.documents} documents: {self.drift} drifted, repaired"
            f" ({self.indexed} written, {len(self.extra)} removed)."
        ]
        for label, ids in (("missing", self.missing), ("stale", self.stale), ("extra", self.extra)):
            if ids:
                shown = ", ".join(str(i) for i in ids[:_SHOWN_IDS])
                more = f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else ""
                lines.append(f"  {label} ({len(ids)}): {shown}{more}")
        return "\n".join(lines)


async def run(settings: Settings, *, verify: bool, batch_size: int = BATCH_SIZE) -> ReindexReport:
    """`intake reindex [--verify]` with the database and backend the settings choose."""
    db = Database(settings.resolved_database_url)
    backend = create_backend(settings)
    try:
        await backend.setup()
        if verify:
            return await verify_index(db, backend, batch_size=batch_size)
        return await reindex(db, backend, batch_size=batch_size)
    finally:
        await backend.close()
        await db.dispose()


async def database_documents(
    db: Database, *, batch_size: int = BATCH_SIZE
) -> AsyncIterator[list[SearchDocument]]:
    """Every proposal as a search document, in id order, one batch per read transaction."""
    after = 0
    while True:
        async with db.session() as session:
            rows = await proposals.page_after(session, after, batch_size)
            if not rows:
                return
            ids = [row.id for row in rows if row.id is not None]
            assigned = await proposals.assigned_agency_ids_of(session, ids)
            agency_ids = {a for history in assigned.values() for a in history}
            agency_ids |= {row.agency_id for row in rows if row.agency_id is not None}
            agencies = await directory.get_agencies(session, sorted(agency_ids))
        codes = {agency.id: agency.code for agency in agencies}
        yield [
            build_document(
                row,
                agency=codes.get(row.agency_id) if row.agency_id is not None else None,
                agencies=tuple(codes[i] for i in assigned[row.id or 0] if i in codes),
            )
            for row in rows
        ]
        after = ids[-1]


async def reindex(
    db: Database, backend: SearchBackend, *, batch_size: int = BATCH_SIZE
) -> ReindexReport:
    """Write every document again and remove what the database no longer has."""
    if isinstance(backend, MeiliSearch):
        # A fresh index swapped in when complete: searches never see it half built.
        count = await backend.rebuild(database_documents(db, batch_size=batch_size))
        return ReindexReport(documents=count, indexed=count)
    seen: set[int] = set()
    async for batch in database_documents(db, batch_size=batch_size):
        await backend.index(batch)
        seen.update(document.id for document in batch)
    extra = sorted(await backend.get_ids() - seen)
    await backend.delete(extra)
    return ReindexReport(documents=len(seen), indexed=len(seen), extra=tuple(extra))


async def verify_index(
    db: Database, backend: SearchBackend, *, repair: bool = True, batch_size: int = BATCH_SIZE
) -> ReindexReport:
    """Compare ids and content fingerprints; report what drifted and (by default) repair it."""
    indexed = await backend.fingerprints()
    missing: list[int] = []
    stale: list[int] = []
    seen: set[int] = set()
    written = 0
    async for batch in database_documents(db, batch_size=batch_size):
        outdated = []
        for document in batch:
            seen.add(document.id)
            copy = indexed.get(document.id)
            if copy is None:
                missing.append(document.id)
                outdated.append(document)
            elif copy != fingerprint(document):
                stale.append(document.id)
                outdated.append(document)
        if repair and outdated:
            await backend.index(outdated)
            written += len(outdated)
    extra = sorted(set(indexed) - seen)
    if repair:
        await backend.delete(extra)
    return ReindexReport(
        documents=len(seen),
        indexed=written,
        missing=tuple(missing),
        stale=tuple(stale),
        extra=tuple(extra),
        verified=True,
    )
