"""404 for people: a page in their language with the ways back, instead of plain "Not Found".

Programs (the API, exports, anything that does not ask for HTML) keep the plain answer.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from web.rendering import render


async def not_found(request: Request, error: Exception) -> Response:
    headers = error.headers if isinstance(error, HTTPException) else None
    if "text/html" in request.headers.get("accept", ""):
        response = render(request, "not_found.html", status_code=404)
        response.headers.update(headers or {})
        return response
    return PlainTextResponse("Not Found", status_code=404, headers=headers)
