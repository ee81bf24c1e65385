"""routing

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import service.db  # noqa: F401  (custom column types)
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('routing_rule_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('routing_rule_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rule_changes_rule_id'), ['rule_id'], unique=False)

    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('province', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('keywords_vi', sa.JSON(), nullable=False),
    sa.Column('keywords_en', sa.JSON(), nullable=False),
    sa.Column('lead', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('cooperating', sa.JSON(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('updated_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_rules_position'), ['position'], unique=False)

    op.create_table('deadline_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('category_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('acknowledge_days', sa.Integer(), nullable=True),
    sa.Column('respond_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('routing_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.Enum('RULE', 'PRECEDENT', 'TRIAGE', 'SECRETARIAT', name='routingmethod', native_enum=False, length=20), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('suggestions', sa.JSON(), nullable=False),
    sa.Column('excluded', sa.JSON(), nullable=False),
    sa.Column('stood', sa.Boolean(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', service.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_decisions_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledge_deadline', service.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_extended', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('paused_at', service.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposals_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_foreign_key('fk_proposals_duplicate_of_id', 'proposals', ['duplicate_of_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint('fk_proposals_duplicate_of_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposals_duplicate_of_id'))
        batch_op.drop_column('paused_at')
        batch_op.drop_column('deadline_extended')
        batch_op.drop_column('acknowledge_deadline')
        batch_op.drop_column('duplicate_of_id')

    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_decisions_proposal_id'))

    op.drop_table('routing_decisions')
    op.drop_table('deadline_rules')
    with op.batch_alter_table('routing_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rules_position'))

    op.drop_table('routing_rules')
    with op.batch_alter_table('routing_rule_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_rule_changes_rule_id'))

    op.drop_table('routing_rule_changes')
