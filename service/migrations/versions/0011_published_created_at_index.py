"""an index on proposals (published, created_at, id), so that a page of what a scope may read
takes the newest or oldest published submissions in order instead of sorting them all

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_proposals_published_created_at",
        "proposals",
        ["published", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_proposals_published_created_at", table_name="proposals")
