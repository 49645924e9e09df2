"""the audit checks' past: every version of every finding, dossier and index entry, and the
events entered late, so the findings can be asked as known at a position and as at a date
(ADR 0028)

A store migrated from before holds no past of its findings: the migration empties the audit
checks' tables and their position, so that the projections fold them again from the log, with
their versions, when they next run (`jejak project`, or `jejak serve`). Nothing is lost: every
finding and acknowledgement is derived from the events.

Revision ID: 0016_audit_findings_at_a_cut
Revises: 0015_pending_money_corrections
Create Date: 2026-12-02 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_audit_findings_at_a_cut"
down_revision = "0015_pending_money_corrections"
branch_labels = None
depends_on = None

LIVE = ("audit_findings", "audit_dossiers", "audit_subjects")
HISTORIES = (
    "audit_findings_history",
    "audit_dossiers_history",
    "audit_subjects_history",
    "audit_late_events",
)


def upgrade() -> None:
    op.create_table(
        "audit_findings_history",
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=8), nullable=True),
        sa.Column("subject_kind", sa.String(length=16), nullable=True),
        sa.Column("subject_id", sa.String(length=100), nullable=True),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("severity", sa.String(length=1), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("suggested_action", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("dossier_id", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=True),
        sa.Column("first_seen_position", sa.BigInteger(), nullable=True),
        sa.Column("first_seen_on", sa.Date(), nullable=True),
        sa.Column("resolved_position", sa.BigInteger(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("acknowledged", sa.Boolean(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("acknowledgement_reason", sa.Text(), nullable=True),
        sa.Column("acknowledged_position", sa.BigInteger(), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("finding_id", "version_position"),
    )
    op.create_index("ix_audit_findings_history_site_id", "audit_findings_history", ["site_id"])
    op.create_table(
        "audit_dossiers_history",
        sa.Column("dossier_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wake_on", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("finding_ids", sa.Text(), nullable=False),
        sa.Column("facts_zlib", sa.LargeBinary(), nullable=False),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", "version_position"),
    )
    op.create_index(
        "ix_audit_dossiers_history_value_date", "audit_dossiers_history", ["value_date"]
    )
    op.create_index("ix_audit_dossiers_history_wake_on", "audit_dossiers_history", ["wake_on"])
    op.create_table(
        "audit_subjects_history",
        sa.Column("aggregate_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=120), nullable=True),
        sa.Column("site_id", sa.String(length=36), nullable=True),
        sa.Column("version_position", sa.BigInteger(), nullable=False),
        sa.Column("version_occurred_on", sa.Date(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("aggregate_id", "version_position"),
    )
    op.create_index("ix_audit_subjects_history_site_id", "audit_subjects_history", ["site_id"])
    op.create_table(
        "audit_late_events",
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("clock_before", sa.Date(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index("ix_audit_late_events_occurred_on", "audit_late_events", ["occurred_on"])
    for name in LIVE:
        op.execute(sa.table(name).delete())
    positions = sa.table("projection_positions", sa.column("name"))
    op.execute(positions.delete().where(positions.c.name == "audit_findings"))


def downgrade() -> None:
    for name in reversed(HISTORIES):
        op.drop_table(name)
