"""the hash chain over the event log and its signed checkpoints

Revision ID: 0005_event_chain
Revises: 0004_statement_movements
Create Date: 2026-11-28 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_event_chain"
down_revision = "0004_statement_movements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_chain",
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("originator_id", sa.String(length=36), nullable=False),
        sa.Column("originator_version", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    with op.batch_alter_table("event_chain", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_chain_originator", ["originator_id", "originator_version"], unique=True
        )
    op.create_table(
        "chain_checkpoints",
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )


def downgrade() -> None:
    op.drop_table("chain_checkpoints")
    with op.batch_alter_table("event_chain", schema=None) as batch_op:
        batch_op.drop_index("ix_event_chain_originator")
    op.drop_table("event_chain")
