"""503 while the database refuses connections: the visitor is told nothing was saved."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from web.rendering import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# Connection failures as SQLAlchemy wraps them, and as drivers raise them while connecting.
UNAVAILABLE = (DBAPIError, ConnectionError)


async def database_unavailable(request: Request, error: Exception) -> Response:
    logger.error("database unavailable: %s: %s", type(error).__name__, error)
    response = render(request, "unavailable.html", status_code=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
