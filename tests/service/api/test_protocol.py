"""GraphQL over HTTP and the endpoint's protection, over HTTP against the whole application."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from strawberry.extensions import AddValidationRules

from service.accounts import service as accounts
from service.accounts.models import Role
from service.api.schema import build_schema
from service.api.view import negotiate_media_type
from service.app import create_app
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.graphql_client import operation

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """The protocol does not depend on the database: SQLite only, unlike the shared fixture."""
    path = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@asynccontextmanager
async def serving(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the application built with `overrides` applied to the test settings."""
    application = create_app(settings.model_copy(update=overrides))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            yield http


async def post(
    client: httpx.AsyncClient, query: str, accept: str = GRAPHQL_RESPONSE, **body: Any
) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, **body}, headers={"accept": accept})


def only_message(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    message: str = error["message"]
    return message


# Limits


async def test_depth_beyond_the_limit_is_refused(settings: Settings) -> None:
    deep = 'query Deep { trackProposal(trackingCode: "X") { events { agency { code } } } }'
    async with serving(settings, graphql_max_depth=2) as client:
        refused = await post(client, deep)
        allowed = await post(
            client, 'query { trackProposal(trackingCode: "X") { agency { code } } }'
        )
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": [
            {
                "message": "'Deep' exceeds maximum operation depth of 2",
                "locations": [{"line": 1, "column": 67}],
            }
        ]
    }
    assert allowed.status_code == 200
    assert allowed.json() == {"data": {"trackProposal": None}}


async def test_more_aliases_than_the_limit_are_refused(client: httpx.AsyncClient) -> None:
    fifteen = " ".join(f"a{n}: __typename" for n in range(15))
    allowed = await post(client, f"{{ {fifteen} }}")
    refused = await post(client, f"{{ {fifteen} extra: __typename }}")
    assert allowed.status_code == 200
    assert len(allowed.json()["data"]) == 15
    assert refused.status_code == 400
    assert refused.json() == {"errors": [{"message": "16 aliases found. Allowed: 15"}]}


async def test_more_tokens_than_the_limit_are_refused(client: httpx.AsyncClient) -> None:
    refused = await post(client, "{ " + "__typename " * 1999 + "}")  # 2001 tokens with braces
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": [
            {
                "message": "Syntax Error: Document contains more than 2000 tokens. "
                "Parsing aborted.",
                "locations": [{"line": 1, "column": 21992}],
            }
        ]
    }


async def test_limits_come_from_settings(settings: Settings) -> None:
    async with serving(settings, graphql_max_aliases=1, graphql_max_tokens=10) as client:
        one_alias = await post(client, "{ a: __typename __typename }")
        aliases = await post(client, "{ a: __typename b: __typename }")
        ten_tokens = await post(client, "{ " + "__typename " * 8 + "}")
        tokens = await post(client, "{ " + "__typename " * 9 + "}")
    assert one_alias.json() == {"data": {"a": "Query", "__typename": "Query"}}
    assert only_message(aliases) == "2 aliases found. Allowed: 1"
    assert ten_tokens.json() == {"data": {"__typename": "Query"}}
    assert only_message(tokens) == (
        "Syntax Error: Document contains more than 10 tokens. Parsing aborted."
    )


def test_each_request_gets_its_own_extensions_with_the_same_cached_rules(
    settings: Settings,
) -> None:
    schema = build_schema(settings)
    first, second = schema.get_extensions(), schema.get_extensions()
    assert not set(map(id, first)) & set(map(id, second))
    # The validation cache is keyed by the rule classes: they must not change per request.
    rules = [
        [e.validation_rules for e in extensions if isinstance(e, AddValidationRules)]
        for extensions in (first, second)
    ]
    assert rules[0] == rules[1]
    assert len(rules[0]) == 1


# Introspection and suggestions


def test_introspection_defaults_to_off_in_production_only() -> None:
    assert Settings(environment="development").graphql_introspection_enabled is True
    assert Settings(environment="test").graphql_introspection_enabled is True
    assert (
        Settings(environment="production", secret_key="s" * 32).graphql_introspection_enabled
        is False
    )
    forced_on = Settings(environment="production", secret_key="s" * 32, graphql_introspection=True)
    assert forced_on.graphql_introspection_enabled is True
    assert Settings(graphql_introspection=False).graphql_introspection_enabled is False


