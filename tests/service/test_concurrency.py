"""One web process works on at most INTAKE_MAX_CONCURRENT_REQUESTS requests at once; beyond
that it answers 503 with Retry-After at once instead of queueing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

from service.app import create_app
from service.settings import Settings

Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _while_one_is_held(settings: Settings, *requests: Send) -> list[httpx.Response]:
    """The answers to `requests`, sent while a first request is still in progress."""
    app = create_app(settings)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        # The first request stays in progress until its body has been sent.
        yield b"title="
        started.set()
        await release.wait()
        yield b"x"

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            held = asyncio.create_task(
                http.post(
                    "/submit",
                    content=slow_body(),
                    headers={"content-type": "application/x-www-form-urlencoded"},
                )
            )
            await started.wait()
            answers = [await send(http) for send in requests]
            release.set()
            first = await held
            after = await http.get("/")
    return [first, *answers, after]


async def test_a_request_beyond_the_bound_gets_503_with_retry_after(settings: Settings) -> None:
    bounded = settings.model_copy(
        update={"max_concurrent_requests": 1, "busy_retry_after_seconds": 3}
    )
    first, refused, refused_en, refused_weighed, health, after = await _while_one_is_held(
        bounded,
        lambda http: http.get("/"),
        lambda http: http.get("/", headers={"accept-language": "en"}),
        lambda http: http.get("/", headers={"accept-language": "en;q=0.1, vi;q=0.9"}),
        lambda http: http.get("/healthz"),
    )

    assert (refused.status_code, refused.headers["retry-after"]) == (503, "3")
    assert refused.text == "Intake đang bận. Vui lòng thử lại sau vài giây."
    assert refused_en.status_code == 503
    assert refused_en.text == "Intake is busy. Please try again in a few seconds."
    assert refused_weighed.text == "Intake đang bận. Vui lòng thử lại sau vài giây."  # by q-value
    assert health.status_code == 200  # probes are answered whatever the load
    assert first.status_code != 503
    assert after.status_code == 200  # the bound frees as requests finish


async def test_zero_sets_no_bound(settings: Settings) -> None:
    unbounded = settings.model_copy(update={"max_concurrent_requests": 0})
    first, page, after = await _while_one_is_held(unbounded, lambda http: http.get("/"))

    assert (first.status_code != 503, page.status_code, after.status_code) == (True, 200, 200)
