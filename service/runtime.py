"""The long-lived parts a process needs, built once and closed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from search.base import SearchBackend
from search.factory import create_backend
from service.db import Database
from service.notifications.mailer import Mailer, SmtpMailer
from service.queue import ArqQueue
from service.settings import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    db: Database
    queue: ArqQueue
    search: SearchBackend
    mailer: Mailer


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url, replica_url=settings.database_replica_url)
    search = create_backend(settings)
    queue = ArqQueue(settings)
    mailer = SmtpMailer(settings)
    try:
        await search.setup()
        yield Runtime(settings, db, queue, search, mailer)
    finally:
        await mailer.close()
        await queue.close()
        await search.close()
        await db.dispose()
