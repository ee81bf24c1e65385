"""Agencies' and officials' addresses: the demo's .localhost addresses are addresses (RFC 6761
reserves the name for local use); other special-use names and bare host names are not."""

from __future__ import annotations

import pytest

from service.accounts import service as accounts
from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role
from service.db import Database
from service.directory import service as directory
from service.errors import ValidationFailed
from service.settings import Settings
from service.text import official_address

SECRETARIAT = Actor(ActorKind.USER, role=Role.SECRETARIAT, user_id=1)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Tiepnhan@BYT.intake.localhost", "Tiepnhan@byt.intake.localhost"),
        ("reviewer@localhost", "reviewer@localhost"),
        (" van.phong@Most.Gov.VN ", "van.phong@most.gov.vn"),
        ("a@b.test", None),
        ("a@mail.local", None),
        ("a@intranet", None),
        ("not-an-address", None),
        # Accents before the @ cannot be delivered without SMTPUTF8; in the domain they can.
        ("nguyễn@bo.gov.vn", None),
        ("van.thu@bộ.vn", "van.thu@bộ.vn"),
    ],
)
def test_an_officials_address_is_read_once_for_every_door(typed: str, kept: str | None) -> None:
    assert official_address(typed) == kept


async def test_an_agency_saved_with_its_shipped_address_keeps_it(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        shipped = await directory.agency(session, "BYT")
    assert shipped is not None
    assert shipped.emails == ["tiepnhan@byt.intake.localhost"]
    async with db.transaction() as session:
        saved = await directory.update_agency(
            session,
            "user:1",
            "BYT",
            "en",
            name_vi=shipped.name_vi,
            name_en=shipped.name_en,
            emails=[*shipped.emails, "vanthu@moh.gov.vn"],
            acknowledge_days=1,
            respond_days=2,
        )
    assert saved.emails == ["tiepnhan@byt.intake.localhost", "vanthu@moh.gov.vn"]
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await directory.update_agency(
                session,
                "user:1",
                "BYT",
                "en",
                name_vi=shipped.name_vi,
                name_en=shipped.name_en,
                emails=["tiepnhan@byt.test"],
                acknowledge_days=None,
                respond_days=None,
            )
    await db.dispose()
    assert [(e.field, e.code, e.message) for e in refused.value.errors] == [
        ("emails", "invalid", '"tiepnhan@byt.test" is not a valid email address.'),
    ]


async def test_an_official_gets_an_account_at_a_local_address(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        created, _ = await accounts.create_official(
            session,
            SECRETARIAT,
            email="Lan@BKHCN.intake.localhost",
            name="Nguyễn Thị Lan",
            role="REVIEWER",
            agency_code="BKHCN",
            password="",
            language="en",
        )
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await accounts.create_official(
                session,
                SECRETARIAT,
                email="lan@intranet",
                name="Nguyễn Thị Lan",
                role="REVIEWER",
                agency_code="BKHCN",
                password="",
                language="en",
            )
    await db.dispose()
    assert created.email == "lan@bkhcn.intake.localhost"
    assert [(e.field, e.code) for e in refused.value.errors] == [("email", "invalid")]
