"""The routing rules, every routing decision with its reasons, and the history of rule edits."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class RoutingRule(SQLModel, table=True):
    """One row of the ordered rule table (see service.routing.engine for what a rule does)."""

    __tablename__ = "routing_rules"
    # A rule's id names its history: SQLite would otherwise hand a deleted rule's id to the
    # next rule (a load replaces every rule), mixing two rules' histories. PostgreSQL's
    # sequences never reuse an id.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(index=True)
    kinds: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # empty: any kind
    categories: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    province: str | None = Field(default=None, max_length=40)  # a code or "@submission"
    keywords_vi: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    keywords_en: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    lead: str = Field(max_length=40)  # an agency code or "@committee"
    cooperating: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    weight: float = 1.0
    active: bool = True
    note: str = Field(default="", sa_type=sa.Text)
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TermCount(SQLModel, table=True):
    """In how many routed submissions a folded word or word pair occurs (precedent weighs words
    by their rarity); the row with the empty term counts the submissions themselves."""

    __tablename__ = "routing_term_counts"

    term: str = Field(primary_key=True, max_length=100)
    documents: int = 0


class RuleChange(SQLModel, table=True):
    """Who created, changed or deleted which rule, when, from what to what (JSON)."""

    __tablename__ = "routing_rule_changes"

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int | None = Field(default=None, index=True)  # kept after the rule is deleted
    action: str = Field(max_length=20)  # created, changed, deleted
    actor: str = Field(max_length=254)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    old: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    new: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class RoutingMethod(enum.StrEnum):
    RULE = "RULE"  # rules and competences decided confidently
    PRECEDENT = "PRECEDENT"  # earlier submissions tipped it
    TRIAGE = "TRIAGE"  # not confident: the secretariat's queue, with suggestions
    SECRETARIAT = "SECRETARIAT"  # the secretariat assigned or transferred it


class RoutingDecision(SQLModel, table=True):
    """Where a submission was sent and why; `stood` turns False when it is declined or
    transferred away, so that only decisions that stood serve as precedent."""

    __tablename__ = "routing_decisions"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    method: RoutingMethod = Field(sa_type=sa.Enum(RoutingMethod, native_enum=False, length=20))
    confidence: float = 0.0
    # Each reason {"code": ..., "args": {...}} (see service.routing.reasons); a plain string in
    # decisions recorded before reasons were structured, and for a secretariat's note.
    reasons: list[str | dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    # [{"agency": code, "score": float, "reasons": [reason]}], best first
    suggestions: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    excluded: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # agencies that declined
    stood: bool = True
    actor: str = Field(default="system", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeadlineRule(SQLModel, table=True):
    """Business days to acknowledge and respond for a kind, an agency, a category or a mix;
    the most specific matching rule gives each figure (see service.routing.deadlines)."""

    __tablename__ = "deadline_rules"

    id: int | None = Field(default=None, primary_key=True)
    kind: str | None = Field(default=None, max_length=24)
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    category_code: str | None = Field(default=None, foreign_key="categories.code", max_length=40)
    acknowledge_days: int | None = None
    respond_days: int | None = None
