"""The GraphQL endpoint: Strawberry's ASGI view speaking GraphQL over HTTP, with Intake's context.

Both response media types are served. With `application/graphql-response+json` the status code
tells the outcome: 200 when the operation ran (even with field errors), 400 when the request was
refused before execution (syntax, validation, variables). With `application/json`, for clients
written before that media type existed, every well-formed request gets 200. A missing Accept
header, or one that only matches by wildcard, gets `application/json` (GraphQL over HTTP leaves
the choice to the server; the legacy type is what such clients expect).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, get_operation_ast, parse
from graphql import OperationType as GraphQLOperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.ides import GraphQL_IDE
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from service.accounts.actor import Actor
from service.api.auth import resolve_actor
from service.api.context import Context
from service.api.loaders import Loaders, create_loaders
from service.api.protection import INTERNAL_SERVER_ERROR, TIMEOUT
from service.api.schema import build_schema
from service.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, caller_language, parse_language
from service.ratelimit import api_limit, has_bearer, identity, seconds_to_wait, too_many_message
from service.runtime import Runtime
from service.settings import Settings

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_PREFLIGHT_HEADERS = ("graphql-preflight", "apollo-require-preflight")
JSON = "application/json"
_ALLOWED_OPERATIONS = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}
WEBSOCKET_SUBSCRIPTIONS_ONLY = (
    "Only subscriptions run over the WebSocket: send queries and mutations with POST to /graphql."
)


class ProtocolError(HTTPException):
    """A request refused before GraphQL sees it; answered as {"errors": [{"message": reason}]}."""

    def __init__(self, status_code: int, reason: str, headers: Mapping[str, str] | None = None):
        super().__init__(status_code, reason)
        self.headers = dict(headers or {})


def request_language(request: Request | WebSocket) -> str:
    """The language cookie, else the Accept-Language we speak that the caller prefers (by
    q-value), else Vietnamese."""
    return caller_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


def negotiate_media_type(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when it accepts neither of ours."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, int, str] | None = None
    for media_type in (GRAPHQL_RESPONSE_JSON, JSON):
        quality, specificity = _acceptance(accept, media_type)
        if quality <= 0:
            continue
        # Named explicitly, the newer type wins a tie; matched only by a wildcard, the legacy one.
        preferred = (media_type == GRAPHQL_RESPONSE_JSON) == (specificity == 2)
        candidate = (quality, specificity, int(preferred), media_type)
        if best is None or candidate > best:
            best = candidate
    return best[3] if best else None


def _acceptance(accept: str, media_type: str) -> tuple[float, int]:
    """(q, specificity) of the most specific range in `accept` matching `media_type`."""
    main_type = media_type.split("/")[0]
    found: tuple[int, float] | None = None
    for part in accept.split(","):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        name = name.lower()
        specificity = {media_type: 2, f"{main_type}/*": 1, "*/*": 0}.get(name)
        if specificity is None:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if found is None or specificity > found[0]:
            found = (specificity, quality)
    return (found[1], found[0]) if found else (0.0, -1)


def _error_body(message: str) -> bytes:
    return json.dumps({"errors": [{"message": message}]}, separators=(",", ":")).encode()


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = ProtocolError(413, f"The request body is larger than {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the already-read body, then defers to the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _decode_json(raw: str | bytes, what: str) -> object:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ProtocolError(400, f"{what} is not valid JSON.") from error
    if "\\u" in text:
        _refuse_surrogates(data, what)
    return data


def _refuse_surrogates(data: object, what: str) -> None:
    # JSON may escape half a surrogate pair ("\ud800"): no text, and no database stores it.
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        point = f"U+{ord(error.object[error.start]):04X}"
        message = f"{what} holds an unpaired surrogate ({point}), which is not text."
        raise ProtocolError(400, message) from error


def _get_parameters(query_params: Mapping[str, Any]) -> dict[str, object]:
    parameters: dict[str, object] = {
        "query": query_params.get("query"),
        "operationName": query_params.get("operationName"),
    }
    for name in ("variables", "extensions"):
        raw = query_params.get(name)
        if raw:
            parameters[name] = _decode_json(raw, f"`{name}`")
    return parameters


def _post_parameters(content_type: str | None, body: bytes) -> dict[str, object]:
    if not content_type:
        raise ProtocolError(415, "The request has no Content-Type: send application/json.")
    mime_type, parameters = parse_content_type(content_type)
    if mime_type.lower() != JSON:
        raise ProtocolError(
            415, f"Content-Type {mime_type} is not supported: send application/json."
        )
    if parameters.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        raise ProtocolError(415, "Send the request body in UTF-8.")
    if not body.strip():
        raise ProtocolError(400, "The request body is empty.")
    data = _decode_json(body, "The request body")
    if isinstance(data, list):
        raise ProtocolError(400, "Batched requests are not supported: send one operation each.")
    if not isinstance(data, dict):
        raise ProtocolError(400, "The request body must be a JSON object.")
    return data


def _request_data(parameters: Mapping[str, object]) -> GraphQLRequestData:
    query = parameters.get("query")
    if query is None or query == "":
        raise ProtocolError(400, "The request has no `query`.")
    if not isinstance(query, str):
        raise ProtocolError(400, "`query` must be a string.")
    variables = parameters.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise ProtocolError(400, "`variables` must be an object.")
    operation_name = parameters.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise ProtocolError(400, "`operationName` must be a string.")
    extensions = parameters.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise ProtocolError(400, "`extensions` must be an object.")
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation_name, extensions=extensions
    )


def _request_error(message: str) -> ExecutionResult:
    return PreExecutionError(data=None, errors=[GraphQLError(message)])


def _timed_out(seconds: float) -> ExecutionResult:
    message = f"The operation ran longer than {seconds:g} seconds and was stopped."
    return PreExecutionError(
        data=None, errors=[GraphQLError(message, extensions={"code": TIMEOUT})]
    )


def _is_request_error(result: ExecutionResult) -> bool:
    """Refused before execution began: syntax, validation, variables, unknown operation."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def _error_status(response_data: GraphQLHTTPResponse) -> int:
    codes = [
        error.get("extensions", {}).get("code")
        for error in response_data.get("errors") or ()
        if isinstance(error, dict)
    ]
    if INTERNAL_SERVER_ERROR in codes:
        return 500
    return 504 if TIMEOUT in codes else 400


class SubscriptionsOnlyWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws for subscriptions alone. Queries and mutations belong to POST, where
    the per-token rate limit and the operation timeout apply; over the WebSocket neither would."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        max_tokens = self.context.runtime.settings.graphql_max_tokens
        if _names_a_query_or_mutation(operation.query, operation.operation_name, max_tokens):
            await operation.send_initial_errors([GraphQLError(WEBSOCKET_SUBSCRIPTIONS_ONLY)])
            return
        await super().run_operation(operation)


def _names_a_query_or_mutation(query: object, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the document's chosen operation is a query or a mutation. A document that does not
    parse or choose one is left to Strawberry, which answers it as over POST."""
    if not isinstance(query, str):
        return False
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False
    chosen = get_operation_ast(document, operation_name)
    return chosen is not None and chosen.operation is not GraphQLOperationType.SUBSCRIPTION


class IntakeGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = SubscriptionsOnlyWSHandler

    def __init__(
        self,
        schema: BaseSchema,
        *,
        graphql_ide: GraphQL_IDE | None,
        max_body_bytes: int,
        max_upload_bytes: int,
        timeout_seconds: float,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=graphql_ide,
            allow_queries_via_get=True,
            multipart_uploads_enabled=True,
        )
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = negotiate_media_type(request.headers.get("accept"))
        try:
            if request.method == "POST":
                multipart = request.headers.get("content-type", "").startswith("multipart/")
                limit = self.max_upload_bytes if multipart else self.max_body_bytes
                body = await _read_body(request, limit)
                request = Request(scope, _replaying(body, receive))
            response = await self.run(request)
        except HTTPException as error:
            headers = error.headers if isinstance(error, ProtocolError) else {}
            response = Response(
                _error_body(error.reason),
                status_code=error.status_code,
                media_type=media_type or JSON,
                headers=headers,
            )
        finally:
            loaders: Loaders | None = getattr(request.state, "loaders", None)
            if loaders is not None:
                await loaders.close()  # a request refused after get_context leaves it open
            await request.close()  # a multipart request's uploads are spooled to temporary files
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        runtime = request.app.state.runtime
        loaders = create_loaders(runtime.db, shared=not isinstance(request, WebSocket))
        if not isinstance(request, WebSocket):
            # Closed by __call__ whatever happens after: the caller's token is read through
            # the operation's one read session, which then stays open for its loaders.
            request.state.loaders = loaders
        actor = await resolve_actor(request, runtime, loaders.session)
        if isinstance(request, Request) and request.method == "POST" and has_bearer(request.scope):
            await _check_api_limit(request, runtime, actor)
        return Context(
            request=request,
            runtime=runtime,
            language=parse_language(request_language(request)) or DEFAULT_LANGUAGE,
            actor=actor,
            loaders=loaders,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        # Browsers cannot set headers on a WebSocket: a token may come in connection_init.
        # Subscriptions check the caller again before each event (Context.check_caller).
        params = context.connection_params or {}
        if "authorization" in params or "Authorization" in params:
            context.actor = await context.current_caller()
        unset: UnsetType = UNSET
        return unset

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # Without the IDE, a browser's GET is an ordinary request that lacks a query.
        return self.graphql_ide is not None and super().should_render_graphql_ide(request)

    def parse_json(self, data: str | bytes) -> Any:
        # Strawberry's own JSON parsing: the multipart request's `operations` and `map` fields.
        return _decode_json(data, "A multipart field")

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if negotiate_media_type(request.headers.get("accept")) is None:
            raise ProtocolError(406, f"Accept {GRAPHQL_RESPONSE_JSON} or {JSON}.")
        if request.method == "GET":
            return _request_data(_get_parameters(request.query_params))
        mime_type, _ = parse_content_type(request.content_type or "")
        if mime_type.lower() == "multipart/form-data":
            # The GraphQL multipart request spec, for attachments. Browsers send multipart
            # cross-site without asking, so a header they would have to ask for is required.
            if not any(h in request.headers for h in _PREFLIGHT_HEADERS):
                raise ProtocolError(400, "Multipart requests need a GraphQL-Preflight: 1 header.")
            return _request_data(await self.parse_multipart(request))
        return _request_data(_post_parameters(request.content_type, await request.get_body()))

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        method = request_adapter.method
        try:
            # Cancelling a mutation rolls its transaction back; the outbox sweep covers the rest.
            async with asyncio.timeout(self.timeout_seconds):
                try:
                    result = await self.schema.execute(
                        request_data.query,
                        root_value=root_value,
                        variable_values=request_data.variables,
                        context_value=context,
                        operation_name=request_data.operation_name,
                        allowed_operation_types=_ALLOWED_OPERATIONS[method],
                        operation_extensions=request_data.extensions,
                    )
                finally:
                    await context.loaders.close()
        except TimeoutError:
            return _timed_out(self.timeout_seconds)
        except InvalidOperationTypeError as error:
            if method == "GET" and error.operation_type is OperationType.MUTATION:
                raise ProtocolError(
                    405, "Mutations are only accepted with POST.", {"Allow": "POST"}
                ) from error
            return _request_error(error.as_http_error_reason(method))
        except CannotGetOperationTypeError as error:
            return _request_error(error.as_http_error_reason())
        await context.record_contacts_viewed()
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response_data = process_result(result)
        if _is_request_error(result):
            # The GraphQL spec: an error raised before execution begins leaves no `data` entry.
            response_data.pop("data", None)
        return response_data

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate_media_type(request.headers.get("accept")) or JSON
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = sub_response.media_type or JSON
        status_code = 200
        if (
            media_type == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            status_code = _error_status(response_data)
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or status_code,
            media_type=media_type,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response


async def _check_api_limit(request: Request, runtime: Runtime, actor: Actor) -> None:
    """The API's limit for a request with a bearer value, counted now that its token is read:
    per token when the token is accepted, else per IP address (service/ratelimit.py)."""
    limit = api_limit(runtime.settings)
    caller = identity(request.scope, runtime.settings, actor)
    retry_after = await seconds_to_wait(runtime.queue, limit, caller)
    if retry_after is not None:
        message = too_many_message(request.scope, retry_after)
        raise ProtocolError(429, message, {"Retry-After": str(retry_after)})


def graphql_app(settings: Settings) -> IntakeGraphQL:
    introspection = settings.graphql_introspection_enabled
    return IntakeGraphQL(
        build_schema(settings),
        # GraphiQL needs introspection; where that is off, so is the IDE.
        graphql_ide="graphiql" if introspection else None,
        max_body_bytes=settings.graphql_max_body_bytes,
        max_upload_bytes=settings.graphql_max_body_bytes
        + settings.attachment_max_count * (settings.attachment_max_bytes + 4096),
        timeout_seconds=settings.graphql_timeout_seconds,
    )
