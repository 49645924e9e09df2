"""corrections as events: the dates a site's corrections fold over, and the worklist's clocks

`site_status.dated_events` holds every event's date as corrected, and
`worklist.milestone_versions` the event that set each deadline clock (ADR 0022). Rows written
before hold neither; `jejak rebuild site_status worklist` fills them from the log.

Revision ID: 0012_corrections
Revises: 0011_published_reports
Create Date: 2026-12-01 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_corrections"
down_revision = "0011_published_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("site_status", sa.Column("dated_events", sa.Text(), nullable=True))
    op.add_column("worklist", sa.Column("milestone_versions", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("worklist") as table:
        table.drop_column("milestone_versions")
    with op.batch_alter_table("site_status") as table:
        table.drop_column("dated_events")
