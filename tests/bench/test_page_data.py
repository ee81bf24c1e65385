"""bench/pages: the data builder and the measuring loop still run (on a small data set)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.pages.data import build
from bench.pages.run import measure, pages, report
from service.settings import Settings


def test_the_page_benchmark_builds_its_data_and_gets_every_page(
    tmp_path: Path, redis_server: str
) -> None:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        redis_url=redis_server,
        search_backend="embedded",
    )
    data = build(settings, submissions=9, inbox=3)
    assert (data.submissions, data.inbox) == (9, 3)
    assert data.track_path.startswith("/track/")
    assert "?key=" in data.track_path
    results = asyncio.run(measure(settings, data, requests=1, warmup=0))
    assert [r["page"] for r in results] == [name for name, _, _ in pages(data)]
    assert all(r["queries"] > 0 or r["page"] == "login" for r in results)
    assert report(results, data, 1).count("\n| ") == len(results) + 1