async def test_introspection_is_refused_when_switched_off(settings: Settings) -> None:
    async with serving(settings, graphql_introspection=False) as client:
        schema = await post(client, "{ __schema { __typename } }")
        type_ = await post(client, '{ __type(name: "Proposal") { name } }')
        typename = await post(client, "{ __typename }")
    assert schema.status_code == 400
    assert schema.json() == {
        "errors": [
            {
                "message": "GraphQL introspection has been disabled, but the requested query "
                "contained the field '__schema'.",
                "locations": [{"line": 1, "column": 3}],
            }
        ]
    }
    assert only_message(type_) == (
        "GraphQL introspection has been disabled, but the requested query contained the field "
        "'__type'."
    )
    assert typename.json() == {"data": {"__typename": "Query"}}


async def test_no_suggestions_when_introspection_is_off(settings: Settings) -> None:
    submit = operation("SubmitProposal")
    async with serving(settings, graphql_introspection=False) as client:
        field = await post(client, "{ provincez { code } }")
        argument = await post(client, '{ search(querry: "x", query: "x") { total } }')
        enum = await post(client, submit, variables={"input": graphql_input(kind="PROPOSALS")})
    assert only_message(field) == "Cannot query field 'provincez' on type 'Query'."
    assert only_message(argument) == "Unknown argument 'querry' on field 'Query.search'."
    assert enum.status_code == 400
    assert only_message(enum) == (
        "Variable '$input' has invalid value at .kind: "
        "Value 'PROPOSALS' does not exist in 'ProposalKind' enum."
    )


async def test_introspection_and_suggestions_when_switched_on(client: httpx.AsyncClient) -> None:
    schema = await post(client, "{ __schema { queryType { name } } }")
    field = await post(client, "{ provincez { code } }")
    argument = await post(client, '{ search(querry: "x", query: "x") { total } }')
    enum = await post(
        client, operation("SubmitProposal"), variables={"input": graphql_input(kind="PROPOSALS")}
    )
    assert schema.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert only_message(field) == (
        "Cannot query field 'provincez' on type 'Query'. Did you mean 'provinces'?"
    )
    assert only_message(argument) == (
        "Unknown argument 'querry' on field 'Query.search'. Did you mean 'query'?"
    )
    assert only_message(enum).endswith("Did you mean the enum value 'PROPOSAL'?")


async def test_graphiql_is_served_only_with_introspection(settings: Settings) -> None:
    async with serving(settings, graphql_introspection=False) as client:
        response = await client.get("/graphql", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "The request has no `query`."}]}


# Request ids


