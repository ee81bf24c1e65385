"""The same content sent again from the same person is refused however they write their
contact details, unless they withdrew the first: nobody handles a withdrawn submission."""

from __future__ import annotations

import pytest

from service.accounts.actor import Actor
from service.db import Database
from service.errors import ValidationFailed
from service.proposals import service
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.validation import canonical_phone
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import submission


async def _submit(db: Database, settings: Settings, **fields: str) -> Proposal:
    async with db.transaction() as session:
        return await service.submit_proposal(session, submission(**fields), settings, "en")


async def _refusal(db: Database, settings: Settings, **fields: str) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationFailed) as failure:
        await _submit(db, settings, **fields)
    return [(e.field, e.code, e.message) for e in failure.value.errors]


def _duplicate_of(proposal: Proposal) -> list[tuple[str, str, str]]:
    message = f"You have already sent this content; its tracking code is {proposal.tracking_code}."
    return [("description", "duplicate", message)]


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ({"email": "dup2@example.com"}, {"email": "Dup2@Example.com"}),
        ({"email": "Dup2@Example.com"}, {"email": "DUP2@example.COM"}),
        ({"email": "", "phone": "0912 345 678"}, {"email": "", "phone": "+84 912 345 678"}),
        ({"email": "", "phone": "+84 912 345 678"}, {"email": "", "phone": "0912.345.678"}),
        ({"email": "", "phone": "84912345678"}, {"email": "", "phone": "0912345678"}),
        ({"email": "a@example.com", "phone": "0912345678"}, {"email": "", "phone": "+84912345678"}),
    ],
)
async def test_the_same_contact_written_differently_is_still_a_resubmission(
    db: Database, settings: Settings, first: dict[str, str], again: dict[str, str]
) -> None:
    earlier = await _submit(db, settings, **first)
    assert await _refusal(db, settings, **again) == _duplicate_of(earlier)


async def test_a_different_number_or_address_is_not_a_resubmission(
    db: Database, settings: Settings
) -> None:
    await _submit(db, settings, email="", phone="0912 345 678")
    other_number = await _submit(db, settings, email="", phone="0912 345 679")
    other_country = await _submit(db, settings, email="", phone="+1 912 345 678")
    other_address = await _submit(db, settings, email="dup3@example.com")
    assert len({other_number.id, other_country.id, other_address.id}) == 3


async def test_a_withdrawn_submission_does_not_block_sending_it_again(
    db: Database, settings: Settings
) -> None:
    first = await _submit(db, settings, email="rut@example.com")
    assert first.id is not None
    async with db.transaction() as session:
        await workflow.withdraw(session, Actor.submitter(first.id), first.id, "Gửi nhầm.", "vi")
    second = await _submit(db, settings, email="Rut@example.com")
    assert second.status is ProposalStatus.SUBMITTED
    assert second.tracking_code != first.tracking_code
    # The new one, not withdrawn, blocks a third copy in turn.
    assert await _refusal(db, settings, email="rut@example.com") == _duplicate_of(second)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("+842439421234", "02439421234"),
        ("+1912345678", "+1912345678"),
        ("001912345678", "+1912345678"),
        ("912345678", "912345678"),
    ],
)
def test_vietnamese_numbers_have_one_canonical_form(typed: str, canonical: str) -> None:
    assert canonical_phone(typed) == canonical
