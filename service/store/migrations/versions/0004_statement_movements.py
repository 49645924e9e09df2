"""statement movements, for reconciliation

Revision ID: 0004_statement_movements
Revises: 0003_idempotency
Create Date: 2026-11-27 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_statement_movements"
down_revision = "0003_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statement_movements",
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("account_label", sa.String(length=200), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("bank_reference", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", "line_no"),
    )
    with op.batch_alter_table("statement_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_movements_value_date"), ["value_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_statement_movements_bank_reference"), ["bank_reference"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statement_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_movements_bank_reference"))
        batch_op.drop_index(batch_op.f("ix_statement_movements_value_date"))

    op.drop_table("statement_movements")
