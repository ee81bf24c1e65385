"""Bad input to the rule table and the competences: errors name the API's input fields, and the
checks are the directory files' (keywords, a category's default agency)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from service.accounts.models import Role
from service.db import Database
from service.directory import repository as directory
from service.directory.loader import InvalidDirectory
from service.directory.models import DirectoryChange
from service.routing import repository as routing
from service.routing.loader import Known, parse_rules
from service.settings import Settings
from tests.fixtures.api import bearer
from tests.graphql_client import execute

HEADER = "kind,category,province,keywords_vi,keywords_en,lead,cooperating,weight,active,note"
KNOWN = Known({"BCA", "BKHCN"}, {"OTHER"}, {"HUE"})


def test_a_rules_file_with_a_column_twice_is_refused_naming_line_and_column() -> None:
    content = f"{HEADER},lead\nPROPOSAL,,,drone,,BCA,,5,true,,BKHCN\n"
    with pytest.raises(InvalidDirectory) as invalid:
        parse_rules(content.encode(), KNOWN, "f.csv")
    assert [str(e) for e in invalid.value.errors] == [
        "f.csv line 1, field lead: column appears twice"
    ]


def test_rule_keywords_in_a_file_obey_the_directorys_keyword_checks() -> None:
    content = f"{HEADER}\nPROPOSAL,,,{'x' * 101},drone;b\x07d,BCA,,5,true,\n"
    with pytest.raises(InvalidDirectory) as invalid:
        parse_rules(content.encode(), KNOWN, "f.csv")
    assert [str(e) for e in invalid.value.errors] == [
        "f.csv line 2, field keywords_vi: Keyword 1: use at most 100 characters, "
        "without control characters.",
        "f.csv line 2, field keywords_en: Keyword 2: use at most 100 characters, "
        "without control characters.",
    ]


async def _secretariat(settings: Settings, language: str) -> dict[str, str]:
    db = Database(settings.resolved_database_url)
    headers = await bearer(db, Role.SECRETARIAT, None, "secretariat")
    await db.dispose()
    return {**headers, "accept-language": language}


async def test_rule_errors_name_the_inputs_fields(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    english = await _secretariat(settings, "en")
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        before = len(await routing.list_rules(session))
    refused = await execute(
        client,
        "SaveRoutingRule",
        {
            "input": {
                "kinds": ["IDEA"],
                "categories": ["NOPE"],
                "keywordsVi": ["x" * 5000],
                "keywordsEn": ["bad\x00word"],
                "lead": "BKHCN",
                "cooperating": ["BXYZ"],
                "weight": 3,
            }
        },
        headers=english,
    )
    async with db.session() as session:
        after = len(await routing.list_rules(session))
    await db.dispose()
    assert refused["saveRoutingRule"]["errors"] == [
        {
            "field": "kinds",
            "code": "invalid",
            "message": 'Unknown kind "IDEA": write PROPOSAL, OBSTACLE or RECOMMENDATION.',
        },
        {"field": "categories", "code": "invalid", "message": 'Unknown category code "NOPE".'},
        {"field": "cooperating", "code": "invalid", "message": 'Unknown agency code "BXYZ".'},
        {
            "field": "keywordsVi",
            "code": "invalid",
            "message": "Keyword 1: use at most 100 characters, without control characters.",
        },
        {
            "field": "keywordsEn",
            "code": "invalid",
            "message": "Keyword 1: use at most 100 characters, without control characters.",
        },
    ]
    assert after == before


async def _btp(settings: Settings) -> tuple[list[str], list[str], int]:
    """BTP's competences and Vietnamese keywords, and how many of its changes are recorded."""
    db = Database(settings.resolved_database_url)
    try:
        async with db.session() as session:
            btp = await directory.get_agency_by_code(session, "BTP")
            assert btp is not None
            assert btp.id is not None
            codes = await directory.agency_category_codes(session, btp.id)
            changes = (
                await session.exec(
                    select(DirectoryChange.id).where(col(DirectoryChange.code) == "BTP")
                )
            ).all()
            return codes, list(btp.keywords_vi), len(changes)
    finally:
        await db.dispose()


def _competences(**values: Any) -> dict[str, Any]:
    fields = {"agencyCode": "BTP", "categories": ["INSTITUTIONS"], "keywordsVi": []}
    return {"input": fields | {"keywordsEn": []} | values}


async def test_competences_obey_the_directory_files_checks_and_store_nothing_when_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    english = await _secretariat(settings, "en")
    vietnamese = await _secretariat(settings, "vi")
    before = await _btp(settings)
    assert before[0] == ["INSTITUTIONS"]  # and BTP is INSTITUTIONS's default agency

    emptied = await execute(
        client, "UpdateAgencyCompetences", _competences(categories=[]), headers=english
    )
    controls = await execute(
        client,
        "UpdateAgencyCompetences",
        _competences(keywordsVi=["pháp luật", "thể\x07chế"], keywordsEn=["law\nreform"]),
        headers=english,
    )
    long = await execute(
        client,
        "UpdateAgencyCompetences",
        _competences(keywordsVi=["x" * 5000], keywordsEn=[f"w{n}" for n in range(201)]),
        headers=english,
    )
    in_vietnamese = await execute(
        client, "UpdateAgencyCompetences", _competences(categories=["OTHER"]), headers=vietnamese
    )

    assert emptied["updateAgencyCompetences"]["errors"] == [
        {
            "field": "categories",
            "code": "default_agency",
            "message": "BTP is the default agency of INSTITUTIONS and must stay competent for it.",
        }
    ]
    assert controls["updateAgencyCompetences"]["errors"] == [
        {
            "field": "keywordsVi",
            "code": "invalid",
            "message": "Keyword 2: use at most 100 characters, without control characters.",
        },
        {
            "field": "keywordsEn",
            "code": "invalid",
            "message": "Keyword 1: use at most 100 characters, without control characters.",
        },
    ]
    assert long["updateAgencyCompetences"]["errors"] == [
        {
            "field": "keywordsVi",
            "code": "invalid",
            "message": "Keyword 1: use at most 100 characters, without control characters.",
        },
        {"field": "keywordsEn", "code": "too_many", "message": "Give at most 200 keywords."},
    ]
    assert in_vietnamese["updateAgencyCompetences"]["errors"] == [
        {
            "field": "categories",
            "code": "default_agency",
            "message": "BTP là cơ quan mặc định của lĩnh vực INSTITUTIONS nên phải giữ thẩm quyền "
            "về lĩnh vực đó.",
        }
    ]
    assert await _btp(settings) == before
    several = await execute(
        client,
        "UpdateAgencyCompetences",
        _competences(agencyCode="BKHCN", categories=["INNOVATION", "RESEARCH_FUNDING"]),
        headers=english,
    )
    assert several["updateAgencyCompetences"]["errors"] == [
        {
            "field": "categories",
            "code": "default_agency",
            "message": "BKHCN is the default agency of DIGITAL_ECONOMY, DIGITAL_INFRASTRUCTURE, "
            "IP_TECH_TRANSFER, STRATEGIC_TECHNOLOGIES and must stay competent for them.",
        }
    ]

    kept = await execute(
        client,
        "UpdateAgencyCompetences",
        _competences(categories=["INSTITUTIONS", "OTHER"], keywordsVi=["x" * 100]),
        headers=english,
    )
    assert kept["updateAgencyCompetences"]["categories"] == ["INSTITUTIONS", "OTHER"]
    assert (await _btp(settings))[:2] == (["INSTITUTIONS", "OTHER"], ["x" * 100])
