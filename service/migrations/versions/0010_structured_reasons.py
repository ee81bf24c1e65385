"""routing reasons of timeline events and account changes stored structured, so that pages
render them in the reader's language

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Existing account changes get their `changes` parsed from `detail` (which the code wrote in
one fixed form: "role: A → B; agency: C → D", or "role: A; agency: B" on creation). Existing
routing reasons stay plain text, which pages show as it is.

Reversible: downgrade drops the two columns; the English text in proposal_events.note and
account_changes.detail, kept alongside, is what it was.
"""

from collections.abc import Sequence
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
    with op.batch_alter_table("account_changes", schema=None) as batch_op:
        batch_op.drop_column("changes")
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_column("reasons")
