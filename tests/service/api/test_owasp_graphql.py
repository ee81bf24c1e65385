"""The OWASP GraphQL Cheat Sheet's controls, each proven by a test (docs/api.md has the table).

Input validation: typed inputs and enums, domain validation naming the field, nothing partial
    stored. test_graphql.py::test_validation_errors_name_fields_in_the_callers_language,
    ::test_an_unknown_enum_value_is_a_graphql_error_naming_the_field,
    test_odd_text_in_secrets_and_variables_is_refused_not_crashed; test_fuzz.py;
    tests/web/test_fuzz_forms.py.
Depth limiting (INTAKE_GRAPHQL_MAX_DEPTH):
    test_protocol.py::test_depth_beyond_the_limit_is_refused.
Amount limiting, aliases (INTAKE_GRAPHQL_MAX_ALIASES):
    test_protocol.py::test_more_aliases_than_the_limit_are_refused.
Amount limiting, document and body size (INTAKE_GRAPHQL_MAX_TOKENS, _MAX_BODY_BYTES):
    test_protocol.py::test_more_tokens_than_the_limit_are_refused,
    ::test_body_larger_than_the_limit_is_413.
Amount limiting, page sizes (INTAKE_GRAPHQL_MAX_PAGE_SIZE, INTAKE_SEARCH_MAX_PAGE_SIZE):
    test_search_api.py and test_graphql.py.
Query cost analysis (service/api/cost.py, INTAKE_GRAPHQL_MAX_COST):
    test_an_operation_costing_more_than_the_limit_is_refused,
    test_our_own_operations_cost_well_below_the_default_limit.
Timeouts (INTAKE_GRAPHQL_TIMEOUT_SECONDS): test_an_operation_running_past_the_timeout_is_stopped.
Batching, arrays over HTTP: test_array_batches_are_refused; test_protocol.py (malformed POST).
Batching, aliases of secret checks and submissions (trackProposal, submitProposal once each):
    test_secret_checks_and_submissions_may_not_be_alias_batched.
Rate limits per IP and per token, Redis, 429 with Retry-After: test_ratelimit.py;
    test_api_submissions_share_the_forms_per_ip_budget,
    test_api_submissions_it_refuses_do_not_spend_the_accepted_budget,
    test_api_submissions_refused_past_a_budget_five_times_larger_are_limited,
    test_concurrent_api_submissions_never_pass_the_accepted_budget.
Introspection and GraphiQL off in production:
    test_production_refuses_introspection_graphiql_and_suggestions;
    test_protocol.py::test_introspection_is_refused_when_switched_off,
    ::test_graphiql_is_served_only_with_introspection.
Field suggestions off in production (every "Did you mean", not only fields):
    test_production_refuses_introspection_graphiql_and_suggestions;
    test_protocol.py::test_no_suggestions_when_introspection_is_off.
Error masking without stack traces: test_graphql.py::test_unexpected_errors_are_masked;
    test_protocol.py::test_masked_error_carries_the_callers_request_id; test_fuzz.py.
CSRF over GET and form posts (GET runs queries only; POST needs application/json; multipart
    needs GraphQL-Preflight): test_csrf_simple_requests_cannot_reach_the_api;
    test_protocol.py::test_get_refuses_mutations_with_405; test_attachments.py.
Authorisation on every field (permission_classes, agency scope in every repository query):
    test_permissions.py::test_another_agency_learns_nothing_through_any_query_or_mutation;
    test_fuzz.py (generated operations as agency A never show agency B's markers).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from graphql.utilities import TypeInfo
from graphql.validation import ValidationContext
from sqlmodel import func, select

from service.api.cost import selection_cost
from service.api.schema import schema
from service.app import create_app
from service.db import Database
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import form_data, graphql_input
from tests.graphql_client import OPERATIONS_DIR, operation
from tests.web_client import post_form

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """These controls do not depend on the database: SQLite only."""
    path = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@asynccontextmanager
async def serving(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings.model_copy(update=overrides))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            yield http


async def post(client: httpx.AsyncClient, query: str, **body: Any) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, **body}, headers={"accept": GRAPHQL_RESPONSE}
    )


def messages(response: httpx.Response) -> list[str]:
    return [error["message"] for error in response.json()["errors"]]


# Input validation


async def test_odd_text_in_secrets_and_variables_is_refused_not_crashed(
    client: httpx.AsyncClient,
) -> None:
    submitted = await post(
        client, operation("SubmitProposal"), variables={"input": graphql_input()}
    )
    code = submitted.json()["data"]["submitProposal"]["trackingCode"]
    withdraw = (
        "mutation($code: String!, $key: String!) { withdraw(input: "
        '{trackingCode: $code, accessKey: $key, reason: "x"}) { __typename } }'
    )
    # compare_digest refuses non-ASCII str: the key is compared as bytes.
    non_ascii = await post(client, withdraw, variables={"code": code, "key": "khóa-bí-mật"})
    surrogate = await client.post(
        "/graphql",
        content=b'{"query": "query($a: String) { stats(agency: $a) { received } }", '
        b'"variables": {"a": "x\\ud800"}}',
        headers={"content-type": JSON, "accept": GRAPHQL_RESPONSE},
    )
    multipart = await client.post(
        "/graphql",
        data={"operations": '{"query": "{ stats(agency: \\"x\\ud800\\") { received } }"}'},
        files={"0": ("a.pdf", b"%PDF-1.4\n")},
        headers={"graphql-preflight": "1", "accept": GRAPHQL_RESPONSE},
    )
    assert non_ascii.json() == {"data": {"withdraw": {"__typename": "NotFoundError"}}}
    assert surrogate.status_code == 400
    assert messages(surrogate) == [
        "The request body holds an unpaired surrogate (U+D800), which is not text."
    ]
    assert multipart.status_code == 400
    assert messages(multipart) == [
        "A multipart field holds an unpaired surrogate (U+D800), which is not text."
    ]


# Query cost


async def test_an_operation_costing_more_than_the_limit_is_refused(settings: Settings) -> None:
    page = "proposals(first: 10) { edges { node { id title status } } }"
    async with serving(settings, graphql_max_cost=100) as client:
        # 1 + 10 x (edges 1 + node 1 + 3 fields) = 51 each.
        one = await post(client, f"query One {{ {page} }}")
        two = await post(client, f"query Two {{ a: {page} b: {page} }}")
        variable = await post(
            client,
            "query($n: Int!) { proposals(first: $n) { totalCount } }",
            variables={"n": 1},
        )
    assert one.json() == {"data": {"proposals": {"edges": []}}}
    assert two.status_code == 400
    assert messages(two) == [
        "'Two' would resolve about 102 fields; the most allowed is 100. "
        "Ask for fewer fields or smaller pages."
    ]
    # A page size from a variable counts as the largest allowed: validation precedes variables.
    assert messages(variable) == [
        "The operation would resolve about 101 fields; the most allowed is 100. "
        "Ask for fewer fields or smaller pages."
    ]


def test_our_own_operations_cost_well_below_the_default_limit() -> None:
    graphql_schema = schema._schema
    costs: dict[str, int] = {}
    for path in sorted(OPERATIONS_DIR.rglob("*.graphql")):
        document = parse(path.read_text(encoding="utf-8"))
        context = ValidationContext(graphql_schema, document, TypeInfo(graphql_schema), print)
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = graphql_schema.get_root_type(definition.operation)
                costs[path.stem] = selection_cost(context, definition.selection_set, root, 100)
    assert len(costs) == len(list(OPERATIONS_DIR.rglob("*.graphql")))
    assert max(costs.values()) == 3001
    assert {name for name, cost in costs.items() if cost == 3001} == {"InboxPage", "SearchPage"}
    assert Settings().graphql_max_cost == 10_000


# Timeouts


async def test_an_operation_running_past_the_timeout_is_stopped(settings: Settings) -> None:
    async with serving(settings, graphql_timeout_seconds=1e-9) as client:
        stopped = await post(client, "{ agencies { code } }")
        legacy = await client.post("/graphql", json={"query": "{ agencies { code } }"})
    assert stopped.status_code == 504
    assert stopped.json() == {
        "errors": [
            {
                "message": "The operation ran longer than 1e-09 seconds and was stopped.",
                "extensions": {"code": "TIMEOUT"},
            }
        ]
    }
    assert legacy.status_code == 200
    assert legacy.json()["errors"][0]["extensions"] == {"code": "TIMEOUT"}


# Batching


async def test_array_batches_are_refused(client: httpx.AsyncClient) -> None:
    batch = [{"query": "{ __typename }"}] * 3
    response = await client.post("/graphql", json=batch, headers={"accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400
    assert messages(response) == ["Batched requests are not supported: send one operation each."]


async def test_secret_checks_and_submissions_may_not_be_alias_batched(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    guesses = " ".join(
        f'g{n}: trackProposal(trackingCode: "ABCD{n:06d}", accessKey: "k{n}") {{ id }}'
        for n in range(3)
    )
    aliased = await post(client, f"{{ {guesses} }}")
    split_up = await post(
        client,
        '{ ...A ...B } fragment A on Query { a: trackProposal(trackingCode: "X") { id } } '
        'fragment B on Query { b: trackProposal(trackingCode: "Y") { id } }',
    )
    once = 'trackProposal(trackingCode: "ABCD000000") { id }'
    single = await post(client, f"{{ {once} }}")
    submit = (
        "mutation($i: SubmitProposalInput!) { a: submitProposal(input: $i) { __typename } "
        "b: submitProposal(input: $i) { __typename } }"
    )
    submissions = await post(client, submit, variables={"i": graphql_input()})
    once_message = "`trackProposal` may appear only once per request: send one each."
    assert aliased.status_code == 400
    assert messages(aliased) == [once_message]
    assert messages(split_up) == [once_message]
    assert single.json() == {"data": {"trackProposal": None}}
    assert messages(submissions) == [
        "`submitProposal` may appear only once per request: send one each."
    ]
    assert await _proposal_count(settings) == 0


async def _proposal_count(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Proposal))).one()
    await db.dispose()
    return count


async def test_api_submissions_share_the_forms_per_ip_budget(settings: Settings) -> None:
    async with serving(settings, rate_submissions_per_hour=1) as client:
        assert (await post_form(client, "/submit", form_data())).status_code == 303
        refused = await client.post(
            "/graphql",
            json={"query": operation("SubmitProposal"), "variables": {"input": graphql_input()}},
            headers={"accept-language": "en"},
        )
    [error] = refused.json()["data"]["submitProposal"]["errors"]
    assert error["field"] == "input"
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("Too many requests. Try again in ")
    assert await _proposal_count(settings) == 1


async def _api_submit(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={
            "query": operation("SubmitProposal"),
            "variables": {"input": graphql_input(**overrides)},
        },
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    result: dict[str, Any] = response.json()["data"]["submitProposal"]
    return result


def _outcome(result: dict[str, Any]) -> str:
    if result["__typename"] == "SubmitProposalSuccess":
        return "accepted"
    return ",".join(f"{error['field']}:{error['code']}" for error in result["errors"])


async def test_api_submissions_it_refuses_do_not_spend_the_accepted_budget(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=2) as client:
        refused = [_outcome(await _api_submit(client, title="")) for _ in range(9)]
        accepted = [
            _outcome(await _api_submit(client, title=f"Đề xuất số {n} về quỹ chuyển đổi số"))
            for n in range(3)
        ]
    assert refused == ["title:required"] * 9
    assert accepted == ["accepted", "accepted", "input:rate_limited"]
    assert await _proposal_count(settings) == 2


async def test_concurrent_api_submissions_never_pass_the_accepted_budget(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=2) as client:
        sent = [
            _api_submit(client, title=f"Đề xuất đồng thời số {n} về quỹ chuyển đổi số")
            for n in range(6)
        ]
        outcomes = sorted(_outcome(result) for result in await asyncio.gather(*sent))
    assert outcomes == ["accepted"] * 2 + ["input:rate_limited"] * 4
    assert await _proposal_count(settings) == 2


async def test_api_submissions_refused_past_a_budget_five_times_larger_are_limited(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=1) as client:
        garbage = [_outcome(await _api_submit(client, title="")) for _ in range(6)]
        # A flood spends the refused budget: a good submission waits for the window too.
        good = await _api_submit(client)
    assert garbage == ["title:required"] * 5 + ["input:rate_limited"]
    [error] = good["errors"]
    assert error["field"] == "input"
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("Too many requests. Try again in ")
    assert await _proposal_count(settings) == 0


# Production defaults


async def test_production_refuses_introspection_graphiql_and_suggestions(
    settings: Settings,
) -> None:
    production = {"environment": "production", "secret_key": "a-production-secret-of-some-length"}
    async with serving(settings, **production) as client:
        introspection = await post(client, "{ __schema { __typename } }")
        suggestion = await post(client, "{ agencie { code } }")
        browser = await client.get("/graphql", headers={"accept": "text/html"})
    assert messages(introspection) == [
        "GraphQL introspection has been disabled, but the requested query contained the field "
        "'__schema'."
    ]
    assert messages(suggestion) == ["Cannot query field 'agencie' on type 'Query'."]
    assert browser.status_code == 406
    assert "graphiql" not in browser.text.lower()


# CSRF


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
async def test_csrf_simple_requests_cannot_reach_the_api(
    client: httpx.AsyncClient, settings: Settings, content_type: str
) -> None:
    # The content types a cross-site form may send without a preflight.
    mutation = operation("SubmitProposal")
    if content_type == "multipart/form-data":
        response = await client.post(
            "/graphql",
            data={"operations": '{"query": "mutation { __typename }"}', "map": "{}"},
            files={"0": ("a.txt", b"x")},
            headers={"accept": JSON},
        )
        expected = (400, "Multipart requests need a GraphQL-Preflight: 1 header.")
    else:
        response = await client.post(
            "/graphql",
            content=f"query={mutation}".encode(),
            headers={"content-type": content_type, "accept": JSON},
        )
        expected = (415, f"Content-Type {content_type} is not supported: send application/json.")
    assert (response.status_code, messages(response)[0]) == expected
    as_get = await client.get("/graphql", params={"query": mutation}, headers={"accept": JSON})
    assert as_get.status_code == 405
    assert await _proposal_count(settings) == 0
