"""The rule table and competences edited with history; deadlines: rules, pause, extension;
the GraphQL doors; `intake rules load`."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from service.accounts.actor import Actor
from service.accounts.models import Role
from service.calendar import add_business_days, business_days_between
from service.cli import main
from service.db import Database, utcnow
from service.directory import repository as directory
from service.directory.models import Agency, AgencyKind, DirectoryChange
from service.errors import ValidationFailed
from service.holidays.service import holiday_dates
from service.proposals import repository as proposals
from service.proposals.models import Proposal, ProposalKind, ProposalStatus, SubmitterType
from service.routing import repository as routing
from service.routing import service
from service.routing.deadlines import business_days
from service.routing.models import DeadlineRule
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import agency_id, graphql_input, official, submitted_and_routed
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute

RULE = {"kind": "PROPOSAL", "keywords_vi": "xe buýt điện", "lead": "BXD", "weight": "6"}


async def test_rules_are_saved_changed_and_deleted_with_history(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        shipped = len(await routing.list_rules(session))
        rule = await service.save_rule(session, "secretariat@x", RULE, "en")
        assert rule.id is not None
        rule_id = rule.id
    async with db.transaction() as session:
        await service.save_rule(
            session, "secretariat@x", {**RULE, "weight": "4", "position": "1"}, "en", rule_id
        )
    with pytest.raises(ValidationFailed) as failure:
        async with db.transaction() as session:
            await service.save_rule(
                session, "x", {"lead": "BXYZ", "weight": "x", "position": "0"}, "vi"
            )
    async with db.transaction() as session:
        await service.delete_rule(session, "secretariat@x", rule_id)
    async with db.session() as session:
        changes = await routing.rule_changes(session, rule_id)
        remaining = len(await routing.list_rules(session))
    await db.dispose()
    assert (shipped + 1 - 1) == remaining
    assert [
        (c.action, c.actor, (c.old or {}).get("weight"), (c.new or {}).get("weight"))
        for c in changes
    ] == [
        ("created", "secretariat@x", None, 6.0),
        ("changed", "secretariat@x", 6.0, 4.0),
        ("deleted", "secretariat@x", 4.0, None),
    ]
    assert [(e.field, e.message) for e in failure.value.errors] == [
        ("lead", 'Không có mã cơ quan "BXYZ".'),
        ("weight", '"x" không phải là một số từ -100 đến 100 khác 0.'),
        ("position", "Chọn vị trí từ 1 đến 10000."),
    ]


async def test_competences_are_recorded_and_steer_routing(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        await service.update_agency_competences(
            session,
            "secretariat@x",
            "bdttg",
            "en",
            categories=["OTHER"],
            keywords_vi=["tàu ngầm du lịch"],
            keywords_en=[],
        )
    with pytest.raises(ValidationFailed):
        async with db.transaction() as session:
            await service.update_agency_competences(
                session, "x", "BDTTG", "en", categories=["SPACE"], keywords_vi=[], keywords_en=[]
            )
    routed = await submitted_and_routed(
        db, settings, category="OTHER", title="Cấp phép tàu ngầm du lịch", description="Chậm."
    )
    async with db.session() as session:
        changes = (
            await session.exec(
                select(DirectoryChange)
                .where(DirectoryChange.code == "BDTTG", DirectoryChange.actor != "cli")
                .order_by(col(DirectoryChange.id))
            )
        ).all()
        agency = await directory.get_agency(session, routed.agency_id or 0)
    await db.dispose()
    assert [(c.field, c.actor, c.new) for c in changes] == [
        ("categories", "secretariat@x", "OTHER"),
        ("keywords_vi", "secretariat@x", "tàu ngầm du lịch"),
        ("keywords_en", "secretariat@x", ""),
    ]
    assert agency is not None
    assert agency.code == "BDTTG"


def test_the_most_specific_deadline_rule_wins() -> None:
    settings = Settings()
    proposal = Proposal(
        tracking_code="X",
        kind=ProposalKind.OBSTACLE,
        status=ProposalStatus.SUBMITTED,
        title="",
        description="",
        category_code="DATA",
        submitter_type=SubmitterType.CITIZEN,
        submitter_name="",
        content_hash="",
    )
    agency = Agency(
        id=5, code="BCA", name_vi="", name_en="", kind=AgencyKind.MINISTRY, respond_days=20
    )
    rules = [
        DeadlineRule(id=1, kind="OBSTACLE", acknowledge_days=2, respond_days=10),
        DeadlineRule(id=2, agency_id=5, respond_days=25),
        DeadlineRule(id=3, category_code="DATA", agency_id=5, respond_days=30),
        DeadlineRule(id=4, category_code="DATA", respond_days=40),
    ]
    assert business_days(rules, proposal, agency, settings) == (2, 30)
    assert business_days(rules[:2], proposal, agency, settings) == (2, 25)
    assert business_days(rules[:1], proposal, agency, settings) == (2, 20)
    assert business_days(
        [], proposal, agency.model_copy(update={"respond_days": None}), settings
    ) == (3, 15)


async def test_needs_info_pauses_the_clock_and_one_extension_is_allowed(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    assert proposal.deadline is not None
    pid, first_deadline = proposal.id, proposal.deadline
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.request_information(session, reviewer, pid, "Số hồ sơ?", "vi")
    async with db.transaction() as session:  # answered a week after the question
        row = await proposals.get(session, pid)
        assert row is not None
        assert row.paused_at is not None
        row.paused_at = utcnow() - timedelta(days=7)
        holidays = await holiday_dates(session)
        waited = business_days_between(row.paused_at, utcnow(), holidays)
    async with db.transaction() as session:
        await workflow.answer_information(
            session, Actor.submitter(pid), pid, "Số 12.", "vi", settings
        )
    async with db.transaction() as session:
        step = await workflow.extend_deadline(
            session, reviewer, pid, 5, "Cần ý kiến liên ngành.", settings, "vi"
        )
    with pytest.raises(ValidationFailed) as again:
        async with db.transaction() as session:
            await workflow.extend_deadline(session, reviewer, pid, 5, "Lần nữa.", settings, "en")
    async with db.session() as session:
        final = await proposals.get(session, pid)
    await db.dispose()
    assert final is not None
    assert final.deadline is not None
    assert final.paused_at is None
    assert final.deadline_extended
    assert final.deadline == add_business_days(
        add_business_days(first_deadline, waited, holidays), 5, holidays
    )
    assert (step.event.action, step.event.note) == ("EXTEND_DEADLINE", "Cần ý kiến liên ngành.")
    assert [(e.field, e.code, e.message) for e in again.value.errors] == [
        (
            "days",
            "already_extended",
            "The deadline of this submission has already been extended once.",
        )
    ]


async def test_the_secretariat_edits_rules_and_reads_decisions_through_graphql(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = await bearer(db, Role.SECRETARIAT, None, "secretariat")
    await db.dispose()
    english = {**secretariat, "accept-language": "en"}
    saved = await execute(
        client,
        "SaveRoutingRule",
        {"input": {"kinds": ["PROPOSAL"], "keywordsVi": ["vệ tinh"], "lead": "BQP", "weight": 9}},
        headers=english,
    )
    rule = saved["saveRoutingRule"]["rule"]
    assert (rule["lead"], rule["weight"], rule["updatedBy"]) == ("BQP", 9.0, "token:1")
    bad = await execute(
        client, "SaveRoutingRule", {"input": {"lead": "@committee", "weight": 1}}, headers=english
    )
    assert bad["saveRoutingRule"]["errors"] == [
        {
            "field": "lead",
            "code": "invalid",
            "message": "@committee needs a province condition, such as @submission.",
        }
    ]
    rules = await execute(client, "RoutingRules", headers=english)
    assert rules["routingRules"][-1]["id"] == rule["id"]
    submitted = await execute(
        client, "SubmitProposal", {"input": graphql_input(title="Phóng vệ tinh quan sát")}
    )
    assert submitted["submitProposal"]["trackingCode"]
    await run_worker(settings)
    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=english)
    pid = inbox["proposals"]["edges"][0]["node"]["id"]
    decided = await execute(client, "RoutingDecision", {"id": pid}, headers=english)
    decision = decided["proposal"]["routingDecision"]
    assert (decision["method"], decision["stood"]) == ("RULE", True)
    assert decision["suggestions"][0]["agencyCode"] == "BQP"
    position = len(rules["routingRules"])
    assert decision["suggestions"][0]["reasons"][0] == f"rule {position}"
    assert decision["suggestions"][0]["reasonDetails"][0] == {
        "code": "rule",
        "text": f"rule {position}",
    }
    confidence = decision["reasonDetails"][0]
    assert confidence["code"] == "confidence"
    assert json.loads(confidence["arguments"])["agency"] == "BQP"
    assert confidence["text"] == decision["reasons"][0]
    vietnamese = await execute(client, "RoutingDecision", {"id": pid}, headers=secretariat)
    details = vietnamese["proposal"]["routingDecision"]["reasonDetails"]
    assert details[0]["text"].startswith("BQP: độ tin cậy 0,")
    assert details[1]["text"] == f"quy tắc {position}"
    assert vietnamese["proposal"]["routingDecision"]["reasons"] == decision["reasons"]  # English
    deleted = await execute(
        client, "DeleteRoutingRule", {"input": {"id": rule["id"]}}, headers=english
    )
    assert deleted["deleteRoutingRule"] == {"__typename": "RoutingRuleDeleted", "id": rule["id"]}
    history = await execute(client, "RoutingRuleChanges", {"ruleId": rule["id"]}, headers=english)
    assert [c["action"] for c in history["routingRuleChanges"]] == ["created", "deleted"]
    updated = await execute(
        client,
        "UpdateAgencyCompetences",
        {
            "input": {
                "agencyCode": "BQP",
                "categories": ["CYBERSECURITY"],
                "keywordsVi": [],
                "keywordsEn": [],
            }
        },
        headers=english,
    )
    assert updated["updateAgencyCompetences"]["categories"] == ["CYBERSECURITY"]
    extended = await execute(
        client, "ExtendDeadline", {"input": {"id": pid, "days": 3, "reason": "x"}}, headers=english
    )
    assert extended["extendDeadline"]["__typename"] == "NotPermittedError"  # the lead agency's


def test_rules_load_rejects_a_bad_file_and_keeps_the_rules(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rules.csv"
    bad.write_text(
        "kind,category,province,keywords_vi,keywords_en,lead,cooperating,weight,active,note\n"
        ",,,drone,,BXYZ,,5,true,x\n",
        encoding="utf-8",
    )
    args = ["--data-dir", str(settings.data_dir)]
    os.environ["INTAKE_DATABASE_URL"] = settings.resolved_database_url
    try:
        assert main(["rules", "load", *args, "--path", str(bad)]) == 1
        assert main(["rules", "load", *args]) == 0
    finally:
        del os.environ["INTAKE_DATABASE_URL"]
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"The rules in {bad} have 1 error; nothing was loaded and the rules in force stay:",
        '  rules.csv line 2, field lead: Unknown agency code "BXYZ".',
    ]
    assert out.splitlines()[-1] == "The rules are already these."
