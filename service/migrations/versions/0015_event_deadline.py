"""event deadline: the response deadline a step set, so that the timeline of an extended
submission says until when

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa

import service.db  # noqa: F401  (custom column types)
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposal_events") as batch_op:
        batch_op.add_column(
            sa.Column("deadline", service.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_events") as batch_op:
        batch_op.drop_column("deadline")
