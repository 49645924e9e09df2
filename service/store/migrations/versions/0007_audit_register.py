"""the register of external audit findings and the record of every export

Revision ID: 0007_audit_register
Revises: 0005_event_chain
Create Date: 2026-11-28 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_register"
down_revision = "0005_event_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_register",
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("audit_body", sa.String(length=200), nullable=False),
        sa.Column("lhp_number", sa.String(length=200), nullable=False),
        sa.Column("lhp_date", sa.Date(), nullable=False),
        sa.Column("lhp_received_on", sa.Date(), nullable=False),
        sa.Column("finding_number", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("responsible_position", sa.String(length=200), nullable=False),
        sa.Column("amount_to_recover", sa.BigInteger(), nullable=True),
        sa.Column("amount_recovered", sa.BigInteger(), nullable=False),
        sa.Column("site_ids", sa.Text(), nullable=False),
        sa.Column("beneficiary_ids", sa.Text(), nullable=False),
        sa.Column("batch_ids", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("response_due_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("first_response_on", sa.Date(), nullable=True),
        sa.Column("last_response_on", sa.Date(), nullable=True),
        sa.Column("last_response_summary", sa.Text(), nullable=True),
        sa.Column("last_assessment", sa.String(length=16), nullable=True),
        sa.Column("last_assessed_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("finding_id"),
    )
    with op.batch_alter_table("audit_register", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_register_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_register_due_on"), ["due_on"], unique=False)
    op.create_table(
        "export_records",
        sa.Column("export_id", sa.String(length=36), nullable=False),
        sa.Column("export_name", sa.String(length=100), nullable=False),
        sa.Column("export_format", sa.String(length=16), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_org_unit", sa.String(length=200), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("export_id"),
    )
    with op.batch_alter_table("export_records", schema=None) as batch_op:
        for column in ("export_name", "content_sha256", "actor_id"):
            batch_op.create_index(batch_op.f(f"ix_export_records_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export_records", schema=None) as batch_op:
        for column in ("export_name", "content_sha256", "actor_id"):
            batch_op.drop_index(batch_op.f(f"ix_export_records_{column}"))
    op.drop_table("export_records")
    with op.batch_alter_table("audit_register", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_register_due_on"))
        batch_op.drop_index(batch_op.f("ix_audit_register_state"))
    op.drop_table("audit_register")
