"""The secretariat is neither lead nor cooperating agency, in rules and in routing: rules naming
it to cooperate, or their lead, are refused; a rule stored before that never makes it a partner;
a triage queue's suggestions never offer it. Blank keywords are refused, not dropped."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import select

from service.accounts.models import Role
from service.db import Database
from service.directory.loader import InvalidDirectory
from service.errors import ValidationFailed
from service.proposals import service as proposals
from service.proposals.models import AssignmentRole, ProposalAgency, ProposalStatus
from service.routing import repository as routing
from service.routing import service
from service.routing.loader import Known, parse_rules
from service.routing.models import RoutingMethod, RoutingRule
from service.routing.reasons import english
from service.routing.service import route_proposal
from service.settings import Settings
from tests.factories import agency_id, submission
from tests.fixtures.api import bearer
from tests.graphql_client import execute

HEADER = "kind,category,province,keywords_vi,keywords_en,lead,cooperating,weight,active,note"
KNOWN = Known({"BCA", "BKHCN", "THUONGTRUC"}, {"OTHER"}, {"HUE"}, secretariat={"THUONGTRUC"})


def test_a_rules_file_refuses_the_secretariat_or_the_lead_as_cooperating_agency() -> None:
    content = (
        f"{HEADER}\n"
        "PROPOSAL,,,drone,,BCA,BKHCN;THUONGTRUC,5,true,\n"
        "PROPOSAL,,,drone,,BCA,BCA,5,true,\n"
        # The secretariat may lead a rule: it leaves the submission in its triage queue.
        "PROPOSAL,,,Nghị quyết 57,,THUONGTRUC,,3,true,\n"
    )
    with pytest.raises(InvalidDirectory) as invalid:
        parse_rules(content.encode(), KNOWN, "f.csv")
    assert [str(e) for e in invalid.value.errors] == [
        'f.csv line 2, field cooperating: "THUONGTRUC" is the secretariat: it cannot cooperate '
        "on a submission.",
        'f.csv line 3, field cooperating: "BCA" leads this rule: it cannot also cooperate on it.',
    ]


def test_a_rules_file_refuses_a_blank_keyword_naming_its_position() -> None:
    content = (
        f"{HEADER}\n"
        "PROPOSAL,,,drone;,,BCA,,5,true,\n"
        "PROPOSAL,,,,drone;;uav,BCA,,5,true,\n"
        # No keyword at all is no keyword condition, as before.
        "PROPOSAL,,,,,BCA,,5,true,\n"
    )
    with pytest.raises(InvalidDirectory) as invalid:
        parse_rules(content.encode(), KNOWN, "f.csv")
    assert [str(e) for e in invalid.value.errors] == [
        "f.csv line 2, field keywords_vi: Keyword 2 is empty: write it or remove it.",
        "f.csv line 3, field keywords_en: Keyword 2 is empty: write it or remove it.",
    ]


async def test_saving_a_rule_refuses_the_secretariat_the_lead_and_blanks_in_vietnamese(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    values = {
        "kind": "PROPOSAL",
        "keywords_vi": "xe buýt điện;  ",
        "keywords_en": ";electric bus",
        "lead": "BXD",
        "cooperating": "THUONGTRUC;BXD",
        "weight": "6",
    }
    async with db.session() as session:
        before = len(await routing.list_rules(session))
    with pytest.raises(ValidationFailed) as failure:
        async with db.transaction() as session:
            await service.save_rule(session, "secretariat@x", values, "vi")
    async with db.session() as session:
        after = len(await routing.list_rules(session))
    await db.dispose()
    assert [(e.field, e.code, e.message) for e in failure.value.errors] == [
        (
            "cooperating",
            "not_an_agency",
            '"THUONGTRUC" là Văn phòng Thường trực: không phối hợp xử lý nội dung.',
        ),
        (
            "cooperating",
            "is_lead",
            '"BXD" là cơ quan chủ trì của quy tắc này: không đồng thời là cơ quan phối hợp.',
        ),
        ("keywordsVi", "invalid", "Từ khóa 2 để trống: hãy nhập hoặc xóa từ khóa này."),
        ("keywordsEn", "invalid", "Từ khóa 1 để trống: hãy nhập hoặc xóa từ khóa này."),
    ]
    assert after == before


async def _english(settings: Settings) -> dict[str, str]:
    db = Database(settings.resolved_database_url)
    headers = await bearer(db, Role.SECRETARIAT, None, "secretariat")
    await db.dispose()
    return {**headers, "accept-language": "en"}


async def test_save_routing_rule_names_each_refused_entry(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    refused = await execute(
        client,
        "SaveRoutingRule",
        {
            "input": {
                "kinds": ["PROPOSAL"],
                "keywordsVi": ["", "  "],
                "lead": "BKHCN",
                "cooperating": ["THUONGTRUC", "BKHCN"],
                "weight": 3,
            }
        },
        headers=await _english(settings),
    )
    assert refused["saveRoutingRule"]["errors"] == [
        {
            "field": "cooperating",
            "code": "not_an_agency",
            "message": '"THUONGTRUC" is the secretariat: it cannot cooperate on a submission.',
        },
        {
            "field": "cooperating",
            "code": "is_lead",
            "message": '"BKHCN" leads this rule: it cannot also cooperate on it.',
        },
        {
            "field": "keywordsVi",
            "code": "invalid",
            "message": "Keyword 1 is empty: write it or remove it.",
        },
    ]


async def test_a_lone_blank_keyword_is_refused_not_read_as_no_keywords(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    for keywords in ([""], ["   "]):
        refused = await execute(
            client,
            "SaveRoutingRule",
            {
                "input": {
                    "kinds": ["PROPOSAL"],
                    "keywordsEn": keywords,
                    "lead": "BKHCN",
                    "weight": 3,
                }
            },
            headers=await _english(settings),
        )
        assert refused["saveRoutingRule"]["errors"] == [
            {
                "field": "keywordsEn",
                "code": "invalid",
                "message": "Keyword 1 is empty: write it or remove it.",
            }
        ]


CHIP = {
    "kind": "PROPOSAL",
    "category": "OTHER",
    "title": "Ưu đãi cho thiết kế vi mạch bán dẫn",
    "description": "Doanh nghiệp thiết kế vi mạch bán dẫn cần ưu đãi thuế.",
}


async def test_a_rule_stored_before_the_check_never_makes_the_secretariat_a_partner(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        routing.add(
            session,
            RoutingRule(
                position=1,
                kinds=["PROPOSAL"],
                keywords_vi=["vi mạch bán dẫn"],
                lead="BKHCN",
                cooperating=["THUONGTRUC", "BTC"],
                weight=20,
            ),
        )
    async with db.transaction() as session:
        proposal = await proposals.submit_proposal(session, submission(**CHIP), settings, "vi")
    assert proposal.id is not None
    async with db.transaction() as session:
        routed = await route_proposal(session, proposal.id, settings)
    async with db.session() as session:
        links = (
            await session.exec(
                select(ProposalAgency).where(ProposalAgency.proposal_id == proposal.id)
            )
        ).all()
    expected = {
        (await agency_id(db, "BKHCN"), AssignmentRole.LEAD),
        (await agency_id(db, "BTC"), AssignmentRole.COOPERATING),
    }
    await db.dispose()
    assert routed is not None
    assert (routed.agency.code, routed.status) == ("BKHCN", ProposalStatus.ROUTED)
    assert {(link.agency_id, link.role) for link in links} == expected


PROGRAMME = "Góp ý thực hiện Nghị quyết 57"


async def _routed(settings: Settings, description: str) -> tuple[str, ProposalStatus, Any]:
    db = Database(settings.resolved_database_url)
    fields = {"kind": "PROPOSAL", "category": "OTHER", "title": PROGRAMME}
    async with db.transaction() as session:
        proposal = await proposals.submit_proposal(
            session, submission(**fields, description=description), settings, "vi"
        )
    assert proposal.id is not None
    async with db.transaction() as session:
        routed = await route_proposal(session, proposal.id, settings)
    await db.dispose()
    assert routed is not None
    return routed.agency.code, routed.status, routed.decision


async def test_a_programme_wide_matter_stays_in_triage_and_the_secretariat_is_not_suggested(
    settings: Settings,
) -> None:
    led = await _routed(settings, "Đề nghị các bộ phối hợp, trong đó có chính sách thuế.")
    # The secretariat's rule leads: the submission waits in its triage queue, saying why.
    assert led[:2] == ("THUONGTRUC", ProposalStatus.TRIAGE)
    assert (led[2].method, led[2].confidence) == (RoutingMethod.TRIAGE, 0.5)
    assert english(led[2].reasons) == [
        "THUONGTRUC: confidence 0.50",
        "rule 6: programme-wide matters go to the Standing Office",
    ]
    assert [(s["agency"], s["score"]) for s in led[2].suggestions] == [("BTC", 1.0)]
    tied = await _routed(settings, "Đề nghị hướng dẫn về thuế và bảo hiểm xã hội cho nhà khoa học.")
    # The secretariat's evidence still counts against the leader's confidence.
    assert (tied[1], tied[2].confidence) == (ProposalStatus.TRIAGE, 0.375)
    assert english(tied[2].reasons) == [
        "confidence 0.38 is below 0.50: the secretariat decides",
        "keyword: bảo hiểm xã hội",
    ]
    assert [(s["agency"], s["score"]) for s in tied[2].suggestions] == [
        ("BNV", 3.0),
        ("BTC", 1.0),
    ]
