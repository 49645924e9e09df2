"""the dashboard's counts at a cut: every member's move, tallied by bucket and month, and their
sums at checkpoints by log position and at month ends by business date (ADR 0026)

The members gain the dates that show when a date cut falls between two of their events entered
out of date order. A store migrated from before holds none of it yet:
`jejak rebuild programme_dashboard` fills it from the log.

Revision ID: 0014_dashboard_counts_at_a_cut
Revises: 0013_row_version_histories
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_dashboard_counts_at_a_cut"
down_revision = "0013_row_version_histories"
branch_labels = None
depends_on = None

MEMBERS = "programme_dashboard_members"


def upgrade() -> None:
    op.create_table(
        "programme_dashboard_moves",
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("left_state", sa.String(length=32), nullable=True),
        sa.Column("entered_state", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index(
        "ix_programme_dashboard_moves_bucket_occurred_on",
        "programme_dashboard_moves",
        ["bucket", "occurred_on"],
    )
    op.create_table(
        "programme_dashboard_move_tallies",
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "month_end"),
    )
    op.create_index(
        "ix_programme_dashboard_move_tallies_month_end",
        "programme_dashboard_move_tallies",
        ["month_end"],
    )
    for name, at, kind in (
        ("programme_dashboard_counts_known", "position", sa.BigInteger()),
        ("programme_dashboard_counts_dated", "month_end", sa.Date()),
    ):
        op.create_table(
            name,
            sa.Column(at, kind, nullable=False),
            sa.Column("site_id", sa.String(length=36), nullable=False),
            sa.Column("state", sa.String(length=32), nullable=False),
            sa.Column("people", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(at, "site_id", "state"),
        )
    with op.batch_alter_table(MEMBERS) as members:
        members.add_column(sa.Column("dated_up_to", sa.Date(), nullable=True))
        members.add_column(sa.Column("out_of_order_from", sa.Date(), nullable=True))
        members.add_column(sa.Column("out_of_order_until", sa.Date(), nullable=True))
        members.create_index(
            "ix_programme_dashboard_members_out_of_order_from", ["out_of_order_from"]
        )


def downgrade() -> None:
    with op.batch_alter_table(MEMBERS) as members:
        members.drop_index("ix_programme_dashboard_members_out_of_order_from")
        members.drop_column("out_of_order_until")
        members.drop_column("out_of_order_from")
        members.drop_column("dated_up_to")
    op.drop_table("programme_dashboard_counts_dated")
    op.drop_table("programme_dashboard_counts_known")
    op.drop_index(
        "ix_programme_dashboard_move_tallies_month_end", "programme_dashboard_move_tallies"
    )
    op.drop_table("programme_dashboard_move_tallies")
    op.drop_index("ix_programme_dashboard_moves_bucket_occurred_on", "programme_dashboard_moves")
    op.drop_table("programme_dashboard_moves")
