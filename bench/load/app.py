"""The application the load benchmark serves: Intake's own, plus one bare Starlette endpoint.

POST /bench/submit takes the submission as JSON and calls the same service function as the
submitProposal mutation, with no GraphQL in between; it exists only here, never in production.

    python -m bench.load.app --host 127.0.0.1 --port 8000     (settings from INTAKE_*)
"""

from __future__ import annotations

import argparse
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.app import create_app
from service.cli import serve
from service.errors import ValidationFailed
from service.logs import configure_logging
from service.outbox.service import unit_of_work
from service.proposals import service
from service.proposals.validation import SubmissionInput
from service.settings import Settings


async def bare_submit(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    body: dict[str, Any] = await request.json()
    data = SubmissionInput(
        kind=body["kind"],
        title=body["title"],
        description=body["description"],
        category=body["categoryCode"],
        province=body.get("provinceCode") or "",
        legal_references="",
        submitter_type=body["submitterType"],
        name=body["name"],
        email=body.get("email") or "",
        phone="",
        organisation="",
        consent_to_publish=bool(body.get("consentToPublish")),
        language="",
    )
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            proposal = await service.submit_proposal(session, data, runtime.settings, "vi", [])
    except ValidationFailed as failure:
        errors = [{"field": e.field, "code": e.code, "message": e.message} for e in failure.errors]
        return JSONResponse({"errors": errors}, status_code=422)
    return JSONResponse(
        {
            "trackingCode": proposal.tracking_code,
            "status": proposal.status.value,
            "createdAt": proposal.created_at.isoformat(),
        }
    )


def create_bench_app(settings: Settings | None = None) -> Starlette:
    app = create_app(settings)
    app.router.routes.insert(0, Route("/bench/submit", bare_submit, methods=["POST"]))
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings)
    serve(settings, args.host, args.port, create_bench_app)  # as `intake serve` runs


if __name__ == "__main__":
    main()
