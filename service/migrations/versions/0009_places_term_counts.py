"""places inside provinces (former cities and districts, well-known areas); routing's counts
of the submissions each word occurs in

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import service.db  # noqa: F401  (custom column types)
from alembic import op


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("province_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"]),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_places_province_code"), ["province_code"], unique=False
        )
    op.create_table(
        "routing_term_counts",
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term"),
    )


def downgrade() -> None:
    op.drop_table("routing_term_counts")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_province_code"))
    op.drop_table("places")
