"""Routing a submitted proposal to the agency responsible, recording why, and learning from
the secretariat's corrections."""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from search.base import SearchBackend, SearchError, SearchScope
from service.accounts import service as accounts
from service.accounts.actor import Scope
from service.accounts.models import User
from service.db import utcnow
from service.directory import checks
from service.directory import repository as directory
from service.directory import service as directory_service
from service.directory.models import Agency, AgencyCategory, AgencyKind
from service.errors import FieldError, ValidationFailed
from service.i18n import Language, translations
from service.notifications import catalog as mail
from service.notifications import service as notifications
from service.outbox import service as outbox
from service.proposals import events
from service.proposals import repository as proposals
from service.proposals.models import (
    AssignmentRole,
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalStatus,
)
from service.routing import engine, precedent
from service.routing import reasons as why
from service.routing import repository as routing
from service.routing.deadlines import deadlines
from service.routing.errors import RoutingOutdated, RuleNotFound
from service.routing.loader import Known, RuleRecord, check_rule, keywords_problem
from service.routing.models import RoutingDecision, RoutingMethod, RoutingRule, RuleChange
from service.settings import Settings
from service.text import normalize, whole_number

INDEX_JOB = "search.index"
MAX_POSITION = 10_000
# The precedent and near-duplicate searches count and rank only the newest this many matches.
# A campaign's near-identical letters all match each other's key terms: uncapped, every routing
# counted up to the backend's count limit (10,000) and ranked the newest 1,000, so each search
# grew with the campaign (embedded, 20,000 letters: 20 ms of CPU per search; capped at 500 and
# 100: 9 and 5 ms, flat). The newest matches are also the weightiest precedents (votes decay
# with age) and the likeliest copies of a letter being sent again.
PRECEDENT_CANDIDATES = 500
DUPLICATE_CANDIDATES = 100


@dataclass(frozen=True, slots=True)
class Routed:
    proposal: Proposal
    agency: Agency
    status: ProposalStatus
    decision: RoutingDecision

    @property
    def reason(self) -> str:
        return why.render(self.decision.reasons[0], "en") if self.decision.reasons else ""


async def snapshot(session: AsyncSession) -> engine.Snapshot:
    """The directory's competences and the active rules, as the engine reads them."""
    agencies = [a for a in await directory.list_agencies(session) if a.is_active]
    codes = {a.id: a.code for a in agencies}
    competences: dict[int, set[str]] = {}
    for link in await directory.list_agency_categories(session):
        competences.setdefault(link.agency_id, set()).add(link.category_code)
    profiles = tuple(
        engine.AgencyProfile(
            a.code,
            engine.keywords_of(a.keywords_vi, a.keywords_en),
            frozenset(competences.get(a.id or 0, set())),
            routable=a.kind is not AgencyKind.SECRETARIAT,
        )
        for a in agencies
    )
    provinces = await directory.list_provinces(session)
    committees = {p.code: codes[p.agency_id] for p in provinces if p.agency_id in codes}
    defaults = {
        c.code: codes[c.agency_id]
        for c in await directory.list_categories(session)
        if c.agency_id in codes
    }
    rules = tuple(
        engine.RuleSpec(
            position=r.position,
            lead=r.lead,
            weight=r.weight,
            kinds=frozenset(r.kinds),
            categories=frozenset(r.categories),
            province=r.province,
            keywords=engine.keywords_of(r.keywords_vi, r.keywords_en),
            cooperating=tuple(r.cooperating),
            note=r.note,
            rule_id=r.id,
        )
        for r in await routing.list_rules(session, active_only=True)
    )
    return engine.Snapshot(profiles, committees, defaults, rules)


