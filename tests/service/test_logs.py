"""Log lines are JSON in production and carry the id of the request that caused them."""

from __future__ import annotations

import io
import json
import logging
import sys

import httpx
import pytest

from service.logs import JsonFormatter, configure_logging
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.worker import run_worker
from tests.graphql_client import operation


async def test_a_requests_id_follows_it_into_its_jobs(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": operation("SubmitProposal"), "variables": {"input": graphql_input()}},
        headers={"x-request-id": "citizen-request-0001"},
    )
    assert response.headers["x-request-id"] == "citizen-request-0001"

    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    jobs_logger = logging.getLogger("workers.outbox")
    jobs_logger.addHandler(handler)
    jobs_logger.setLevel(logging.INFO)
    try:
        await run_worker(settings)
    finally:
        jobs_logger.removeHandler(handler)
    entries = [json.loads(line) for line in lines.getvalue().splitlines()]
    route = [e for e in entries if e["message"].startswith("proposal.route ")]
    assert len(route) == 1
    assert route[0]["request_id"] == "citizen-request-0001"
    assert route[0]["level"] == "INFO"
    assert route[0]["logger"] == "workers.outbox"


def test_json_lines_hold_the_exception() -> None:
    record = logging.LogRecord("intake", logging.ERROR, __file__, 1, "failed: %s", ("x",), None)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed: x"
    assert entry["exception"].endswith("ValueError: boom")


def test_log_lines_go_to_standard_error_as_it_is_when_they_are_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(Settings(log_format="json"))
        before, after = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stderr", before)
        logging.getLogger("intake.check").warning("first")
        before.close()  # as a test runner closes its capture, or a daemon its old stream
        monkeypatch.setattr(sys, "stderr", after)
        logging.getLogger("intake.check").warning("second")
        assert [json.loads(line)["message"] for line in after.getvalue().splitlines()] == ["second"]
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
