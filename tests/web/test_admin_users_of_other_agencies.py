"""An agency admin asking for another agency's account, to see it or to change it: one answer,
the one creating an account for another agency gives, and nothing of that account."""

from __future__ import annotations

import httpx

from service.accounts import repository as accounts
from service.db import Database
from service.demo import SECRETARIAT_EMAIL, reviewer_email
from tests.web.helpers import add_agency_admin, csrf_of, sign_in

REFUSAL = "<p>Bạn chỉ được quản lý cán bộ xử lý của cơ quan mình.</p>"


async def _user_id(db: Database, email: str) -> int:
    async with db.session() as session:
        user = await accounts.get_by_email(session, email)
    assert user is not None
    assert user.id is not None
    return user.id


async def test_another_agencys_account_is_refused_alike_to_see_and_to_change(
    client: httpx.AsyncClient, db: Database
) -> None:
    await add_agency_admin(db, "BKHCN", "admin.bkhcn@intake.localhost")
    await sign_in(client, "admin.bkhcn@intake.localhost")
    token = csrf_of((await client.get("/admin/users")).text)
    for email in (reviewer_email("UBND-HUE"), SECRETARIAT_EMAIL):
        other = await _user_id(db, email)
        answers = [
            await client.get(f"/admin/users/{other}"),
            await client.post(
                f"/admin/users/{other}",
                data={"role": "REVIEWER", "agency": "BKHCN", "csrf_token": token},
            ),
            await client.post(f"/admin/users/{other}/deactivate", data={"csrf_token": token}),
            await client.post(f"/admin/users/{other}/reactivate", data={"csrf_token": token}),
        ]
        for answer in answers:
            assert answer.status_code == 403, (email, answer.request.url)
            assert REFUSAL in answer.text
            assert "Trang này dành cho" not in answer.text
            assert email not in answer.text
    await client.get("/lang/en")
    other = await _user_id(db, reviewer_email("UBND-HUE"))
    english = await client.get(f"/admin/users/{other}")
    assert "<p>You may manage only your own agency&#39;s reviewers.</p>" in english.text
    # An account that does not exist is not found, to see it and to change it.
    assert (await client.get("/admin/users/99999")).status_code == 404
    gone = await client.post("/admin/users/99999/deactivate", data={"csrf_token": token})
    assert gone.status_code == 404
    async with db.session() as session:
        hue = await accounts.get_user(session, other)
    assert hue is not None
    assert hue.is_active
    assert hue.agency_id != (await _agency_of(db, "admin.bkhcn@intake.localhost"))


async def _agency_of(db: Database, email: str) -> int | None:
    async with db.session() as session:
        user = await accounts.get_by_email(session, email)
    assert user is not None
    return user.agency_id