async def test_request_id_is_generated_or_kept_when_sane(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    kept = await client.get("/healthz", headers={"x-request-id": "support-1234-abcd"})
    replaced = await client.get("/healthz", headers={"x-request-id": "bad id\nforged log"})
    too_short = await client.get("/healthz", headers={"x-request-id": "abc"})
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    assert kept.headers["x-request-id"] == "support-1234-abcd"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", too_short.headers["x-request-id"])
    assert generated.headers["x-request-id"] != replaced.headers["x-request-id"]


async def test_masked_error_carries_the_callers_request_id(
    app: Starlette, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await app.state.runtime.search.close()
    response = await client.post(
        "/graphql",
        json={"query": '{ search(query: "x") { total } }'},
        headers={"accept": GRAPHQL_RESPONSE, "x-request-id": "desk-ticket-0042"},
    )
    # A field error: the operation ran, so 200 even with application/graphql-response+json.
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "desk-ticket-0042"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "desk-ticket-0042"}
    [record] = [r for r in caplog.records if r.name == "intake.graphql"]
    assert record.__dict__["request_id"] == "desk-ticket-0042"
    assert record.levelname == "ERROR"


async def test_callers_mistakes_are_not_logged_as_errors(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await post(client, "{ provincez }")
    await post(client, "{")
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


# Media types and status codes


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (BROWSER_ACCEPT, JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE}, */*", GRAPHQL_RESPONSE),
        (f"{JSON};charset=utf-8", JSON),
        ("text/html", None),
        (f"{GRAPHQL_RESPONSE};q=0", None),
    ],
)
def test_media_type_negotiation(accept: str | None, expected: str | None) -> None:
    assert negotiate_media_type(accept) == expected


PARSE_ERROR = {
    "errors": [
        {"message": "Syntax Error: Expected Name, found <EOF>.", "locations": [{"line": 1,
                                                                                "column": 2}]}
    ]
}  # fmt: skip
VALIDATION_ERROR = {
    "errors": [
        {"message": "Cannot query field 'xyzzy' on type 'Query'.",
         "locations": [{"line": 1, "column": 3}]}
    ]
}  # fmt: skip
COERCION_ERROR = {
    "errors": [
        {"message": "Variable '$q' has invalid value: "
                    "Expected a value of non-null type 'String!' to be provided.",
         "locations": [{"line": 1, "column": 7}]}
    ]
}  # fmt: skip
CASES = [
    ("{", {}, PARSE_ERROR),
    ("{ xyzzy }", {}, VALIDATION_ERROR),
    ("query($q: String!) { search(query: $q) { total } }", {"variables": {}}, COERCION_ERROR),
    ("query A { a: __typename } query B { b: __typename }", {"operationName": "C"},
     {"errors": [{"message": 'Unknown operation named "C".'}]}),
]  # fmt: skip


@pytest.mark.parametrize(("query", "extra", "expected"), CASES)
async def test_request_errors_are_400_with_graphql_response_json(
    client: httpx.AsyncClient, query: str, extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = await post(client, query, GRAPHQL_RESPONSE, **extra)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == expected  # no `data` entry: execution never began


@pytest.mark.parametrize(("query", "extra", "expected"), CASES)
async def test_request_errors_are_200_with_json(
    client: httpx.AsyncClient, query: str, extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = await post(client, query, JSON, **extra)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert response.json() == expected


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON, None])
async def test_success_is_200_in_the_negotiated_media_type(
    client: httpx.AsyncClient, accept: str | None
) -> None:
    headers = {"accept": accept} if accept else {}
    response = await client.post(
        "/graphql",
        json={"query": "query A { a: __typename } query B { b: __typename }",
              "operationName": "B", "variables": None, "extensions": None},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"] == (accept or JSON)
    assert response.json() == {"data": {"b": "Query"}}


async def test_unacceptable_accept_is_406(client: httpx.AsyncClient) -> None:
    response = await post(client, "{ __typename }", "text/plain")
    assert response.status_code == 406
    assert response.headers["content-type"] == JSON
    assert response.json() == {
        "errors": [{"message": "Accept application/graphql-response+json or application/json."}]
    }


# GET


async def test_get_runs_queries_with_json_variables(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "query($c: String!) { trackProposal(trackingCode: $c) { title } }",
                "variables": '{"c": "NOPE"}'},
        headers={"accept": GRAPHQL_RESPONSE},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"trackProposal": None}}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_get_refuses_mutations_with_405(client: httpx.AsyncClient, accept: str) -> None:
    response = await client.get(
        "/graphql",
        params={"query": operation("SubmitProposal"), "variables": "{}"},
        headers={"accept": accept},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == accept
    assert response.json() == {"errors": [{"message": "Mutations are only accepted with POST."}]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "The request has no `query`."),
        ({"query": "{ __typename }", "variables": "{"}, "`variables` is not valid JSON."),
        ({"query": "{ __typename }", "variables": "[1]"}, "`variables` must be an object."),
        ({"query": "{ __typename }", "extensions": "{"}, "`extensions` is not valid JSON."),
    ],
)
async def test_malformed_get_is_400(
    client: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": JSON})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message}]}


# Malformed POST


@pytest.mark.parametrize(
    ("content", "content_type", "status", "message"),
    [
        (b"{", JSON, 400, "The request body is not valid JSON."),
        (b"\xff\xfe{}", JSON, 400, "The request body is not valid JSON."),
        (b"[" * 100_000 + b"]" * 100_000, JSON, 400, "The request body is not valid JSON."),
        (b"", JSON, 400, "The request body is empty."),
        (b'{"query": "{ __typename }"}', None, 415,
         "The request has no Content-Type: send application/json."),
        (b"{ __typename }", "text/plain", 415,
         "Content-Type text/plain is not supported: send application/json."),
        (b'{"query": "{ __typename }"}', "application/json; charset=latin-1", 415,
         "Send the request body in UTF-8."),
        (b'[{"query": "{ __typename }"}]', JSON, 400,
         "Batched requests are not supported: send one operation each."),
        (b'"{ __typename }"', JSON, 400, "The request body must be a JSON object."),
        (b'{"query": "{ __typename }", "variables": {"a": "x\\ud800"}}', JSON, 400,
         "The request body holds an unpaired surrogate (U+D800), which is not text."),
        (b"{}", JSON, 400, "The request has no `query`."),
        (b'{"query": ""}', JSON, 400, "The request has no `query`."),
        (b'{"query": {"a": 1}}', JSON, 400, "`query` must be a string."),
        (b'{"query": "{ __typename }", "variables": "x"}', JSON, 400,
         "`variables` must be an object."),
        (b'{"query": "{ __typename }", "operationName": 1}', JSON, 400,
         "`operationName` must be a string."),
        (b'{"query": "{ __typename }", "extensions": []}', JSON, 400,
         "`extensions` must be an object."),
    ],
)  # fmt: skip
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_malformed_post_is_4xx_naming_the_problem(
    client: httpx.AsyncClient,
    content: bytes,
    content_type: str | None,
    status: int,
    message: str,
    accept: str,
) -> None:
    headers = {"accept": accept} | ({"content-type": content_type} if content_type else {})
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == accept
    assert response.json() == {"errors": [{"message": message}]}


async def test_body_larger_than_the_limit_is_413(settings: Settings) -> None:
    padding = " " * 2_000
    body = f'{{"query": "{{ __typename }}"{padding}}}'.encode()

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while reading
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    headers = {"content-type": JSON, "accept": JSON}
    async with serving(settings, graphql_max_body_bytes=1_024) as client:
        declared = await client.post("/graphql", content=body, headers=headers)
        streamed = await client.post("/graphql", content=chunks(), headers=headers)
        small = await client.post("/graphql", content=body.replace(b" ", b""), headers=headers)
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {
            "errors": [{"message": "The request body is larger than 1024 bytes."}]
        }
    assert small.json() == {"data": {"__typename": "Query"}}


# The request's read session


async def test_a_token_and_the_operation_share_one_read_session_closed_on_every_path(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    runtime = app.state.runtime
    reviewer = await bearer(runtime.db, Role.REVIEWER, "BKHCN", "reviewer")
    admin = await bearer(runtime.db, Role.ADMIN, None, "admin")
    begun: list[str] = []

    def count_begin(connection: Any) -> None:
        begun.append("BEGIN")

    sa.event.listen(runtime.db.read_engine.sync_engine, "begin", count_begin)
    headers = {**reviewer, "accept": GRAPHQL_RESPONSE}
    me = await client.post(
        "/graphql", json={"query": "{ me { role agency { code } } }"}, headers=headers
    )
    assert me.status_code == 200
    assert me.json() == {"data": {"me": {"role": "REVIEWER", "agency": {"code": "BKHCN"}}}}
    # The token's read and the operation's reads are one transaction on the read engine.
    assert begun == ["BEGIN"]
    for token, code in ((reviewer, "BKHCN"), (admin, "")):
        async with runtime.db.session() as session:
            found = await accounts.actor_for_token(session, token["authorization"][7:])
        assert found is not None
        assert found[0].agency_code == code  # read with the token, in one statement

    # Refused after the token was read (a body that is not JSON; no query): the session the
    # token was read in is closed all the same, so no connection is left checked out.
    for content in (b"{not json", b"{}"):
        refused = await client.post(
            "/graphql", content=content, headers={**headers, "content-type": JSON}
        )
        assert refused.status_code == 400
    pool = runtime.db.read_engine.sync_engine.pool
    assert pool.checkedout() == 0
