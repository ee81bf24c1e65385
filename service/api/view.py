"""The GraphQL endpoint: Strawberry's ASGI view with Intake's context."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from service.api.auth import resolve_actor
from service.api.context import Context
from service.api.loaders import create_loaders
from service.api.schema import schema
from service.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, parse_language


def request_language(request: Request | WebSocket) -> str:
    """The language cookie, else the first Accept-Language we speak, else Vietnamese."""
    chosen = parse_language(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        language = parse_language(part.split(";")[0])
        if language:
            return language
    return DEFAULT_LANGUAGE


class IntakeGraphQL(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        runtime = request.app.state.runtime
        return Context(
            request=request,
            runtime=runtime,
            language=parse_language(request_language(request)) or DEFAULT_LANGUAGE,
            actor=await resolve_actor(request, runtime),
            loaders=create_loaders(runtime.db),
        )


def graphql_app() -> IntakeGraphQL:
    return IntakeGraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)
