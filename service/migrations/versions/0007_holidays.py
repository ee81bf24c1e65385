"""holidays in the database, seeded with Vietnam's; the history of account changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

import service.db  # noqa: F401  (custom column types)
from alembic import op
from service.calendar import VIETNAM_HOLIDAY_NAMES


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    holidays = op.create_table('holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('updated_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('holiday_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('old_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('new_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('holiday_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_changes_day'), ['day'], unique=False)
    op.create_table('account_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_changes_user_id'), ['user_id'], unique=False)

    # Vietnam's published holidays, as the settings default held them before this table.
    seeded_at = datetime(2026, 12, 1, tzinfo=UTC)
    op.bulk_insert(holidays, [
        {"day": day, "name": name, "updated_by": "migration", "updated_at": seeded_at}
        for day, name in sorted(VIETNAM_HOLIDAY_NAMES.items())
    ])


def downgrade() -> None:
    with op.batch_alter_table('account_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_changes_user_id'))
    op.drop_table('account_changes')
    with op.batch_alter_table('holiday_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_changes_day'))
    op.drop_table('holiday_changes')
    op.drop_table('holidays')
