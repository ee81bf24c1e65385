"""Security headers on pages, GraphiQL and files; HSTS only in production."""

from __future__ import annotations

import httpx

from service.app import create_app
from service.settings import Settings
from tests.web.helpers import sign_in_secretariat
from web.security import GRAPHQL_POLICY, HSTS, PAGE_POLICY


async def test_pages_carry_the_strict_policy_and_no_hsts_outside_production(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/submit", "/login", "/statistics", "/published", "/static/intake.css"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == PAGE_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in response.headers


async def test_graphiql_gets_only_the_framing_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.headers["content-security-policy"] == GRAPHQL_POLICY


async def test_hsts_in_production(settings: Settings) -> None:
    production = settings.model_copy(
        update={"environment": "production", "secret_key": "a-production-secret-of-some-length"}
    )
    app = create_app(production)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as http:
            response = await http.get("/")
    assert response.headers["strict-transport-security"] == HSTS


async def test_no_page_template_holds_inline_scripts_or_styles() -> None:
    from pathlib import Path

    templates = Path(__file__).parents[2] / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert " style=" not in text, template
        assert "<style" not in text, template
        assert "<script>" not in text, template
        assert " onclick=" not in text, template


async def test_officials_pages_are_never_stored_and_public_ones_may_be(
    client: httpx.AsyncClient,
) -> None:
    """A case page holds the submitter's contact details: no browser or proxy keeps it."""
    await sign_in_secretariat(client)
    for path in ("/inbox", "/secretariat/triage", "/admin/audit", "/admin/users"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["cache-control"], path
    assert "cache-control" not in (await client.get("/statistics")).headers