async def submission_of(session: AsyncSession, proposal: Proposal) -> engine.Submission:
    """The engine's view of a proposal: the province chosen, or the one its text names."""
    named = False
    province = proposal.province_code
    if province is None:
        text = f"{proposal.title}\n{proposal.description}"
        mentioned = await directory_service.provinces_named_in(session, text)
        if len(mentioned) == 1:  # several: no guess
            province, named = mentioned[0].code, True
    return engine.Submission(
        kind=proposal.kind.value,
        category=proposal.category_code,
        title=proposal.title,
        description=proposal.description,
        province=province,
        province_named=named,
    )


async def find_precedents(
    session: AsyncSession, search: SearchBackend, proposal: Proposal, rarity: precedent.Rarity
) -> list[precedent.Precedent]:
    """Earlier submissions like this one whose routing stood, found through the search index;
    `rarity` covers the proposal's own terms."""
    ids: list[int] = []
    for query in precedent.search_queries(proposal.title, proposal.description, rarity):
        try:
            result = await search.search(
                query,
                SearchScope.secretariat(),
                limit=precedent.CANDIDATES,
                match="any",
                candidates=PRECEDENT_CANDIDATES,
            )
        except SearchError:
            return []  # routing goes on without precedent; the index converges later
        ids += [hit.id for hit in result.hits if hit.id != proposal.id and hit.id not in ids]
    standing = await routing.standing_routes(session, ids)
    rows = {p.id: p for p in await routing.get_proposals(session, list(standing))}
    agency_ids = [d.agency_id for d in standing.values() if d.agency_id is not None]
    codes = {a.id: a.code for a in await directory.get_agencies(session, agency_ids)}
    found = []
    for proposal_id in ids:
        decision, row = standing.get(proposal_id), rows.get(proposal_id)
        if decision is None or row is None or decision.agency_id not in codes:
            continue
        found.append(
            precedent.Precedent(
                proposal_id,
                row.tracking_code,
                codes[decision.agency_id],
                f"{row.title}\n{row.description}",
                decision.created_at,
            )
        )
    return found


async def rarity_of(session: AsyncSession, terms: Iterable[str]) -> precedent.Rarity:
    """How rare each term is among the submissions routed so far."""
    documents, counts = await routing.term_counts(session, precedent.countable(terms))
    return precedent.Rarity(documents, counts)


async def _duplicate_of(
    session: AsyncSession, search: SearchBackend | None, proposal: Proposal
) -> Proposal | None:
    """An earlier submission with the same or nearly the same text (a campaign's letter)."""
    assert proposal.id is not None
    same = await routing.same_content(session, proposal.content_hash, proposal.id)
    if same is None and search is not None:
        terms = precedent.key_terms(proposal.title, proposal.description)
        try:
            result = await search.search(
                " ".join(terms),
                SearchScope.secretariat(),
                limit=10,
                match="any",
                candidates=DUPLICATE_CANDIDATES,
            )
        except SearchError:
            result = None
        candidates = [h.id for h in result.hits if h.id < proposal.id] if result else []
        mine = precedent.features(f"{proposal.title}\n{proposal.description}")
        best = 0.0
        for row in await routing.get_proposals(session, candidates):
            value = precedent.similarity(
                mine, precedent.features(f"{row.title}\n{row.description}")
            )
            if value >= precedent.DUPLICATE_SIMILARITY and value > best:
                same, best = row, value
    if same is not None and same.duplicate_of_id is not None:
        return await proposals.get(session, same.duplicate_of_id) or same
    return same


async def route_proposal(
    session: AsyncSession,
    proposal_id: int,
    settings: Settings,
    search: SearchBackend | None = None,
) -> Routed | None:
    """Assign a submitted proposal; None when it is gone or was routed already. Without a
    search backend, precedent and near-duplicates are not looked for (exact copies still are)."""
    plan = await decide_routing(session, proposal_id, settings, search)
    return await record_routing(session, plan, settings) if plan is not None else None


@dataclass(frozen=True, slots=True)
class RoutingPlan:
    """A routing decided in a read-only session, for the proposal as it stood then."""

    proposal_id: int
    basis: tuple[object, ...]
    agency: Agency
    status: ProposalStatus
    decision: engine.Decision
    record: RoutingDecision
    duplicate: Proposal | None
    partners: tuple[Agency, ...]
    terms: frozenset[str]
    now: datetime


