"""Files from GraphQL multipart requests, read into what the services check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from service.attachments.service import IncomingFile


async def read_uploads(uploads: Sequence[Upload] | None) -> list[IncomingFile]:
    files = []
    for upload in uploads or ():
        file = cast(UploadFile, upload)  # what Strawberry hands over on Starlette
        try:
            files.append(IncomingFile(filename=file.filename or "file", data=await file.read()))
        finally:
            await file.close()
    return files
