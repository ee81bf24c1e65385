"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import service.db  # noqa: F401  (custom column types)
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "MINISTRY",
                "PROVINCE",
                "SECRETARIAT",
                name="agencykind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("PENDING", "DONE", name="outboxstate", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("available_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["state", "available_at"], unique=False)

    op.create_table(
        "categories",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "provinces",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("is_city", sa.Boolean(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "REVIEWER",
                "AGENCY_ADMIN",
                "SECRETARIAT",
                "ADMIN",
                name="role",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PROPOSAL",
                "OBSTACLE",
                "RECOMMENDATION",
                name="proposalkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "TRIAGE",
                "ROUTED",
                "ACKNOWLEDGED",
                "NEEDS_INFO",
                "RESPONDED",
                "CLOSED",
                "REJECTED",
                "MERGED",
                "WITHDRAWN",
                name="proposalstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("legal_references", sa.Text(), nullable=False),
        sa.Column("category_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("province_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column(
            "submitter_type",
            sa.Enum(
                "CITIZEN",
                "ENTERPRISE",
                "UNIVERSITY",
                "RESEARCH_INSTITUTE",
                "MINISTRY_OR_AGENCY",
                "LOCALITY",
                "ORGANISATION",
                "OVERSEAS_EXPERT",
                name="submittertype",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("submitter_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("submitter_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("submitter_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "submitter_organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False
        ),
        sa.Column("consent_to_publish", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("deadline", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["categories.code"],
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_code"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposals_category_code"), ["category_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_published"), ["published"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "PENDING", "SENT", "FAILED", name="notificationstate", native_enum=False, length=10
            ),
            nullable=False,
        ),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", service.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_key", "recipient", name="uq_notification_once"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_agencies",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.PrimaryKeyConstraint("proposal_id", "agency_id"),
    )
    with op.batch_alter_table("proposal_agencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_agencies_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "proposal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "SUBMITTED",
                "TRIAGE",
                "ROUTED",
                "ACKNOWLEDGED",
                "NEEDS_INFO",
                "RESPONDED",
                "CLOSED",
                "REJECTED",
                "MERGED",
                "WITHDRAWN",
                name="proposalstatus",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "TRIAGE",
                "ROUTED",
                "ACKNOWLEDGED",
                "NEEDS_INFO",
                "RESPONDED",
                "CLOSED",
                "REJECTED",
                "MERGED",
                "WITHDRAWN",
                name="proposalstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", service.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_events_proposal_id"), ["proposal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_events_proposal_id"))

    op.drop_table("proposal_events")
    with op.batch_alter_table("proposal_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_agencies_agency_id"))

    op.drop_table("proposal_agencies")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_proposal_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_published"))
        batch_op.drop_index(batch_op.f("ix_proposals_created_at"))
        batch_op.drop_index(batch_op.f("ix_proposals_content_hash"))
        batch_op.drop_index(batch_op.f("ix_proposals_category_code"))
        batch_op.drop_index(batch_op.f("ix_proposals_agency_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_agency_id"))

    op.drop_table("users")
    op.drop_table("provinces")
    op.drop_table("categories")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
    op.drop_table("agencies")