def _basis(proposal: Proposal) -> tuple[object, ...]:
    """What a routing decision read from the proposal itself."""
    return (
        proposal.status,
        proposal.updated_at,
        proposal.kind,
        proposal.category_code,
        proposal.province_code,
        proposal.title,
        proposal.description,
    )


async def decide_routing(
    session: AsyncSession,
    proposal_id: int,
    settings: Settings,
    search: SearchBackend | None = None,
) -> RoutingPlan | None:
    """Decide where a submitted proposal goes, reading only: the engine, the precedent and the
    near-duplicate searches run outside any write transaction (on SQLite they would hold the
    database's only writer for their whole length). None when it is gone or was routed."""
    proposal = await proposals.get(session, proposal_id)
    if proposal is None or proposal.status is not ProposalStatus.SUBMITTED:
        return None
    assert proposal.id is not None
    if await directory.get_category(session, proposal.category_code) is None:
        raise LookupError(f"category {proposal.category_code} is gone")
    state = await snapshot(session)
    submission = await submission_of(session, proposal)
    text = f"{proposal.title}\n{proposal.description}"
    mine = precedent.features(text)
    rarity = await rarity_of(session, mine)
    found = await find_precedents(session, search, proposal, rarity) if search is not None else []
    theirs = set().union(*(precedent.features(p.text) for p in found)) - mine
    if theirs:  # the precedents' own terms, not read yet
        rarity = rarity.including(await rarity_of(session, theirs))
    now = utcnow()
    votes = precedent.votes(text, found, now, rarity)
    without = engine.decide(engine.score(state, submission), state.rules)
    decision = engine.decide(engine.score(state, submission, votes=votes), state.rules)
    threshold = settings.routing_confidence_threshold
    agency = None
    if decision.agency is not None and decision.confidence >= threshold:
        agency = await directory.get_agency_by_code(session, decision.agency)
    if agency is None or agency.kind is AgencyKind.SECRETARIAT:
        # Nothing confident, or a rule sending it to the secretariat (programme-wide matters):
        # its triage queue, where it chooses the agency. It answers nothing itself.
        agency, status, method = (
            await directory_service.secretariat(session),
            ProposalStatus.TRIAGE,
            RoutingMethod.TRIAGE,
        )
    else:
        status = ProposalStatus.ROUTED
        confident_without = without.agency == decision.agency and without.confidence >= threshold
        method = RoutingMethod.RULE if confident_without else RoutingMethod.PRECEDENT
    assert agency.id is not None

    record = RoutingDecision(
        proposal_id=proposal.id,
        agency_id=agency.id,
        method=method,
        confidence=decision.confidence,
        reasons=_reasons(decision, method, threshold),
        suggestions=_suggestions(decision.suggestions),
        created_at=now,
    )
    duplicate = await _duplicate_of(session, search, proposal)
    if duplicate is not None and duplicate.id != proposal.id:
        record.reasons.append(why.near_duplicate(duplicate.tracking_code).stored())
    else:
        duplicate = None
    partners: list[Agency] = []
    if status is ProposalStatus.ROUTED:
        for code in decision.cooperating:
            partner = await directory.get_agency_by_code(session, code)
            if (
                partner is not None
                and partner.id is not None
                and partner.id != agency.id
                # A rule stored before the secretariat was refused as a cooperating agency.
                and partner.kind is not AgencyKind.SECRETARIAT
            ):
                partners.append(partner)
    return RoutingPlan(
        proposal.id,
        _basis(proposal),
        agency,
        status,
        decision,
        record,
        duplicate,
        tuple(partners),
        frozenset(precedent.countable(mine)),
        now,
    )


