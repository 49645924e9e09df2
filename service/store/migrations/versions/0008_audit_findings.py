"""the automatic audit checks: findings, their working facts and the aggregate index

Revision ID: 0008_audit_findings
Revises: 0007_audit_register
Create Date: 2026-11-28 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_audit_findings"
down_revision = "0007_audit_register"
branch_labels = None
depends_on = None

FINDING_INDEXES = ("rule_id", "subject_id", "site_id", "dossier_id", "status")
DOSSIER_INDEXES = ("wake_on", "value_date")


def upgrade() -> None:
    op.create_table(
        "audit_findings",
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=8), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("severity", sa.String(length=1), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("suggested_action", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("dossier_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("first_seen_position", sa.BigInteger(), nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=False),
        sa.Column("resolved_position", sa.BigInteger(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("acknowledgement_reason", sa.Text(), nullable=True),
        sa.Column("acknowledged_position", sa.BigInteger(), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("finding_id"),
    )
    with op.batch_alter_table("audit_findings", schema=None) as batch_op:
        for column in FINDING_INDEXES:
            batch_op.create_index(f"ix_audit_findings_{column}", [column], unique=False)
    op.create_table(
        "audit_dossiers",
        sa.Column("dossier_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wake_on", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("finding_ids", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
    )
    with op.batch_alter_table("audit_dossiers", schema=None) as batch_op:
        for column in DOSSIER_INDEXES:
            batch_op.create_index(f"ix_audit_dossiers_{column}", [column], unique=False)
    op.create_table(
        "audit_subjects",
        sa.Column("aggregate_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=120), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("aggregate_id"),
    )


def downgrade() -> None:
    op.drop_table("audit_subjects")
    with op.batch_alter_table("audit_dossiers", schema=None) as batch_op:
        for column in DOSSIER_INDEXES:
            batch_op.drop_index(f"ix_audit_dossiers_{column}")
    op.drop_table("audit_dossiers")
    with op.batch_alter_table("audit_findings", schema=None) as batch_op:
        for column in FINDING_INDEXES:
            batch_op.drop_index(f"ix_audit_findings_{column}")
    op.drop_table("audit_findings")
