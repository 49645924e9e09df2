"""the access log's hash chain and its own signed checkpoints (ADR 0047)

Revision ID: 0021_access_log_chain
Revises: 0020_vault_name_index
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_access_log_chain"
down_revision = "0020_vault_name_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Entries already in the log are chained by the first seal after the upgrade, as the
    # newest are: the chain proves nothing about what was done to them before.
    op.create_table(
        "access_log_chain",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_sha256", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_table(
        "access_log_checkpoints",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )


def downgrade() -> None:
    op.drop_table("access_log_checkpoints")
    op.drop_table("access_log_chain")
