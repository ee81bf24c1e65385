"""Downloading an attachment: always as a download, never rendered, and only when allowed."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from service.accounts.actor import Actor
from service.api.auth import resolve_actor
from service.attachments import service as attachments
from service.audit import service as audit
from service.audit.models import AuditAction
from service.proposals import service as proposals
from service.proposals.errors import ProposalNotFound
from service.runtime import Runtime
from service.text import whole_number


async def _actor(request: Request, runtime: Runtime) -> Actor:
    code, key = request.query_params.get("code"), request.query_params.get("key")
    if code and key:
        try:
            async with runtime.db.session() as session:
                _, actor = await proposals.submitter_actor(session, runtime.settings, code, key)
            return actor
        except ProposalNotFound:
            pass
    return await resolve_actor(request, runtime)


async def download(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    attachment_id = whole_number(request.path_params["attachment_id"])
    if attachment_id is None:
        raise HTTPException(404)
    actor = await _actor(request, runtime)
    async with runtime.db.transaction() as session:
        attachment = await attachments.readable(session, actor, attachment_id)
        if attachment is None:
            raise HTTPException(404)
        if actor.is_official and attachment.uploaded_by == "submitter":
            # A submitter's evidence often carries their personal data (an ID card, a letter).
            audit.record(
                session,
                actor,
                AuditAction.DOWNLOAD_SUBMITTER_FILE,
                [attachment.proposal_id],
                detail=f"attachment {attachment.id}",
            )
    body = attachments.content(runtime.settings, attachment)
    return Response(
        body,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
