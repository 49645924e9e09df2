"""pending money corrections in entitlement_status: who requested one, of what (ADR 0022)

A money correction waits for a second supervisor; `entitlement_status` and its history show
it until it is approved or rejected. Rows written before hold none; `jejak rebuild
entitlement_status` fills them from the log.

Revision ID: 0015_pending_money_corrections
Revises: 0014_dashboard_counts_at_a_cut
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_pending_money_corrections"
down_revision = "0014_dashboard_counts_at_a_cut"
branch_labels = None
depends_on = None

TABLES = ("entitlement_status", "entitlement_status_history")


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("correction_requested_by", sa.String(length=100), nullable=True),
        sa.Column("correction_requested_on", sa.Date(), nullable=True),
        sa.Column("correction_of", sa.String(length=64), nullable=True),
        sa.Column("correction_amount", sa.BigInteger(), nullable=True),
        sa.Column("correction_reference", sa.String(length=100), nullable=True),
    ]


def upgrade() -> None:
    for table in TABLES:
        for column in _columns():
            op.add_column(table, column)
    op.create_index(
        "ix_entitlement_status_correction_requested_by",
        "entitlement_status",
        ["correction_requested_by"],
    )


def downgrade() -> None:
    op.drop_index("ix_entitlement_status_correction_requested_by", "entitlement_status")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in _columns():
                batch.drop_column(column.name)