async def record_routing(
    session: AsyncSession, plan: RoutingPlan, settings: Settings
) -> Routed | None:
    """Write a decided routing, in the caller's (short) write transaction, if the proposal is
    still as it was when decided; None when it was routed meanwhile or is gone. Raises
    RoutingOutdated when it changed but still waits for routing: decide again."""
    proposal = await proposals.get(session, plan.proposal_id, for_update=True)
    if proposal is None or proposal.status is not ProposalStatus.SUBMITTED:
        return None
    if _basis(proposal) != plan.basis:
        raise RoutingOutdated(str(plan.proposal_id))
    assert proposal.id is not None
    agency, status, record, now = plan.agency, plan.status, plan.record, plan.now
    assert agency.id is not None
    await routing.count_terms(session, plan.terms)
    routing.add(session, record)
    if plan.duplicate is not None:
        proposal.duplicate_of_id = plan.duplicate.id

    proposal.status, proposal.agency_id, proposal.updated_at = status, agency.id, now
    if status is ProposalStatus.TRIAGE:
        # The answer's clock starts when an agency is assigned, as the tracking page says.
        proposal.acknowledge_deadline = proposal.deadline = None
    else:
        due = await deadlines(session, proposal, agency, settings, now)
        proposal.acknowledge_deadline, proposal.deadline = due.acknowledge, due.respond
    event = ProposalEvent(
        proposal_id=proposal.id,
        from_status=ProposalStatus.SUBMITTED,
        status=status,
        agency_id=agency.id,
        actor="system",
        note="; ".join(why.english(record.reasons)),
        reasons=list(record.reasons),
        at=now,
    )
    proposals.add(session, event)
    if await proposals.get_assignment(session, proposal.id, agency.id) is None:
        proposals.add(session, ProposalAgency(proposal_id=proposal.id, agency_id=agency.id))
    for partner in plan.partners:
        assert partner.id is not None
        proposals.add(
            session,
            ProposalAgency(
                proposal_id=proposal.id,
                agency_id=partner.id,
                role=AssignmentRole.COOPERATING,
            ),
        )
    outbox.add_job(session, INDEX_JOB, {"proposal_id": proposal.id})

    # Each mail names the agencies as they are now, not as they are when it is sent: the lead,
    # and for a cooperating agency's reviewers, that they are asked to cooperate.
    mailings: list[tuple[list[User], dict[str, Any]]] = []
    if status is ProposalStatus.TRIAGE:
        kind = mail.TRIAGE
        mailings.append((await accounts.secretariat_staff(session), {}))
    else:
        kind = mail.ASSIGNMENT
        lead = {"agency_id": agency.id}
        mailings.append((await accounts.agency_reviewers(session, agency.id), lead))
        for partner in plan.partners:
            assert partner.id is not None
            partners = await accounts.agency_reviewers(session, partner.id)
            mailings.append((partners, lead | {"cooperating_agency_id": partner.id}))
    await session.flush()
    events.announce(session, event)
    for users, context in mailings:
        await notifications.queue(
            session,
            event_key=f"proposal-event:{event.id}:{kind.template}",
            recipients=notifications.recipients_of(users),
            template=kind.template,
            proposal_id=proposal.id,
            context=context,
        )
    return Routed(proposal, agency, status, record)


def _reasons(
    decision: engine.Decision, method: RoutingMethod, threshold: float
) -> list[why.Stored]:
    if decision.agency is None:
        return [why.nothing().stored()]
    confidence = round(decision.confidence, 2)
    if method is RoutingMethod.TRIAGE and decision.confidence < threshold:
        first = why.below_threshold(confidence, threshold)
    else:
        first = why.confidence(decision.agency, confidence)
    return [first.stored(), *(r.stored() for r in decision.reasons)]


def _suggestions(suggestions: Sequence[engine.Suggestion]) -> list[dict[str, Any]]:
    return [
        {"agency": s.agency, "score": s.score, "reasons": [r.stored() for r in s.reasons]}
        for s in suggestions
    ]


