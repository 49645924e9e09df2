"""erasure requests and their decisions; the people whose data is restricted (issue 17)

Revision ID: 0028_erasures
Revises: 0027_cases_by_site_in_order
Create Date: 2026-12-06 20:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_erasures"
down_revision = "0027_cases_by_site_in_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("erasure_id", sa.String(length=36), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("request_kind", sa.String(length=64), nullable=False),
        sa.Column("request_number", sa.String(length=100), nullable=False),
        sa.Column("request_issued_on", sa.Date(), nullable=False),
        sa.Column("request_reason", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("deleted_fields", sa.Text(), nullable=True),
        sa.Column("kept_fields", sa.Text(), nullable=True),
        sa.Column("last_paid_on", sa.Date(), nullable=True),
        sa.Column("keep_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("erasure_id"),
    )
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasures_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_erasures_case_number"), ["case_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_erasures_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_erasures_keep_until"), ["keep_until"], unique=False)
    # Her erasure carried out: her identity minimum is restricted (ADR 0055).
    op.create_table(
        "vault_restrictions",
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id"),
    )


def downgrade() -> None:
    op.drop_table("vault_restrictions")
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasures_keep_until"))
        batch_op.drop_index(batch_op.f("ix_erasures_state"))
        batch_op.drop_index(batch_op.f("ix_erasures_case_number"))
        batch_op.drop_index(batch_op.f("ix_erasures_beneficiary_id"))
    op.drop_table("erasures")
