"""notifications: delivery claims, digests, opt-outs

Notification states SENDING and SKIPPED fit the existing non-native enum column (length 10).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import service.db  # noqa: F401  (custom column types)
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mail_opt_outs',
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('email')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('claimed_at', service.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', service.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_notifications_state', ['state'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notification_mode', sa.Enum('INSTANT', 'DIGEST', name='notificationmode', native_enum=False, length=10), server_default='INSTANT', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notification_mode')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_state')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('context')

    op.drop_table('mail_opt_outs')