def _recipients(users: list[User]) -> list[notifications.Recipient]:
    return [notifications.Recipient(u.email, u.language) for u in users]


async def readable_codes(
    session: AsyncSession, scope: Scope, codes: Iterable[str]
) -> Container[str] | None:
    """Which of the submissions cited by routing reasons (`codes`) the scope may read, for
    reasons.Names.readable: None, without a query, when it may read every one."""
    if scope.everything:
        return None
    wanted = set(codes)
    return (
        frozenset(await routing.readable_codes(session, scope, wanted)) if wanted else frozenset()
    )


async def routing_notes(
    session: AsyncSession, scope: Scope, proposal_ids: Sequence[int]
) -> dict[int, dict[int, str]]:
    """The routing job's notes on these submissions' timelines that cite submissions the scope
    may not read, as it may read them: {proposal id: {event id: note}}, in two queries (none
    for the secretariat). The other notes read as they are stored."""
    if scope.everything or not proposal_ids:
        return {}
    rows = [
        (event_id, proposal_id, reasons or why.from_note(note))
        for event_id, proposal_id, note, reasons in await routing.citing_events(
            session, proposal_ids
        )
    ]
    readable = await readable_codes(session, scope, why.cited(r for _, _, rs in rows for r in rs))
    notes: dict[int, dict[int, str]] = {}
    for event_id, proposal_id, reasons in rows:
        if readable is not None and any(c not in readable for c in why.cited(reasons)):
            notes.setdefault(proposal_id, {})[event_id] = "; ".join(why.english(reasons, readable))
    return notes


async def latest_decision(session: AsyncSession, proposal_id: int) -> RoutingDecision | None:
    decisions = await routing.decisions(session, proposal_id)
    return decisions[-1] if decisions else None


async def record_secretariat_routing(
    session: AsyncSession, proposal: Proposal, agency: Agency, actor: str, note: str
) -> RoutingDecision:
    """The secretariat assigned or transferred the submission: that is the routing that now
    stands (and the precedent for the next like it); earlier ones elsewhere did not stand."""
    assert proposal.id is not None
    previous = await routing.decisions(session, proposal.id)
    for decision in previous:
        if decision.agency_id != agency.id:
            decision.stood = False
    record = RoutingDecision(
        proposal_id=proposal.id,
        agency_id=agency.id,
        method=RoutingMethod.SECRETARIAT,
        confidence=1.0,
        reasons=[why.decided(agency.code, actor).stored(), *([note] if note else [])],
        excluded=list(previous[-1].excluded) if previous else [],
    )
    routing.add(session, record)
    return record


async def record_decline(
    session: AsyncSession, proposal: Proposal, declining: Agency, reason: str, actor: str
) -> RoutingDecision:
    """An agency declined: its routing did not stand, and the next suggestions leave out every
    agency that has declined this submission."""
    assert proposal.id is not None
    previous = await routing.decisions(session, proposal.id)
    excluded = list(previous[-1].excluded) if previous else []
    if declining.code not in excluded:
        excluded.append(declining.code)
    for earlier in previous:
        if earlier.agency_id == declining.id:
            earlier.stood = False
    state = await snapshot(session)
    submission = await submission_of(session, proposal)
    decision = engine.decide(engine.score(state, submission, exclude=excluded), state.rules)
    secretariat = await directory_service.secretariat(session)
    record = RoutingDecision(
        proposal_id=proposal.id,
        agency_id=secretariat.id,
        method=RoutingMethod.TRIAGE,
        confidence=decision.confidence,
        reasons=[why.declined(declining.code, actor, reason).stored()],
        suggestions=_suggestions(decision.suggestions),
        excluded=excluded,
    )
    routing.add(session, record)
    return record


# The rule table and the agencies' competences, edited by the secretariat with history.


