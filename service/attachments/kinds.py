"""Recognising a file by its content, never by its name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileKind:
    code: str
    content_type: str
    extension: str


PDF = FileKind("pdf", "application/pdf", ".pdf")
PNG = FileKind("png", "image/png", ".png")
JPEG = FileKind("jpeg", "image/jpeg", ".jpg")
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", ".odt")
ODS = FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods")
KINDS = {kind.code: kind for kind in (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS)}
_OPEN_DOCUMENT = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}
_MIMETYPE_MOST = 100  # bytes; OpenDocument's content types are under 50


def detect(data: bytes) -> FileKind | None:
    """The kind the bytes really are, or None for anything we do not accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    return None


def _office(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names:
                # Read only as much as a content type takes: the entry's declared size can lie,
                # and a small upload can inflate to gigabytes (a zip bomb).
                with archive.open("mimetype") as entry:
                    head = entry.read(_MIMETYPE_MOST + 1)
                if len(head) > _MIMETYPE_MOST:
                    return None
                return _OPEN_DOCUMENT.get(head.strip())
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None
