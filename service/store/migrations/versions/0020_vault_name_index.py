"""the erasable keyed index of names a case is searched by (ADR 0043)

Revision ID: 0020_vault_name_index
Revises: 0019_access_log_interface
Create Date: 2026-12-06 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_vault_name_index"
down_revision = "0019_access_log_interface"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_name_index",
        sa.Column("keyed_hash", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("keyed_hash", "subject_id"),
    )
    with op.batch_alter_table("vault_name_index", schema=None) as batch_op:
        batch_op.create_index("ix_vault_name_index_subject_id", ["subject_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vault_name_index", schema=None) as batch_op:
        batch_op.drop_index("ix_vault_name_index_subject_id")

    op.drop_table("vault_name_index")
