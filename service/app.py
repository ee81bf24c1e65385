"""create_app(settings) -> the Starlette application: pages, GraphQL, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from service.api.view import graphql_app
from service.bodylimit import BodySizeLimitMiddleware
from service.concurrency import ConcurrencyLimitMiddleware
from service.metrics import MetricsMiddleware, metrics
from service.ratelimit import RateLimitMiddleware
from service.request_id import RequestIdMiddleware
from service.runtime import open_runtime
from service.settings import Settings
from web.csrf import FormExpired, form_expired
from web.language_links import LanguageLinkMiddleware
from web.not_found import not_found
from web.routes import STATIC_DIR, web_routes
from web.security import SecurityHeadersMiddleware
from web.unavailable import UNAVAILABLE, database_unavailable

SESSION_SECONDS = 8 * 3600


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> JSONResponse:
    """200 only when the database and Redis both answer."""
    runtime = request.app.state.runtime
    checks: dict[str, str] = {}
    try:
        await runtime.db.ping()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        await runtime.queue.ping()
        checks["redis"] = "ok"
    except Exception as error:
        checks["redis"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:
            app.state.runtime = runtime
            yield

    graphql = graphql_app(settings)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        WebSocketRoute("/graphql", graphql),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *web_routes(settings),
    ]
    middleware = [
        Middleware(MetricsMiddleware),
        Middleware(
            ConcurrencyLimitMiddleware,
            limit=settings.max_concurrent_requests,
            retry_after_seconds=settings.busy_retry_after_seconds,
        ),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="intake_session",
            max_age=SESSION_SECONDS,
            same_site="lax",
            https_only=settings.environment == "production",
        ),
        Middleware(RequestIdMiddleware),
        # Outside the rate limit, so that its 429 page carries the security headers too.
        Middleware(SecurityHeadersMiddleware, production=settings.environment == "production"),
        Middleware(RateLimitMiddleware, settings=settings),
        Middleware(LanguageLinkMiddleware),
        Middleware(BodySizeLimitMiddleware, settings=settings),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={
            **dict.fromkeys(UNAVAILABLE, database_unavailable),
            404: not_found,
            FormExpired: form_expired,
        },
    )
    app.state.settings = settings
    return app
