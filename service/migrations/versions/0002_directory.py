"""directory: versioned loads, change history, competences, aliases of merged provinces

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import service.db  # noqa: F401  (custom column types)
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    op.create_table(
        "directory_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("checksum", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("loaded_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "directory_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["directory_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("directory_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_changes_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "agency_categories",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.ForeignKeyConstraint(["category_code"], ["categories.code"]),
        sa.PrimaryKeyConstraint("agency_id", "category_code"),
    )
    op.create_table(
        "province_aliases",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("province_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"]),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("province_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_province_aliases_province_code"), ["province_code"], unique=False
        )

    # Rows loaded before this migration get empty lists and stay active; the next
    # `intake directory load` fills them in. The foundation never set the single email column.
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("emails", sa.JSON(), nullable=False, server_default=_EMPTY_LIST)
        )
        batch_op.add_column(
            sa.Column("keywords_vi", sa.JSON(), nullable=False, server_default=_EMPTY_LIST)
        )
        batch_op.add_column(
            sa.Column("keywords_en", sa.JSON(), nullable=False, server_default=_EMPTY_LIST)
        )
        batch_op.add_column(sa.Column("acknowledge_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("respond_days", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.create_foreign_key(
            "fk_agencies_parent_id_agencies", "agencies", ["parent_id"], ["id"]
        )
        batch_op.drop_column("email")

    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )

    with op.batch_alter_table("provinces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("provinces", schema=None) as batch_op:
        batch_op.drop_column("is_active")

    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_column("is_active")

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email",
                sqlmodel.sql.sqltypes.AutoString(length=254),
                nullable=False,
                server_default="",
            )
        )
        batch_op.drop_constraint("fk_agencies_parent_id_agencies", type_="foreignkey")
        batch_op.drop_column("is_active")
        batch_op.drop_column("respond_days")
        batch_op.drop_column("acknowledge_days")
        batch_op.drop_column("keywords_en")
        batch_op.drop_column("keywords_vi")
        batch_op.drop_column("emails")
        batch_op.drop_column("parent_id")

    with op.batch_alter_table("province_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_province_aliases_province_code"))

    op.drop_table("province_aliases")
    op.drop_table("agency_categories")
    with op.batch_alter_table("directory_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_changes_version_id"))

    op.drop_table("directory_changes")
    op.drop_table("directory_versions")
