"""the breach register: personal-data breaches and their 3x24-hour notification (ADR 0058)

A read model (`projections.breach_register`): it fills as the projection reads the log.

Revision ID: 0031_breaches
Revises: 0030_subject_requests
Create Date: 2026-12-06 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_breaches"
down_revision = "0030_subject_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breach_register",
        sa.Column("breach_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("discovered_at", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.String(length=32), nullable=False),
        sa.Column("happened_from", sa.Date(), nullable=False),
        sa.Column("happened_to", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("beneficiary_ids", sa.Text(), nullable=False),
        sa.Column("estimated_count", sa.Integer(), nullable=True),
        sa.Column("affected_count", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("dismissed_on", sa.Date(), nullable=True),
        sa.Column("dismissal_reason", sa.Text(), nullable=True),
        sa.Column("remediations", sa.Text(), nullable=False),
        sa.Column("notices", sa.Text(), nullable=False),
        sa.Column("subjects_notified", sa.Integer(), nullable=False),
        sa.Column("all_subjects_notified", sa.Boolean(), nullable=False),
        sa.Column("agency_notified_at", sa.String(length=32), nullable=True),
        sa.Column("public_notified_at", sa.String(length=32), nullable=True),
        sa.Column("notified_at", sa.String(length=32), nullable=True),
        sa.Column("notified_in_time", sa.Boolean(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("breach_id"),
    )
    with op.batch_alter_table("breach_register", schema=None) as batch_op:
        batch_op.create_index("ix_breach_register_number", ["number"], unique=True)
        batch_op.create_index("ix_breach_register_state", ["state"], unique=False)
        batch_op.create_index("ix_breach_register_due_at", ["due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("breach_register", schema=None) as batch_op:
        batch_op.drop_index("ix_breach_register_due_at")
        batch_op.drop_index("ix_breach_register_state")
        batch_op.drop_index("ix_breach_register_number")
    op.drop_table("breach_register")
