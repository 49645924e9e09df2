"""retention periods, legal holds, destructions and when each case ended (issue 17, ADR 0056)

The tables are read models (`projections.retention`): they fill as their projections catch up
on the log.

Revision ID: 0029_retention
Revises: 0028_erasures
Create Date: 2026-12-06 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_retention"
down_revision = "0028_erasures"
branch_labels = None
depends_on = None


def _provenance() -> list[sa.Column[object]]:
    return [
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("policy_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("counted_from", sa.String(length=32), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_by_role", sa.String(length=16), nullable=False),
        sa.Column("document_kind", sa.String(length=64), nullable=True),
        sa.Column("document_number", sa.String(length=200), nullable=True),
        sa.Column("document_issuer", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("policy_id"),
        sa.UniqueConstraint("category"),
    )
    op.create_table(
        "legal_holds",
        sa.Column("hold_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("beneficiary_ids", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("document_kind", sa.String(length=64), nullable=True),
        sa.Column("document_number", sa.String(length=200), nullable=True),
        sa.Column("document_issuer", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lift_document_number", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("hold_id"),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_holds_state"), ["state"], unique=False)
    op.create_table(
        "destructions",
        sa.Column("destruction_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_by_role", sa.String(length=16), nullable=False),
        sa.Column("proposal_reason", sa.Text(), nullable=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("withheld", sa.Text(), nullable=False),
        sa.Column("destroyed", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("carried_out_on", sa.Date(), nullable=True),
        sa.Column("berita_acara_number", sa.String(length=200), nullable=True),
        sa.Column("berita_acara_sha256", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("destruction_id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("destructions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_destructions_state"), ["state"], unique=False)
    op.create_table(
        "retention_subjects",
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("case_ended_on", sa.Date(), nullable=True),
        *_provenance(),
        sa.PrimaryKeyConstraint("beneficiary_id"),
    )
    with op.batch_alter_table("retention_subjects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_subjects_case_number"), ["case_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_retention_subjects_case_ended_on"), ["case_ended_on"], unique=False
        )


def downgrade() -> None:
    op.drop_table("retention_subjects")
    op.drop_table("destructions")
    op.drop_table("legal_holds")
    op.drop_table("retention_policies")
