"""row version histories: every change of the row read models, by log position and business
date, so a past cut is taken in SQL (ADR 0023)

Revision ID: 0013_row_version_histories
Revises: 0012_corrections
Create Date: 2026-12-01 21:40:12.738104
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_row_version_histories"
down_revision = "0012_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_register_history",
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("audit_body", sa.String(length=200), nullable=True),
        sa.Column("lhp_number", sa.String(length=200), nullable=True),
        sa.Column("lhp_date", sa.Date(), nullable=True),
        sa.Column("lhp_received_on", sa.Date(), nullable=True),
        sa.Column("finding_number", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("responsible_position", sa.String(length=200), nullable=True),
        sa.Column("amount_to_recover", sa.BigInteger(), nullable=True),
        sa.Column("amount_recovered", sa.BigInteger(), nullable=True),
        sa.Column("site_ids", sa.Text(), nullable=True),
        sa.Column("beneficiary_ids", sa.Text(), nullable=True),
        sa.Column("batch_ids", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("response_due_on", sa.Date(), nullable=True),
        sa.Column("deadline", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=True),
        sa.Column("first_response_on", sa.Date(), nullable=True),
        sa.Column("last_response_on", sa.Date(), nullable=True),
        sa.Column("last_response_summary", sa.Text(), nullable=True),
        sa.Column("last_assessment", sa.String(length=16), nullable=True),
        sa.Column("last_assessed_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("last_event", sa.String(length=64), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=True),
        sa.Column("last_occurred_on", sa.Date(), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("finding_id", "version_position"),
    )
    op.create_table(
        "beneficiary_status_history",
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=True),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("pendataan_on", sa.Date(), nullable=True),
        sa.Column("nik_region_known", sa.Boolean(), nullable=True),
        sa.Column("nik_birth_digits_consistent", sa.Boolean(), nullable=True),
        sa.Column("synthetic_nik", sa.Boolean(), nullable=True),
        sa.Column("home_region_code", sa.String(length=32), nullable=True),
        sa.Column("path", sa.String(length=32), nullable=True),
        sa.Column("facility_id", sa.String(length=32), nullable=True),
        sa.Column("training_completed", sa.Boolean(), nullable=True),
        sa.Column("bank_account_recorded", sa.Boolean(), nullable=True),
        sa.Column("account_holder_matches", sa.Boolean(), nullable=True),
        sa.Column("aid_decreed", sa.Integer(), nullable=True),
        sa.Column("exit_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("last_event", sa.String(length=64), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=True),
        sa.Column("last_occurred_on", sa.Date(), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("beneficiary_id", "version_position"),
    )
    with op.batch_alter_table("beneficiary_status_history", schema=None) as batch_op:
        batch_op.create_index("ix_beneficiary_status_history_site_id", ["site_id"], unique=False)

    op.create_table(
        "entitlement_status_history",
        sa.Column("entitlement_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("case_number", sa.String(length=20), nullable=True),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("component", sa.String(length=16), nullable=True),
        sa.Column("tranche", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("decree_id", sa.String(length=36), nullable=True),
        sa.Column("decree_number", sa.String(length=100), nullable=True),
        sa.Column("commitment_id", sa.String(length=36), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=True),
        sa.Column("budget_line", sa.String(length=100), nullable=True),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("transfer_ref", sa.String(length=48), nullable=True),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("credited_amount", sa.BigInteger(), nullable=True),
        sa.Column("credited_on", sa.Date(), nullable=True),
        sa.Column("returned_amount", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("last_event", sa.String(length=64), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=True),
        sa.Column("last_occurred_on", sa.Date(), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("entitlement_id", "version_position"),
    )
    with op.batch_alter_table("entitlement_status_history", schema=None) as batch_op:
        batch_op.create_index("ix_entitlement_status_history_site_id", ["site_id"], unique=False)

    op.create_table(
        "site_status_history",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("aliases", sa.Text(), nullable=True),
        sa.Column("kelurahan_scheme", sa.String(length=16), nullable=True),
        sa.Column("kelurahan_code", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("pendataan_on", sa.Date(), nullable=True),
        sa.Column("headcount_at_pendataan", sa.Integer(), nullable=True),
        sa.Column("sosialisasi_count", sa.Integer(), nullable=True),
        sa.Column("last_sosialisasi_on", sa.Date(), nullable=True),
        sa.Column("decree_number", sa.String(length=100), nullable=True),
        sa.Column("decreed_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("declared_headcount", sa.Integer(), nullable=True),
        sa.Column("funding_status", sa.String(length=16), nullable=True),
        sa.Column("last_inspection_on", sa.Date(), nullable=True),
        sa.Column("last_inspection_outcome", sa.String(length=32), nullable=True),
        sa.Column("dated_events", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("last_event", sa.String(length=64), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=True),
        sa.Column("last_occurred_on", sa.Date(), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "version_position"),
    )
    op.create_table(
        "worklist_history",
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=True),
        sa.Column("label", sa.String(length=140), nullable=True),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("next_action", sa.String(length=64), nullable=True),
        sa.Column("deadline", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("milestones", sa.Text(), nullable=True),
        sa.Column("milestone_versions", sa.Text(), nullable=True),
        sa.Column("last_event", sa.String(length=64), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=True),
        sa.Column("last_occurred_on", sa.Date(), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", "version_position"),
    )
    with op.batch_alter_table("worklist_history", schema=None) as batch_op:
        batch_op.create_index("ix_worklist_history_site_id", ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worklist_history", schema=None) as batch_op:
        batch_op.drop_index("ix_worklist_history_site_id")

    op.drop_table("worklist_history")
    op.drop_table("site_status_history")
    with op.batch_alter_table("entitlement_status_history", schema=None) as batch_op:
        batch_op.drop_index("ix_entitlement_status_history_site_id")

    op.drop_table("entitlement_status_history")
    with op.batch_alter_table("beneficiary_status_history", schema=None) as batch_op:
        batch_op.drop_index("ix_beneficiary_status_history_site_id")

    op.drop_table("beneficiary_status_history")
    op.drop_table("audit_register_history")
