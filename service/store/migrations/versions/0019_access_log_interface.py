"""the interface each access log entry came from: api, web or cli (ADR 0042)

Revision ID: 0019_access_log_interface
Revises: 0018_login_failures
Create Date: 2026-12-06 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_access_log_interface"
down_revision = "0018_login_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Older entries did not record it: they read "unknown", never a guess.
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interface", sa.String(length=8), nullable=False, server_default="unknown")
        )


def downgrade() -> None:
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_column("interface")
