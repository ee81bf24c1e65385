"""routing rule ids are never reused: AUTOINCREMENT on SQLite, where a rule table rebuilt by
`intake rules load` handed the deleted rules' ids (and so their histories) to the new rules

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL's sequences never hand out an id twice: nothing to do there.


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Rebuilt with its rows and ids (batch mode copies them over).
    with op.batch_alter_table(
        "routing_rules", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass
    # Ids of rules deleted before now are named in the history too: the next rule starts past
    # every id the table or its history has known.
    highest = bind.execute(
        sa.text(
            "SELECT max(coalesce((SELECT max(id) FROM routing_rules), 0),"
            " coalesce((SELECT max(rule_id) FROM routing_rule_changes), 0))"
        )
    ).scalar_one()
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'routing_rules'"))
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('routing_rules', :seq)"),
        {"seq": highest},
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "routing_rules", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'routing_rules'"))
