"""routing reasons of timeline events and account changes stored structured, so that pages
render them in the reader's language

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Existing account changes get their `changes` parsed from `detail` (which the code wrote in
one fixed form: "role: A → B; agency: C → D", or "role: A; agency: B" on creation). Existing
routing reasons (decisions, their suggestions, the routing job's timeline events) are parsed
from the English sentences the engine wrote; a reason is converted only when writing it back
gives the very same text, so anything else (a secretariat's note, a form this parser does not
know) stays plain text, which pages show as it is.

Reversible: downgrade writes the converted reasons back as the same English text and drops the
two columns; proposal_events.note and account_changes.detail were never changed.
"""

import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reasons", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.JSON(), server_default="[]", nullable=False))
    changes = sa.table(
        "account_changes",
        sa.column("id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("detail", sa.Text()),
        sa.column("changes", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(changes.c.id, changes.c.action, changes.c.detail).where(changes.c.detail != "")
    ).all()
    for row_id, action, detail in rows:
        parsed = parse_detail(action, detail)
        if parsed:
            connection.execute(
                changes.update().where(changes.c.id == row_id).values(changes=parsed)
            )

    _convert_reasons(connection, parse_reason)
    events = sa.table(
        "proposal_events",
        sa.column("id", sa.Integer()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("note", sa.Text()),
        sa.column("reasons", sa.JSON()),
    )
    routing_events = sa.select(events.c.id, events.c.note).where(
        events.c.actor == "system", events.c.action == "", events.c.note != ""
    )
    for row_id, note in connection.execute(routing_events).all():
        parsed = [parse_reason(part) for part in note.split("; ")]
        if all(isinstance(reason, dict) for reason in parsed):
            connection.execute(events.update().where(events.c.id == row_id).values(reasons=parsed))


_DECISIONS = sa.table(
    "routing_decisions",
    sa.column("id", sa.Integer()),
    sa.column("reasons", sa.JSON()),
    sa.column("suggestions", sa.JSON()),
)


def _convert_reasons(connection: sa.Connection, convert: Callable[[Any], Any]) -> None:
    rows = connection.execute(
        sa.select(_DECISIONS.c.id, _DECISIONS.c.reasons, _DECISIONS.c.suggestions)
    ).all()
    for row_id, reasons, suggestions in rows:
        new_reasons = [convert(r) for r in reasons or []]
        new_suggestions = [
            {**s, "reasons": [convert(r) for r in s.get("reasons", [])]} for s in suggestions or []
        ]
        if new_reasons != reasons or new_suggestions != suggestions:
            connection.execute(
                _DECISIONS.update()
                .where(_DECISIONS.c.id == row_id)
                .values(reasons=new_reasons, suggestions=new_suggestions)
            )


_CITED = re.compile(r"(\S+) \((\d+\.\d\d)\)")
_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], dict[str, Any]]]] = [
    (re.compile(r"no rule, competence or precedent points at any agency"), lambda m: {}),
    (
        re.compile(r"rule (\d+)(?:: (.*))?", re.DOTALL),
        lambda m: {"position": int(m[1]), "note": m[2] or ""},
    ),
    (re.compile(r"keywords: (.+)", re.DOTALL), lambda m: {"keywords": m[1].split(", ")}),
    (re.compile(r"competent for (\S+)"), lambda m: {"category": m[1]}),
    (re.compile(r"subject of the title: (.+)", re.DOTALL), lambda m: {"keyword": m[1]}),
    (
        re.compile(r"precedent: (.+)"),
        lambda m: {"cases": [{"code": c, "similarity": float(v)} for c, v in _CITED.findall(m[1])]},
    ),
    (
        re.compile(r"(\S+): confidence (\d+\.\d\d)"),
        lambda m: {"agency": m[1], "confidence": float(m[2])},
    ),
    (
        re.compile(r"confidence (\d+\.\d\d) is below (\d+\.\d\d): the secretariat decides"),
        lambda m: {"confidence": float(m[1]), "threshold": float(m[2])},
    ),
    (re.compile(r"near-duplicate of (\S+)"), lambda m: {"code": m[1]}),
    (re.compile(r"(\S+): decided by (\S+)"), lambda m: {"agency": m[1], "actor": m[2]}),
    (
        re.compile(r"declined by (\S+) \(([^)]*)\): (.*)", re.DOTALL),
        lambda m: {"agency": m[1], "actor": m[2], "reason": m[3]},
    ),
]
_CODES = [
    "none",
    "rule",
    "keywords",
    "competence",
    "title_subject",
    "precedent",
    "confidence",
    "below_threshold",
    "near_duplicate",
    "decided",
    "declined",
]


def parse_reason(value: Any) -> Any:
    """An English reason as {"code", "args"}, when writing it back gives the same text; the
    value as it is otherwise."""
    if not isinstance(value, str):
        return value
    for (pattern, arguments), code in zip(_FORMS, _CODES, strict=True):
        match = pattern.fullmatch(value)
        if match is not None:
            reason = {"code": code, "args": arguments(match)}
            return reason if english(reason) == value else value
    return value


def english(value: Any) -> Any:
    """A reason as the engine wrote it before reasons had codes; other values as they are."""
    if not isinstance(value, dict):
        return value
    code, args = value.get("code"), value.get("args", {})
    forms: dict[str, Callable[[], str]] = {
        "none": lambda: "no rule, competence or precedent points at any agency",
        "rule": lambda: f"rule {args['position']}: {args['note']}".rstrip(": "),
        "keywords": lambda: f"keywords: {', '.join(args['keywords'])}",
        "competence": lambda: f"competent for {args['category']}",
        "title_subject": lambda: f"subject of the title: {args['keyword']}",
        "precedent": lambda: (
            "precedent: " + ", ".join(f"{c['code']} ({c['similarity']:.2f})" for c in args["cases"])
        ),
        "confidence": lambda: f"{args['agency']}: confidence {args['confidence']:.2f}",
        "below_threshold": lambda: (
            f"confidence {args['confidence']:.2f} is below "
            f"{args['threshold']:.2f}: the secretariat decides"
        ),
        "near_duplicate": lambda: f"near-duplicate of {args['code']}",
        "decided": lambda: f"{args['agency']}: decided by {args['actor']}",
        "declined": lambda: f"declined by {args['agency']} ({args['actor']}): {args['reason']}",
    }
    return forms[code]() if code in forms else value


def parse_detail(action: str, detail: str) -> list[dict[str, Any]]:
    """ "role: REVIEWER → AGENCY_ADMIN; agency: BKHCN → —" as (field, before, after) items;
    nothing for text of another form."""
    items: list[dict[str, Any]] = []
    for part in detail.split("; "):
        name, colon, value = part.partition(": ")
        if not colon or name not in ("role", "agency"):
            return []
        before, arrow, after = value.partition(" → ")
        if not arrow:
            if action != "created":
                return []
            before, after = "", value
        items.append(
            {
                "field": name,
                "before": None if before in ("", "—") else before,
                "after": None if after in ("", "—") else after,
            }
        )
    return items


def downgrade() -> None:
    _convert_reasons(op.get_bind(), english)
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.drop_column("changes")
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_column("reasons")
