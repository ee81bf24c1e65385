"""privacy.retention: erase expired personal data and delete expired audit entries."""

from __future__ import annotations

import logging
from typing import Any

from service.audit import service as audit
from service.db import utcnow
from service.outbox import service as outbox
from service.privacy import service as privacy
from service.runtime import Runtime

logger = logging.getLogger(__name__)


async def retention(ctx: dict[str, Any]) -> int:
    """Idempotent: what is already erased or deleted is not found again."""
    runtime: Runtime = ctx["runtime"]
    settings = runtime.settings
    now = utcnow()
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        erased = await privacy.expire(session, settings, now)
        purged = await audit.purge(session, now, settings.retention_audit_days)
    for erasure in erased:
        privacy.delete_files(settings, erasure.storage_keys)
    if erased or purged:
        logger.info(
            "retention: erased personal data of %d submissions, deleted %d audit entries",
            len(erased),
            purged,
        )
    return len(erased)
