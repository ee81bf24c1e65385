"""/metrics: route templates, GraphQL operation names, jobs, shared state read at scrape time."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from service.app import create_app
from service.metrics import (
    MAX_OPERATION_NAMES,
    OTHER_OPERATION,
    _seen_operations,
    operation_label,
)
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _scraped(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


async def test_requests_are_counted_by_route_template_not_by_path(
    client: httpx.AsyncClient,
) -> None:
    before = _value("intake_http_requests_total", method="GET", route="/track/{code}", status="404")
    unmatched = _value("intake_http_requests_total", method="GET", route="unmatched", status="404")
    for code in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"):
        assert (await client.get(f"/track/{code}")).status_code == 404
    assert (await client.get("/no/such/page")).status_code == 404
    assert (
        _value("intake_http_requests_total", method="GET", route="/track/{code}", status="404")
        == before + 3
    )
    assert (
        _value("intake_http_requests_total", method="GET", route="unmatched", status="404")
        == unmatched + 1
    )
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "/track/AAAAAAAAAA" not in response.text
    assert 'route="/track/{code}"' in response.text


async def test_graphql_operations_jobs_and_shared_state(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    ok = _value(
        "intake_graphql_operations_total", operation="SubmitProposal", type="mutation", outcome="ok"
    )
    routed = _value("intake_jobs_total", job="proposal.route", outcome="done")
    await execute(client, "SubmitProposal", {"input": graphql_input()})
    assert (
        _value(
            "intake_graphql_operations_total",
            operation="SubmitProposal",
            type="mutation",
            outcome="ok",
        )
        == ok + 1
    )
    failed = _value(
        "intake_graphql_operations_total", operation="Broken", type="query", outcome="error"
    )
    broken = await client.post("/graphql", json={"query": "query Broken { nothing }"})
    assert broken.status_code == 200
    assert (
        _value("intake_graphql_operations_total", operation="Broken", type="query", outcome="error")
        == failed + 1
    )

    scraped = _scraped((await client.get("/metrics")).text)
    # The route job, the timeline event and the receipt wait in the outbox and in the queue.
    assert scraped[("intake_outbox_pending", ())] == 3
    assert scraped[("intake_outbox_oldest_pending_age_seconds", ())] >= 0
    assert scraped[("intake_queue_depth", ())] == 3
    assert scraped[("intake_notifications", (("state", "PENDING"),))] == 1
    assert scraped[("intake_notifications", (("state", "SENT"),))] == 0

    await run_worker(settings)
    assert _value("intake_jobs_total", job="proposal.route", outcome="done") == routed + 1
    assert _value("intake_job_duration_seconds_count", job="proposal.route") >= 1
    scraped = _scraped((await client.get("/metrics")).text)
    assert scraped[("intake_outbox_pending", ())] == 0
    assert scraped[("intake_outbox_oldest_pending_age_seconds", ())] == 0
    assert scraped[("intake_queue_depth", ())] == 0
    assert scraped[("intake_notifications", (("state", "SENT"),))] == 2
    assert scraped[("intake_notifications", (("state", "PENDING"),))] == 0


async def test_search_latency_is_observed_per_backend(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    backend = "embedded" if settings.is_sqlite else "postgres"
    before = _value("intake_search_duration_seconds_count", backend=backend, operation="similar")
    response = await client.get("/api/similar", params={"title": "chuyển đổi số"})
    assert response.status_code == 200
    assert (
        _value("intake_search_duration_seconds_count", backend=backend, operation="similar")
        == before + 1
    )


def test_client_chosen_operation_names_cannot_grow_the_series_without_bound() -> None:
    assert operation_label(None) == "anonymous"
    assert operation_label("not a name!") == OTHER_OPERATION
    seen = set(_seen_operations)
    try:
        for index in range(MAX_OPERATION_NAMES + 5):
            operation_label(f"Generated{index}")
        assert len(_seen_operations) == MAX_OPERATION_NAMES
        assert operation_label("OneMoreNewName") == OTHER_OPERATION
    finally:
        _seen_operations.clear()
        _seen_operations.update(seen)


@pytest.mark.parametrize(
    ("environment", "token", "authorization", "status"),
    [
        ("production", "", "", 404),
        ("test", "scrape-secret", "", 401),
        ("test", "scrape-secret", "Bearer wrong", 401),
        ("test", "scrape-secret", "Bearer scrape-secret", 200),
        ("production", "scrape-secret", "Bearer scrape-secret", 200),
    ],
)
async def test_a_metrics_token_guards_the_endpoint(
    settings: Settings, environment: str, token: str, authorization: str, status: int
) -> None:
    changed = settings.model_copy(
        update={
            "environment": environment,
            "metrics_token": token,
            "secret_key": "a-production-secret-for-tests",
        }
    )
    app: Starlette = create_app(changed)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://intake.test") as http:
            headers = {"authorization": authorization} if authorization else {}
            response = await http.get("/metrics", headers=headers)
    assert response.status_code == status
