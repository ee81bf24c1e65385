"""Prometheus metrics: what the web process counts as it goes, and what /metrics reads at scrape.

Counters and histograms live in this process's default registry. The worker is a separate
process with its own registry: it serves its job counters and durations on its own port
(INTAKE_WORKER_METRICS_PORT, see workers/settings.py), the way a Prometheus operator expects one
target per process. Values that describe shared state rather than one process (queue depth,
outbox lag, mail by state) are read from Redis and the database at scrape time by the web
process only, so that several workers never report them twice.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from service.db import utcnow
from service.notifications import repository as notifications
from service.outbox import repository as outbox

if TYPE_CHECKING:
    from service.runtime import Runtime

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_REQUESTS = Counter(
    "intake_http_requests_total",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "intake_http_request_duration_seconds",
    "Time to the end of the response, by method and route template.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "intake_graphql_operations_total",
    "GraphQL operations by operation name, type and outcome (ok, error).",
    ["operation", "type", "outcome"],
)
GRAPHQL_DURATION = Histogram(
    "intake_graphql_operation_duration_seconds",
    "GraphQL operation time, parsing and validation included, by name and type.",
    ["operation", "type"],
    buckets=_LATENCY_BUCKETS,
)
JOBS = Counter(
    "intake_jobs_total", "Jobs run by the worker, by job name and outcome.", ["job", "outcome"]
)
JOB_DURATION = Histogram(
    "intake_job_duration_seconds", "Job run time by job name.", ["job"], buckets=_JOB_BUCKETS
)
SEARCH_DURATION = Histogram(
    "intake_search_duration_seconds",
    "Search backend latency by backend and operation (search, export, similar).",
    ["backend", "operation"],
    buckets=_LATENCY_BUCKETS,
)

UNMATCHED_ROUTE = "unmatched"
OTHER_OPERATION = "other"
ANONYMOUS_OPERATION = "anonymous"
# Operation names are chosen by clients: only this many distinct ones get their own series.
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_seen_operations: set[str] = set()


def route_label(scope: Scope) -> str:
    """The matched route's template (/inbox/{proposal_id}), never the raw path."""
    route = scope.get("route")
    if route is None:
        # A middleware answered before the router ran (the rate limiter's 429, the concurrency
        # limit's 503): the route the request was sent to, matched the way the router would.
        route = _route_for(scope)
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    return UNMATCHED_ROUTE


def _route_for(scope: Scope) -> BaseRoute | None:
    app = scope.get("app")
    router = getattr(app, "router", None)
    partial = None
    for route in getattr(router, "routes", ()):
        if not isinstance(route, BaseRoute):
            continue
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
        if match is Match.PARTIAL and partial is None:
            partial = route  # e.g. a method the route refuses with 405, as the router counts it
    return partial


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request by its route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            route = route_label(scope)
            method = str(scope.get("method", ""))
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started)


def operation_label(name: str | None) -> str:
    if not name:
        return ANONYMOUS_OPERATION
    if not _OPERATION_NAME.fullmatch(name):
        return OTHER_OPERATION
    if name not in _seen_operations:
        if len(_seen_operations) >= MAX_OPERATION_NAMES:
            return OTHER_OPERATION
        _seen_operations.add(name)
    return name


class GraphQLMetrics(SchemaExtension):
    """Counts and times each operation by its name and type (query, mutation, subscription)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except Exception:  # an unparsable document or an unknown operation name
            kind = "unknown"
        name = operation_label(context.operation_name)
        result = context.result
        errors = getattr(result, "errors", None) if result is not None else None
        outcome = "error" if errors or context.pre_execution_errors else "ok"
        GRAPHQL_OPERATIONS.labels(name, kind, outcome).inc()
        GRAPHQL_DURATION.labels(name, kind).observe(time.perf_counter() - started)


JobCoroutine = Callable[..., Awaitable[Any]]


def timed_job(name: str, coroutine: JobCoroutine) -> JobCoroutine:
    """The job, counted (done or failed) and timed under its name."""

    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await coroutine(ctx, *args, **kwargs)
            outcome = "done"
            return result
        finally:
            JOBS.labels(name, outcome).inc()
            JOB_DURATION.labels(name).observe(time.perf_counter() - started)

    run.__qualname__ = run.__name__ = getattr(coroutine, "__name__", name)
    return run


async def _shared_state(runtime: Runtime) -> CollectorRegistry:
    """Gauges of the state every process shares, read now."""
    registry = CollectorRegistry(auto_describe=True)
    queue_depth = Gauge(
        "intake_queue_depth", "Jobs waiting in the arq queue in Redis.", registry=registry
    )
    pending = Gauge("intake_outbox_pending", "Outbox rows not yet done.", registry=registry)
    lag = Gauge(
        "intake_outbox_oldest_pending_age_seconds",
        "Age of the oldest outbox row not yet done (0 when none).",
        registry=registry,
    )
    mail = Gauge(
        "intake_notifications",
        "Emails by state (SENT, FAILED, PENDING, SENDING, SKIPPED), from the notifications table.",
        ["state"],
        registry=registry,
    )
    try:
        queue_depth.set(await runtime.queue.depth())
    except Exception:
        queue_depth.set(float("nan"))  # Redis is down: readyz says so; the scrape still works
    async with runtime.db.session() as session:
        pending.set(await outbox.count_pending(session))
        oldest = await outbox.oldest_pending_created_at(session)
        lag.set(max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0)
        for state, count in (await notifications.count_by_state(session)).items():
            mail.labels(state).set(count)
    return registry


async def metrics(request: Request) -> Response:
    """The Prometheus text format; behind a bearer token when INTAKE_METRICS_TOKEN is set."""
    runtime: Runtime = request.app.state.runtime
    token = runtime.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        scheme, _, secret = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(secret.strip(), token):
            return PlainTextResponse(
                "metrics need a bearer token",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif runtime.settings.environment == "production":
        return PlainTextResponse("Not Found", status_code=404)
    shared = await _shared_state(runtime)
    body = generate_latest(REGISTRY) + generate_latest(shared)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
