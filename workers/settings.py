"""The arq worker: its jobs, the outbox sweep, and the runtime it opens once."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import AsyncExitStack
from typing import Any, cast
from wsgiref.simple_server import WSGIServer

from arq import cron
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker, func
from prometheus_client import start_http_server
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import WatchError
from sqlalchemy.exc import InterfaceError, OperationalError

from search.base import SearchError
from service.metrics import timed_job
from service.notifications.service import SEND_JOB
from service.proposals.events import EVENT_JOB
from service.proposals.service import ROUTE_JOB
from service.queue import close_sentinel, redis_settings, redis_url
from service.routing.service import INDEX_JOB
from service.runtime import Runtime, open_runtime
from service.settings import Settings
from workers import events, notifications, privacy, proposals, search
from workers.outbox import JobFunction, decided_outbox_job, outbox_job, sweep_outbox

logger = logging.getLogger(__name__)
_REDIS_RETRY_SECONDS = 1.0
_STARTUP_RETRY_SECONDS = 2.0


class MetricsUnavailable(RuntimeError):
    """The worker's metrics cannot listen where the settings say: a setting to change, not an
    outage to wait out (an OSError would read as Redis gone, and the worker would retry for
    good)."""


def _metrics_server(settings: Settings) -> WSGIServer:
    address, port = settings.worker_metrics_address, settings.worker_metrics_port
    try:
        server, _ = start_http_server(port, addr=address)
    except OSError as error:
        raise MetricsUnavailable(
            f"the worker's metrics cannot listen on {address}:{port} ({error.strerror}); "
            "set INTAKE_WORKER_METRICS_PORT to a free port, or to 0 for none"
        ) from error
    return server


def redis_lost(error: BaseException) -> bool:
    """Whether an error from arq means the connection to Redis went away.

    Besides connection errors, redis-py reports a connection lost in the middle of a WATCH as a
    WatchError raised while handling the ConnectionError; arq catches that only around its
    EXEC, so one lost between WATCH and EXEC ends the worker's main loop with it.
    """
    if isinstance(error, (RedisConnectionError, OSError)):
        return True
    return isinstance(error, WatchError) and isinstance(
        error.__context__, (RedisConnectionError, OSError)
    )


class _Worker(Worker):
    """arq's worker, closing its runtime even when Redis is gone.

    arq's close() first deletes its health-check key in Redis; with Redis down that raises before
    on_shutdown runs, which would leave the database engine and its connections open in a loop
    that is never run again while the next worker starts.
    """

    async def close(self) -> None:
        # Behind Sentinel, arq's pool closes its connections to the primary but not the
        # Sentinel's own clients.
        sentinel = getattr(getattr(self._pool, "connection_pool", None), "sentinel_manager", None)
        try:
            await super().close()
        except Exception as error:
            if not redis_lost(error):
                raise
            if self.on_shutdown:
                await self.on_shutdown(self.ctx)
            self._pool = None
        finally:
            await close_sentinel(sentinel)


def _job(name: str, job: JobFunction, settings: Settings) -> Function:
    # keep_result=0: a finished or failed job leaves no result behind, so the sweep can always
    # enqueue its outbox id again; the outbox row, not arq, remembers what is done.
    coroutine = cast("WorkerCoroutine", timed_job(name, job))
    return func(
        coroutine, name=name, timeout=settings.job_timeout_seconds, keep_result=0, max_tries=1
    )


def job_functions(settings: Settings) -> list[Function]:
    return [
        # Decides outside any write transaction: see decided_outbox_job.
        _job(
            ROUTE_JOB,
            decided_outbox_job(ROUTE_JOB, proposals.decide_route, proposals.write_route),
            settings,
        ),
        _job(INDEX_JOB, outbox_job(INDEX_JOB, search.index), settings),
        # Not wrapped in outbox_job: it commits its claim before talking to the SMTP server.
        func(
            cast("WorkerCoroutine", timed_job(SEND_JOB, notifications.send)),
            name=SEND_JOB,
            timeout=settings.job_timeout_seconds,
            keep_result=0,
            max_tries=1,
        ),
        _job(EVENT_JOB, outbox_job(EVENT_JOB, events.publish), settings),
    ]


async def _open_runtime_when_reachable(
    stack: AsyncExitStack, settings: Settings, *, burst: bool
) -> Runtime:
    """The runtime, once the database and the search backend answer.

    A worker started before its database (a deploy, a restarted host) waits for it instead of
    exiting; once running, a job that loses the database fails and its outbox row is swept
    again. A burst run (tests, `intake worker --burst`) fails at once.
    """
    while True:
        try:
            return await stack.enter_async_context(open_runtime(settings))
        except (OSError, OperationalError, InterfaceError, SearchError) as error:
            if burst:
                raise
            logger.warning(
                "database or search backend unreachable at startup (%s); trying again in %.0f s",
                error,
                _STARTUP_RETRY_SECONDS,
            )
            await asyncio.sleep(_STARTUP_RETRY_SECONDS)


def create_worker(settings: Settings, *, burst: bool = False) -> Worker:
    stack = AsyncExitStack()

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["runtime"] = await _open_runtime_when_reachable(stack, settings, burst=burst)
        if not burst and settings.worker_metrics_port:
            # One scrape target per worker process (its own registry: job counts, durations and
            # failures); a burst run ends too soon to be scraped.
            server = _metrics_server(settings)
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
        await sweep_outbox(ctx)

    async def shutdown(ctx: dict[str, Any]) -> None:
        await stack.aclose()

    return _Worker(
        functions=job_functions(settings),
        cron_jobs=[
            cron(
                cast("WorkerCoroutine", timed_job("outbox.sweep", sweep_outbox)),
                name="outbox.sweep",
                second=set(range(0, 60, settings.outbox_sweep_interval_seconds)),
                run_at_startup=False,
                keep_result=0,
                unique=True,
            ),
            cron(
                cast("WorkerCoroutine", timed_job("notification.schedule", notifications.schedule)),
                name="notification.schedule",
                minute=set(range(0, 60, 5)),
                second=30,
                run_at_startup=False,
                keep_result=0,
                unique=True,
            ),
            cron(
                cast("WorkerCoroutine", timed_job("privacy.retention", privacy.retention)),
                name="privacy.retention",
                minute=17,
                second=0,
                run_at_startup=False,
                keep_result=0,
                unique=True,
            ),
        ],
        redis_settings=redis_settings(redis_url(settings)),
        on_startup=startup,
        on_shutdown=shutdown,
        burst=burst,
        handle_signals=not burst,
        job_timeout=settings.job_timeout_seconds,
        keep_result=0,
        max_tries=1,
        poll_delay=0.2,
    )


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Run the worker until stopped; when Redis goes away it starts again once Redis is back.

    arq gives up after a few failed reconnections and its worker returns with the error: without
    this loop an outage of more than a few seconds would stop every worker for good.
    """
    while True:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            create_worker(settings, burst=burst).run()
            return
        except Exception as error:
            if burst or not redis_lost(error):
                raise
            logger.warning("Redis unreachable (%s); the worker starts again", error)

        finally:
            _close_loop(loop, settings.job_timeout_seconds)
        time.sleep(_REDIS_RETRY_SECONDS)


def _close_loop(loop: asyncio.AbstractEventLoop, job_timeout: float) -> None:
    """Let the jobs the stopped worker left running finish, then close its loop.

    arq stops without waiting for running jobs when Redis goes away. Left in a loop that never
    runs again they would hold their database transactions (and SQLite's write lock) for good;
    cancelled, a message already handed to the SMTP server would be sent again. So each gets up
    to the job timeout, as it would have under arq, and only what is still running then is
    cancelled.
    """
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if pending:
        _, late = loop.run_until_complete(asyncio.wait(pending, timeout=job_timeout))
        for task in late:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*late, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