async def known_directory(session: AsyncSession) -> Known:
    agencies = [a for a in await directory.list_agencies(session) if a.is_active]
    return Known(
        agencies={a.code for a in agencies},
        categories={c.code for c in await directory.list_categories(session)},
        provinces={p.code for p in await directory.list_provinces(session)},
        secretariat={a.code for a in agencies if a.kind is AgencyKind.SECRETARIAT},
    )


def rule_values(rule: RoutingRule) -> dict[str, Any]:
    """A rule as its history records it."""
    return {
        "position": rule.position,
        "kind": ";".join(rule.kinds),
        "category": ";".join(rule.categories),
        "province": rule.province or "",
        "keywords_vi": ";".join(rule.keywords_vi),
        "keywords_en": ";".join(rule.keywords_en),
        "lead": rule.lead,
        "cooperating": ";".join(rule.cooperating),
        "weight": rule.weight,
        "active": rule.active,
        "note": rule.note,
    }


def _apply(rule: RoutingRule, record: RuleRecord, actor: str) -> None:
    rule.kinds, rule.categories = list(record.kinds), list(record.categories)
    rule.province, rule.lead, rule.cooperating = (
        record.province,
        record.lead,
        list(record.cooperating),
    )
    rule.keywords_vi, rule.keywords_en = list(record.keywords_vi), list(record.keywords_en)
    rule.weight, rule.active, rule.note = record.weight, record.active, record.note
    rule.updated_by, rule.updated_at = actor, utcnow()


async def load_rules(session: AsyncSession, records: Sequence[RuleRecord], actor: str) -> bool:
    """Make the rule table the file's, recording every rule removed and added; False when it
    already was."""
    existing = await routing.list_rules(session)
    wanted = []
    for record in records:
        rule = RoutingRule(position=record.position, lead=record.lead)
        _apply(rule, record, actor)
        wanted.append(rule)
    if [_comparable(r) for r in existing] == [_comparable(r) for r in wanted]:
        return False
    for rule in existing:
        routing.add(
            session,
            RuleChange(rule_id=rule.id, action="deleted", actor=actor, old=rule_values(rule)),
        )
        await routing.remove(session, rule)
    await session.flush()
    for rule in wanted:
        routing.add(session, rule)
        await session.flush()
        routing.add(
            session,
            RuleChange(rule_id=rule.id, action="created", actor=actor, new=rule_values(rule)),
        )
    await session.flush()
    return True


def _comparable(rule: RoutingRule) -> dict[str, Any]:
    return rule_values(rule)


async def save_rule(
    session: AsyncSession,
    actor: str,
    values: dict[str, str],
    language: Language,
    rule_id: int | None = None,
) -> RoutingRule:
    """Create a rule (rule_id None) or change one; raises ValidationFailed naming each field,
    RuleNotFound for an unknown id."""
    _ = translations(language).gettext
    rule = None
    if rule_id is not None:
        rule = await routing.get_rule(session, rule_id)
        if rule is None:
            raise RuleNotFound(str(rule_id))
    rules = await routing.list_rules(session)
    position_text = values.get("position", "")
    default_position = rule.position if rule else max((r.position for r in rules), default=0) + 1
    record, problems = check_rule(values, await known_directory(session), default_position, _)
    errors = [FieldError(_field(f), code, m) for f, code, m in problems]
    position = default_position
    if position_text:
        typed = whole_number(position_text, MAX_POSITION)
        if typed is not None and typed >= 1:
            position = typed
        else:
            message = _("Choose a position from 1 to %(max)s.") % {"max": MAX_POSITION}
            errors.append(FieldError("position", "invalid", message))
    if errors or record is None:
        raise ValidationFailed(errors)
    old = rule_values(rule) if rule else None
    if rule is None:
        rule = RoutingRule(position=position, lead=record.lead)
    _apply(rule, record, actor)
    rule.position = position
    routing.add(session, rule)
    await session.flush()
    action = "changed" if old is not None else "created"
    routing.add(
        session,
        RuleChange(rule_id=rule.id, action=action, actor=actor, old=old, new=rule_values(rule)),
    )
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, actor: str, rule_id: int) -> None:
    rule = await routing.get_rule(session, rule_id)
    if rule is None:
        raise RuleNotFound(str(rule_id))
    routing.add(
        session, RuleChange(rule_id=rule.id, action="deleted", actor=actor, old=rule_values(rule))
    )
    await routing.remove(session, rule)
    await session.flush()


