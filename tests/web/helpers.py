"""Signing in and preparing submissions for page tests."""

from __future__ import annotations

import re

import httpx

from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role
from service.db import Database
from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
from service.proposals.access import access_key
from service.proposals.models import Proposal
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import add_agency_admin as add_agency_admin  # the web tests' too
from tests.factories import agency_id
from tests.web_client import post_form


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    response = await post_form(
        client, "/login", {"email": email, "password": DEMO_PASSWORD}, page="/login"
    )
    assert response.status_code == 303


async def sign_in_reviewer(client: httpx.AsyncClient, agency_code: str = "BKHCN") -> None:
    await sign_in(client, reviewer_email(agency_code))


async def sign_in_secretariat(client: httpx.AsyncClient) -> None:
    await sign_in(client, SECRETARIAT_EMAIL)


async def reviewer(db: Database, agency_code: str = "BKHCN") -> Actor:
    agency = await agency_id(db, agency_code)
    return Actor(ActorKind.USER, role=Role.REVIEWER, agency_id=agency, user_id=1)


async def save_template(db: Database, name: str, body: str) -> int:
    async with db.transaction() as session:
        template = await workflow.save_response_template(
            session, await reviewer(db), name, body, "vi"
        )
    assert template.id is not None
    return template.id


def private_link(settings: Settings, proposal: Proposal) -> str:
    return f"/track/{proposal.tracking_code}?key={access_key(settings, proposal)}"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match[1]
