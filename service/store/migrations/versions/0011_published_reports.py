"""published_reports: every report sent out of the programme, at its latest version

Revision ID: 0011_published_reports
Revises: 0010_restatements
Create Date: 2026-12-01 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_published_reports"
down_revision = "0010_restatements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_reports",
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("report_kind", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("log_position", sa.BigInteger(), nullable=False),
        sa.Column("first_published_on", sa.Date(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("addressee", sa.String(length=200), nullable=False),
        sa.Column("document_kind", sa.String(length=200), nullable=True),
        sa.Column("document_number", sa.String(length=200), nullable=True),
        sa.Column("document_issued_on", sa.Date(), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_org_unit", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("versions", sa.Text(), nullable=False),
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("report_id"),
    )
    op.create_index("ix_published_reports_content_sha256", "published_reports", ["content_sha256"])
    op.create_index(
        "ix_published_reports_kind_period",
        "published_reports",
        ["report_kind", "period_start", "period_end"],
    )


def downgrade() -> None:
    op.drop_index("ix_published_reports_kind_period", table_name="published_reports")
    op.drop_index("ix_published_reports_content_sha256", table_name="published_reports")
    op.drop_table("published_reports")
