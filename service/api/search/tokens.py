"""Short-lived Meilisearch tenant tokens, so that an agency portal can search directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse

from search.base import SearchScope
from search.factory import backend_name
from search.meili import tenant_token
from service.accounts.actor import Actor
from service.api.auth import resolve_actor
from service.runtime import Runtime


def _scope(actor: Actor) -> SearchScope | None:
    if actor.is_secretariat:
        return SearchScope.secretariat()
    if actor.is_agency_official and actor.agency_code:
        return SearchScope.agency(actor.agency_code)
    return None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def issue_tenant_token(request: Request) -> JSONResponse:
    """POST /api/search/tenant-token: a token limited to the caller's scope, for officials."""
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    scope = _scope(await resolve_actor(request, runtime))
    if scope is None:
        return _error(
            401, "Send an agency portal's bearer token, or sign in as an official, to get one."
        )
    if backend_name(settings) != "meilisearch" or not (
        settings.meili_search_key and settings.meili_search_key_uid
    ):
        return _error(
            404,
            "Tenant tokens need the Meilisearch backend with INTAKE_MEILI_SEARCH_KEY and "
            "INTAKE_MEILI_SEARCH_KEY_UID set; this server searches without them.",
        )
    now = datetime.now(UTC).replace(microsecond=0)
    lifetime = timedelta(seconds=settings.meili_tenant_token_seconds)
    token = tenant_token(
        scope,
        index_name=settings.meili_index,
        api_key=settings.meili_search_key,
        api_key_uid=settings.meili_search_key_uid,
        expires_in=lifetime,
        now=now,
    )
    return JSONResponse(
        {
            "token": token,
            "expiresAt": (now + lifetime).isoformat(),
            "indexUid": settings.meili_index,
            "host": (settings.meili_public_url or settings.meili_url).rstrip("/"),
        },
        headers={"cache-control": "no-store"},
    )
