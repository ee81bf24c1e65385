"""Checking, storing and handing out attachments, with the same limits at every door."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.actor import Actor, ActorKind
from service.attachments import repository
from service.attachments.kinds import KINDS, FileKind, detect
from service.attachments.models import Attachment
from service.errors import FieldError, ValidationFailed
from service.i18n import Language, translations
from service.proposals import repository as proposals
from service.settings import Settings
from service.workflow import repository as workflow


@dataclass(frozen=True, slots=True)
class IncomingFile:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    data: bytes
    kind: FileKind


def _safe_name(filename: str, kind: FileKind) -> str:
    """A display name without paths or control characters, ending in the real extension."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip(" .") or "file"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem[:150] + kind.extension


def check_files(
    files: list[IncomingFile], settings: Settings, language: Language, field: str = "attachments"
) -> list[CheckedFile]:
    """Every file checked by content against the limits; raises ValidationFailed naming each."""
    _ = translations(language).gettext
    if len(files) > settings.attachment_max_count:
        message = _("Attach at most %(count)s files.") % {"count": settings.attachment_max_count}
        raise ValidationFailed([FieldError(field, "too_many", message)])
    allowed = {KINDS[code] for code in settings.attachment_types if code in KINDS}
    checked, errors = [], []
    for index, incoming in enumerate(files):
        name = f"{field}.{index}"
        if not incoming.data:
            errors.append(
                FieldError(
                    name, "empty", _("The file %(name)s is empty.") % {"name": incoming.filename}
                )
            )
            continue
        if len(incoming.data) > settings.attachment_max_bytes:
            limit = f"{settings.attachment_max_bytes / 1_048_576:.0f} MB"
            message = _("The file %(name)s is larger than %(limit)s.") % {
                "name": incoming.filename,
                "limit": limit,
            }
            errors.append(FieldError(name, "too_large", message))
            continue
        kind = detect(incoming.data)
        if kind is None or kind not in allowed:
            accepted = ", ".join(sorted(k.code.upper() for k in allowed))
            message = _("The file %(name)s is not one of the accepted kinds: %(kinds)s.") % {
                "name": incoming.filename,
                "kinds": accepted,
            }
            errors.append(FieldError(name, "unsupported_type", message))
            continue
        checked.append(CheckedFile(_safe_name(incoming.filename, kind), incoming.data, kind))
    if errors:
        raise ValidationFailed(errors)
    return checked


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


async def store(
    session: AsyncSession,
    settings: Settings,
    files: list[CheckedFile],
    *,
    proposal_id: int,
    uploaded_by: str,
    response_id: int | None = None,
) -> list[Attachment]:
    """Write the files, then their rows in the caller's transaction.

    A file written for a transaction that then rolls back is left behind unreferenced; it is
    never served, and costs only disk. The reverse (a row without its file) cannot happen.
    """
    directory = uploads_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    stored = []
    for file in files:
        key = secrets.token_hex(16)
        partial = directory / f".{key}.partial"
        partial.write_bytes(file.data)
        partial.replace(directory / key)
        attachment = Attachment(
            proposal_id=proposal_id,
            response_id=response_id,
            filename=file.filename,
            content_type=file.kind.content_type,
            size=len(file.data),
            sha256=hashlib.sha256(file.data).hexdigest(),
            storage_key=key,
            uploaded_by=uploaded_by,
        )
        repository.add(session, attachment)
        stored.append(attachment)
    await session.flush()
    return stored


def content(settings: Settings, attachment: Attachment) -> bytes:
    return (uploads_dir(settings) / attachment.storage_key).read_bytes()


async def get(session: AsyncSession, attachment_id: int) -> Attachment | None:
    return await repository.get(session, attachment_id)


async def _answer_of_the_lead(session: AsyncSession, actor: Actor, attachment: Attachment) -> bool:
    """A file of an answer to the submission the submitter's own was merged into: theirs to read
    as the answer is (their private page lists it)."""
    if actor.kind is not ActorKind.SUBMITTER or actor.proposal_id is None:
        return False
    if attachment.response_id is None:
        return False  # the lead's submitter's evidence stays theirs
    own = await proposals.get(session, actor.proposal_id)
    return own is not None and own.merged_into_id == attachment.proposal_id


async def readable(session: AsyncSession, actor: Actor, attachment_id: int) -> Attachment | None:
    """The attachment if the actor may download it; None alike for missing and forbidden."""
    attachment = await repository.get(session, attachment_id)
    if attachment is None:
        return None
    if await _answer_of_the_lead(session, actor, attachment):
        return attachment
    proposal = await proposals.get_visible(session, actor.scope, attachment.proposal_id)
    if proposal is None:
        return None
    if actor.is_secretariat or (
        actor.kind is ActorKind.SUBMITTER and actor.proposal_id == proposal.id
    ):
        return attachment
    assigned = await proposals.assigned_agency_ids(session, attachment.proposal_id)
    if actor.is_agency_official and actor.agency_id in assigned:
        return attachment
    if attachment.response_id is not None and proposal.published:
        response = await workflow.get_response(session, attachment.response_id)
        if response is not None and response.published:
            return attachment
    return None