async def update_agency_competences(
    session: AsyncSession,
    actor: str,
    agency_code: str,
    language: Language,
    *,
    categories: Sequence[str],
    keywords_vi: Sequence[str],
    keywords_en: Sequence[str],
) -> Agency:
    """The secretariat's edit of what an agency is competent for, recorded as a directory
    change (who, when, old, new); the next `intake directory load` brings the files back."""
    _ = translations(language).gettext
    agency = await directory.get_agency_by_code(session, agency_code.strip().upper())
    if agency is None or agency.id is None:
        message = _("Choose an agency from the directory.")
        raise ValidationFailed([FieldError("agencyCode", "unknown", message)])
    codes = {a.id: a.code for a in await directory.list_agencies(session)}
    defaults = {
        c.code: codes.get(c.agency_id) if c.agency_id is not None else None
        for c in await directory.list_categories(session)
    }
    wanted = list(dict.fromkeys(c.strip().upper() for c in categories if c.strip()))
    problems: list[FieldError] = []
    unknown = [c for c in wanted if c not in defaults]
    left_out = checks.defaults_left_out(agency.code, wanted, defaults)
    if unknown:
        message = _('Unknown category code "%(value)s".') % {"value": unknown[0]}
        problems.append(FieldError("categories", "unknown", message))
    elif left_out:
        # The loader refuses a default agency not competent for its category: so does this.
        message = translations(language).ngettext(
            "%(agency)s is the default agency of %(categories)s and must stay competent for it.",
            "%(agency)s is the default agency of %(categories)s and must stay competent for them.",
            len(left_out),
        ) % {"agency": agency.code, "categories": ", ".join(left_out)}
        problems.append(FieldError("categories", "default_agency", message))
    clean_vi = list(dict.fromkeys(normalize(k).strip() for k in keywords_vi if k.strip()))
    clean_en = list(dict.fromkeys(normalize(k).strip() for k in keywords_en if k.strip()))
    for field_name, clean in (("keywordsVi", clean_vi), ("keywordsEn", clean_en)):
        fault = keywords_problem(clean, _)
        if fault is not None:
            problems.append(FieldError(field_name, *fault))
    if problems:
        raise ValidationFailed(problems)
    links = {
        link.category_code: link
        for link in await directory.list_agency_categories(session)
        if link.agency_id == agency.id
    }
    changes: list[tuple[str, str, str]] = []
    if sorted(links) != sorted(wanted):
        changes.append(("categories", ";".join(sorted(links)), ";".join(sorted(wanted))))
        for code, link in links.items():
            if code not in wanted:
                await directory.remove(session, link)
        for code in wanted:
            if code not in links:
                directory.add(session, AgencyCategory(agency_id=agency.id, category_code=code))
    for name, new in (("keywords_vi", clean_vi), ("keywords_en", clean_en)):
        old: list[str] = getattr(agency, name)
        if old != new:
            changes.append((name, ";".join(old), ";".join(new)))
            setattr(agency, name, new)
    await directory_service.record_agency_edits(session, actor, agency.code, changes)
    await session.flush()
    return agency


# A rule's columns (rules.csv, the history) as SaveRoutingRuleInput names them; the others,
# position, province, lead, cooperating, weight, active and note, are named alike.
RULE_INPUT_FIELDS = {
    "kind": "kinds",
    "category": "categories",
    "keywords_vi": "keywordsVi",
    "keywords_en": "keywordsEn",
}


def _field(column: str) -> str:
    """A rule's column as the API's input names it."""
    return RULE_INPUT_FIELDS.get(column, column)
