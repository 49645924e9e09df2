"""the data-protection officer's reviews of the impact assessment (ADR 0060)

Revision ID: 0032_impact_assessment_reviews
Revises: 0031_breaches
Create Date: 2026-12-06 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032_impact_assessment_reviews"
down_revision = "0031_breaches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_assessment_reviews",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("assessment_sha256", sa.String(length=64), nullable=False),
        sa.Column("conclusion", sa.String(length=32), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("review_id"),
    )
    op.create_index(
        op.f("ix_impact_assessment_reviews_position"),
        "impact_assessment_reviews",
        ["position"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_impact_assessment_reviews_position"), table_name="impact_assessment_reviews"
    )
    op.drop_table("impact_assessment_reviews")
