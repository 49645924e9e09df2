"""the erasure register keeps the supervisor's decision memo (ADR 0055)

Revision ID: 0033_erasure_decision_memo
Revises: 0032_impact_assessment_reviews
Create Date: 2026-12-06 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033_erasure_decision_memo"
down_revision = "0032_impact_assessment_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erasures") as batch:
        batch.add_column(sa.Column("decision_number", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("decision_issued_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("erasures") as batch:
        batch.drop_column("decision_issued_on")
        batch.drop_column("decision_number")
