"""Redis behind Sentinel: Intake finds the primary through the Sentinel, and again after a
failover, for its queue, its rate-limit counters and its live events."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from arq.constants import default_queue_name

from service.doctor import run_checks
from service.outbox import service as outbox
from service.proposals import service as proposals
from service.proposals.models import ProposalStatus
from service.queue import ArqQueue, redis_client
from service.runtime import open_runtime
from service.sentinel import parse_sentinel_url
from service.settings import Settings
from tests.factories import submission
from tests.fixtures.sentinel import SentinelSetup
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker


@pytest.fixture
def sentinel() -> Iterator[SentinelSetup]:
    with tempfile.TemporaryDirectory(dir="/tmp") as base, SentinelSetup(Path(base)) as setup:
        yield setup


def test_sentinel_urls_name_every_part() -> None:
    address = parse_sentinel_url(
        "redis+sentinel://:s%40cret@10.0.0.1:26379,sentinel-b:26380/intake/2"
    )
    assert address.sentinels == (("10.0.0.1", 26379), ("sentinel-b", 26380))
    assert (address.service, address.db, address.password) == ("intake", 2, "s@cret")
    assert parse_sentinel_url("redis+sentinel://s:26379/main").db == 0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("redis+sentinel://s:26379", "must name the monitored service"),
        ("redis+sentinel://s:26379/a/b", "must name the monitored service"),
        ("redis+sentinel://s/intake", "'s' is not a Sentinel's host:port"),
        ("redis+sentinel://s:99999/intake", "'s:99999' is not a Sentinel's host:port"),
        ("redis+sentinel://s:1,,t:2/intake", "'an empty entry' is not a Sentinel's host:port"),
    ],
)
def test_bad_sentinel_urls_are_refused_naming_the_setting(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match="INTAKE_REDIS_URL") as raised:
        parse_sentinel_url(url)
    assert problem in str(raised.value)
    with pytest.raises(ValueError, match="INTAKE_REDIS_URL"):
        Settings(redis_url=url)


async def test_queue_follows_the_primary_through_a_failover(
    sentinel: SentinelSetup, tmp_path: Path
) -> None:
    queue = ArqQueue(Settings(redis_url=sentinel.url, data_dir=tmp_path))
    try:
        await queue.enqueue("proposal.route", "outbox-1")
        assert await queue.count_hit("limit:ip", 60) == 1
        with sentinel.client("a") as first:
            assert first.zcard(default_queue_name) == 1

        promoted = sentinel.fail_over()
        assert promoted == sentinel.ports["b"]
        # The connection to the old primary (now a read-only replica) fails once; the queue
        # drops it and asks the Sentinel again, as after any Redis outage.
        for _ in range(20):
            try:
                await queue.enqueue("proposal.route", "outbox-2")
                break
            except Exception:
                await asyncio.sleep(0.25)
        else:
            pytest.fail("the queue never reached the promoted primary")
        # The replica had the first job and the counter: nothing queued was lost.
        with sentinel.client("b") as promoted_client:
            assert promoted_client.zcard(default_queue_name) == 2
        assert await queue.count_hit("limit:ip", 60) == 2
        assert await queue.depth() == 2
    finally:
        await queue.close()


async def test_live_events_subscribe_through_the_sentinel(sentinel: SentinelSetup) -> None:
    queue = ArqQueue(Settings(redis_url=sentinel.url))
    async with redis_client(sentinel.url) as listener:
        pubsub = listener.pubsub()
        try:
            await pubsub.subscribe("events")
            assert (await pubsub.get_message(timeout=5.0) or {}).get("type") == "subscribe"
            await queue.publish("events", "hello")
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
            assert message is not None
            assert message["data"] == b"hello"
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await queue.close()
    # Both talked to the primary the Sentinel names.
    with sentinel.client("a") as primary:
        assert primary.pubsub_numsub("events") == [(b"events", 0)]


async def test_a_submission_is_routed_and_mailed_with_redis_behind_sentinel(
    sentinel: SentinelSetup, settings: Settings, mailbox: SmtpSink
) -> None:
    behind_sentinel = settings.model_copy(update={"redis_url": sentinel.url})
    async with open_runtime(behind_sentinel) as runtime:
        async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
            proposal = await proposals.submit_proposal(session, submission(), behind_sentinel, "vi")
        with sentinel.client("a") as primary:
            assert primary.zcard(default_queue_name) > 0  # enqueued on the primary
        await run_worker(behind_sentinel)
        async with runtime.db.session() as session:
            tracked = await proposals.track(session, proposal.tracking_code)
            pending = await outbox.pending_count(session)
    assert tracked.proposal.status is ProposalStatus.ROUTED
    assert pending == 0
    assert len(mailbox.messages) == 2


async def test_doctor_names_the_primary_the_sentinel_found(
    sentinel: SentinelSetup, settings: Settings
) -> None:
    checks = await run_checks(settings.model_copy(update={"redis_url": sentinel.url}))
    [check] = [c for c in checks if c.name == "redis"]
    assert check.ok
    assert check.detail == (
        f"answers PING at 127.0.0.1:{sentinel.ports['a']}, the primary Sentinel names"
    )
