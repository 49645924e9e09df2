"""restatements: the index of read-model switches and the rows each one changed

Revision ID: 0010_restatements
Revises: 0009_site_funding_status
Create Date: 2026-11-28 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_restatements"
down_revision = "0009_site_funding_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restatements",
        sa.Column("restatement_id", sa.String(length=36), nullable=False),
        sa.Column("switched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("git_commit", sa.String(length=64), nullable=False),
        sa.Column("projections", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("log_position", sa.BigInteger(), nullable=False),
        sa.Column("event_position", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("restatement_id"),
    )
    op.create_table(
        "restatement_diffs",
        sa.Column("restatement_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("positions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("restatement_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("restatement_diffs")
    op.drop_table("restatements")
