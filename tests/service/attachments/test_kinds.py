"""Files are recognised by their content; an archive's claimed content type is read only as far
as a content type goes, so a small upload that inflates to gigabytes costs nothing."""

from __future__ import annotations

import io
import resource
import zipfile

from service.attachments.kinds import DOCX, ODS, ODT, PDF, detect


def _archive(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_office_documents_are_told_apart_by_their_content() -> None:
    assert detect(_archive({"mimetype": b"application/vnd.oasis.opendocument.text"})) is ODT
    assert (
        detect(_archive({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet\n"})) is ODS
    )
    assert detect(_archive({"word/document.xml": b"<w:document/>"})) is DOCX
    assert detect(b"%PDF-1.4\n%%EOF\n") is PDF
    assert detect(_archive({"mimetype": b"application/zip"})) is None
    assert detect(b"PK\x03\x04 not an archive") is None


def test_an_inflating_mimetype_entry_is_refused_without_being_inflated() -> None:
    # 200 MB of the content type followed by zeros, deflated to a few hundred kilobytes.
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    with archive, archive.open("mimetype", "w") as entry:  # written a megabyte at a time
        entry.write(b"application/vnd.oasis.opendocument.text")
        for _ in range(200):
            entry.write(bytes(1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    assert detect(bomb) is None
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 50 * 1024  # reading the whole entry would take 200 MB
