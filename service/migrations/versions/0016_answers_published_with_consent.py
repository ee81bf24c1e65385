"""answers published with consent only: an answer stored as published before that rule, on a
submission whose submitter did not consent to publication, is marked unpublished (no page
showed it; the API said `published: true`)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    responses = sa.table("responses", sa.column("proposal_id"), sa.column("published", sa.Boolean))
    proposals = sa.table("proposals", sa.column("id"), sa.column("consent_to_publish", sa.Boolean))
    without_consent = sa.select(proposals.c.id).where(proposals.c.consent_to_publish.is_(False))
    op.execute(
        responses.update()
        .where(responses.c.published.is_(True))
        .where(responses.c.proposal_id.in_(without_consent))
        .values(published=False)
    )


def downgrade() -> None:
    # Which answers were marked unpublished is not recorded, and none was shown: nothing to undo.
    pass
