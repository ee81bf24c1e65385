"""deadline notices: the steps of each deadline's mail already taken, so that the schedule
passes over overdue submissions it has escalated

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa

import service.db  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_notices",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("deadline", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "REMINDER", "AGENCY", "SECRETARIAT",
                name="deadlinestep", native_enum=False, length=12,
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.PrimaryKeyConstraint("proposal_id", "deadline", "step"),
    )


def downgrade() -> None:
    op.drop_table("deadline_notices")
