"""Evidence files through the GraphQL multipart request spec, checked by content."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx

from service.accounts.models import Role
from service.db import Database
from service.proposals.access import access_key
from service.proposals.repository import get_by_tracking_code
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute, operation

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PREFLIGHT = {"graphql-preflight": "1"}


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


async def _submit(
    client: httpx.AsyncClient,
    files: list[tuple[str, bytes]],
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> httpx.Response:
    variables = {"input": graphql_input(**fields) | {"attachments": [None] * len(files)}}
    return await client.post(
        "/graphql",
        data={
            "operations": json.dumps(
                {"query": operation("SubmitProposal"), "variables": variables}
            ),
            "map": json.dumps(
                {str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}
            ),
        },
        files={
            str(i): (name, data, "application/octet-stream") for i, (name, data) in enumerate(files)
        },
        headers=PREFLIGHT | (headers or {}),
    )


def _uploads(settings: Settings) -> list[Path]:
    directory = settings.data_dir / "uploads"
    return sorted(directory.iterdir()) if directory.exists() else []


async def test_files_are_kept_with_the_submission_and_served_only_to_those_allowed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    owner = await bearer(db, Role.REVIEWER, "BKHCN")
    outsider = await bearer(db, Role.REVIEWER, "BCA")
    await db.dispose()
    response = await _submit(
        client, [("hồ sơ.pdf", PDF), ("../../ảnh.png", PNG), ("góp ý.docx", _docx())]
    )
    result = response.json()["data"]["submitProposal"]
    assert result["__typename"] == "SubmitProposalSuccess"
    await run_worker(settings)

    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=owner)
    pid = inbox["proposals"]["edges"][0]["node"]["id"]
    query = (
        "query($id: ID!) { proposal(id: $id) { attachments { filename contentType size url } } }"
    )
    seen = await client.post(
        "/graphql", json={"query": query, "variables": {"id": pid}}, headers=owner
    )
    files = seen.json()["data"]["proposal"]["attachments"]
    assert [(f["filename"], f["contentType"], f["size"]) for f in files] == [
        ("hồ sơ.pdf", "application/pdf", len(PDF)),
        ("ảnh.png", "image/png", len(PNG)),
        (
            "góp ý.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            len(_docx()),
        ),
    ]
    download = await client.get(files[0]["url"], headers=owner)
    assert download.content == PDF
    assert download.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''h%E1%BB%93%20s%C6%A1.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(files[0]["url"], headers=outsider)).status_code == 404
    assert (await client.get(files[0]["url"])).status_code == 404  # anonymous, though published
    assert (await client.get("/attachments/999999", headers=owner)).status_code == 404
    assert len(_uploads(settings)) == 3


async def test_bad_files_are_refused_by_content_and_nothing_is_stored(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    disguised = await _submit(
        client, [("báo cáo.pdf", b"MZ\x90\x00 an executable"), ("empty.png", b"")]
    )
    assert disguised.json()["data"]["submitProposal"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {
                "field": "attachments.0",
                "code": "unsupported_type",
                "message": "Tệp báo cáo.pdf không thuộc các loại được chấp nhận: "
                "DOCX, JPEG, ODS, ODT, PDF, PNG, XLSX.",
            },
            {
                "field": "attachments.1",
                "code": "empty",
                "message": "Tệp empty.png không có nội dung.",
            },
        ],
    }
    too_many = await _submit(client, [("a.pdf", PDF)] * 6, {"accept-language": "en"})
    assert too_many.json()["data"]["submitProposal"]["errors"] == [
        {"field": "attachments", "code": "too_many", "message": "Attach at most 5 files."}
    ]
    no_preflight = await client.post(
        "/graphql",
        data={"operations": json.dumps({"query": "{ me { kind } }"}), "map": "{}"},
        files={"x": ("a.pdf", PDF, "application/pdf")},
    )
    assert no_preflight.status_code == 400
    assert no_preflight.json() == {
        "errors": [{"message": "Multipart requests need a GraphQL-Preflight: 1 header."}]
    }
    assert _uploads(settings) == []
    assert (await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 5}))["proposals"][
        "totalCount"
    ] == 0


async def test_published_answer_files_are_public_and_the_submitter_reads_their_own(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    owner = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    submitted = await _submit(client, [("đề xuất.pdf", PDF)])
    code = submitted.json()["data"]["submitProposal"]["trackingCode"]
    await run_worker(settings)
    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=owner)
    pid = inbox["proposals"]["edges"][0]["node"]["id"]
    variables = {
        "input": {"id": pid, "text": "Trả lời kèm tệp.", "publish": True, "attachments": [None]}
    }
    answered = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": operation("Respond"), "variables": variables}),
            "map": json.dumps({"0": ["variables.input.attachments.0"]}),
        },
        files={"0": ("trả lời.png", PNG, "image/png")},
        headers=PREFLIGHT | owner,
    )
    assert answered.json()["data"]["respond"]["__typename"] == "WorkflowSuccess"

    query = "query($id: ID!) { proposal(id: $id) { attachments { filename forResponse url } } }"
    public = await client.post("/graphql", json={"query": query, "variables": {"id": pid}})
    [answer_file] = public.json()["data"]["proposal"]["attachments"]
    assert (answer_file["filename"], answer_file["forResponse"]) == ("trả lời.png", True)
    assert (await client.get(answer_file["url"])).content == PNG

    own = await client.post(
        "/graphql", json={"query": query, "variables": {"id": pid}}, headers=owner
    )
    evidence = own.json()["data"]["proposal"]["attachments"][0]
    assert (await client.get(evidence["url"])).status_code == 404
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        proposal = await get_by_tracking_code(session, code)
    await db.dispose()
    assert proposal is not None
    key = access_key(settings, proposal)
    mine = await client.get(evidence["url"], params={"code": code, "key": key})
    assert mine.content == PDF


async def test_an_empty_answer_and_its_bad_file_are_refused_at_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """The file's problem used to wait until the text was fixed: `text required` came alone."""
    db = Database(settings.resolved_database_url)
    owner = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    submitted = await _submit(client, [("đề xuất.pdf", PDF)])
    assert submitted.json()["data"]["submitProposal"]["__typename"] == "SubmitProposalSuccess"
    await run_worker(settings)
    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=owner)
    pid = inbox["proposals"]["edges"][0]["node"]["id"]
    variables = {"input": {"id": pid, "text": "", "publish": True, "attachments": [None]}}
    answered = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": operation("Respond"), "variables": variables}),
            "map": json.dumps({"0": ["variables.input.attachments.0"]}),
        },
        files={"0": ("notes.txt", b"plain text, not an accepted kind", "text/plain")},
        headers=PREFLIGHT | owner | {"accept-language": "en"},
    )
    assert answered.json()["data"]["respond"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {"field": "text", "code": "required", "message": "This field is required."},
            {
                "field": "attachments.0",
                "code": "unsupported_type",
                "message": "The file notes.txt is not one of the accepted kinds: "
                "DOCX, JPEG, ODS, ODT, PDF, PNG, XLSX.",
            },
        ],
    }
    assert len(_uploads(settings)) == 1  # the submission's own file
    after = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=owner)
    assert after["proposals"]["edges"][0]["node"]["status"] == "ROUTED"
