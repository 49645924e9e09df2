"""the settings each read model was folded with, and those a restatement changed (ADR 0036)

`projection_positions.settings` records the settings a read model's fold bakes in (deadline
days) at its first batch and at each switch; `restatements.settings_changed` keeps the ones a
rebuild folded with differently, so a restatement caused by a setting names it. Rows written
before hold NULL: nothing is known of the settings they were folded with.

Revision ID: 0017_restatement_settings
Revises: 0016_audit_findings_at_a_cut
Create Date: 2026-12-06 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_restatement_settings"
down_revision = "0016_audit_findings_at_a_cut"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projection_positions", sa.Column("settings", sa.Text(), nullable=True))
    op.add_column("restatements", sa.Column("settings_changed", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("restatements") as batch:
        batch.drop_column("settings_changed")
    with op.batch_alter_table("projection_positions") as batch:
        batch.drop_column("settings")
