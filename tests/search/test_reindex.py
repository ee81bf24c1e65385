"""`intake reindex` and `intake reindex --verify` against a real database and its backend."""

from __future__ import annotations

import dataclasses

import pytest

from search.base import SearchScope
from search.factory import backend_name, create_backend
from search.reindex import database_documents, run
from service.cli import main
from service.db import Database
from service.proposals import service as proposals
from service.routing.service import route_proposal
from service.settings import Settings
from tests.factories import submission


async def _submit(settings: Settings, count: int, *, route_first: bool) -> list[int]:
    db = Database(settings.resolved_database_url)
    ids = []
    try:
        for number in range(count):
            async with db.transaction() as session:
                proposal = await proposals.submit_proposal(
                    session,
                    submission(
                        title=f"Đề xuất chuyển đổi số {number}",
                        category="STRATEGIC_TECHNOLOGIES",
                        consent_to_publish=number != 0,
                    ),
                    settings,
                    "vi",
                )
                assert proposal.id is not None
                ids.append(proposal.id)
        if route_first:
            async with db.transaction() as session:
                assert await route_proposal(session, ids[0], settings) is not None
    finally:
        await db.dispose()
    return ids


async def _found(settings: Settings, query: str, scope: SearchScope) -> list[int]:
    backend = create_backend(settings)
    try:
        await backend.setup()
        result = await backend.search(query, scope, sort="newest")
        return [hit.id for hit in result.hits]
    finally:
        await backend.close()


def test_the_backend_follows_the_database(settings: Settings) -> None:
    assert backend_name(settings) == ("embedded" if settings.is_sqlite else "postgres")


async def test_reindex_then_verify(settings: Settings) -> None:
    first, second, third = await _submit(settings, 3, route_first=True)

    summary = (await run(settings, verify=False, batch_size=2)).summary()

    assert summary == "Reindexed 3 documents; removed 0 no longer in the database."
    assert await _found(settings, "chuyen doi so", SearchScope.secretariat()) == [
        third,
        second,
        first,
    ]
    assert await _found(settings, "chuyen doi so", SearchScope.public()) == [third, second]
    assert await _found(settings, "", SearchScope.agency("BKHCN")) == [third, second, first]
    assert (await run(settings, verify=True, batch_size=2)).summary() == (
        "Verified 3 documents: the index matches the database."
    )


async def test_verify_reports_and_repairs_missing_stale_and_extra_documents(
    settings: Settings,
) -> None:
    first, second, third = await _submit(settings, 3, route_first=False)
    (await run(settings, verify=False, batch_size=10)).summary()
    db = Database(settings.resolved_database_url)
    try:
        documents = [d async for batch in database_documents(db) for d in batch]
    finally:
        await db.dispose()
    backend = create_backend(settings)
    try:
        await backend.setup()
        stale = dataclasses.replace(documents[1], title="Bản cũ", status="CLOSED")
        ghost = dataclasses.replace(documents[0], id=third + 1000, tracking_code="GHOST00000")
        await backend.index([stale, ghost])
        await backend.delete([third])
    finally:
        await backend.close()

    summary = (await run(settings, verify=True, batch_size=2)).summary()

    assert summary == (
        "Verified 3 documents: 3 drifted, repaired (2 written, 1 removed).\n"
        f"  missing (1): {third}\n"
        f"  stale (1): {second}\n"
        f"  extra (1): {third + 1000}"
    )
    assert await _found(settings, "ban cu", SearchScope.secretariat()) == []
    assert await _found(settings, "chuyen doi so", SearchScope.secretariat()) == [
        third,
        second,
        first,
    ]
    assert (await run(settings, verify=True, batch_size=2)).summary() == (
        "Verified 3 documents: the index matches the database."
    )


async def test_reindex_removes_documents_gone_from_the_database(settings: Settings) -> None:
    await _submit(settings, 1, route_first=False)
    backend = create_backend(settings)
    try:
        await backend.setup()
        db = Database(settings.resolved_database_url)
        try:
            [[document]] = [batch async for batch in database_documents(db)]
        finally:
            await db.dispose()
        await backend.index([dataclasses.replace(document, id=document.id + 500)])
    finally:
        await backend.close()

    assert (await run(settings, verify=False, batch_size=1)).summary() == (
        "Reindexed 1 documents; removed 1 no longer in the database."
    )


async def test_reindex_of_an_empty_database(settings: Settings) -> None:
    assert (await run(settings, verify=False, batch_size=5)).summary() == (
        "Reindexed 0 documents; removed 0 no longer in the database."
    )
    assert (await run(settings, verify=True, batch_size=5)).summary() == (
        "Verified 0 documents: the index matches the database."
    )


def test_the_reindex_command(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", settings.resolved_database_url)

    main(["reindex", "--verify", "--data-dir", str(settings.data_dir)])

    assert capsys.readouterr().out == "Verified 0 documents: the index matches the database.\n"


@pytest.mark.parametrize("size", ["0", "-3", "many"])
def test_the_reindex_command_refuses_a_bad_batch_size(
    size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reindex", "--batch-size", size])

    assert exit_info.value.code == 2
    assert "argument --batch-size: " in capsys.readouterr().err
