"""the units in the system and the unit holding each site and case (ADR 0044)

The tables are a read model (`projections.custody`): they fill as the projection catches up
on the log, from the start for a store that had none.

Revision ID: 0023_custody
Revises: 0021_access_log_chain
Create Date: 2026-12-06 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_custody"
down_revision = "0021_access_log_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("facilities", sa.Text(), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "site_units",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("kelurahan", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("site_id"),
    )
    with op.batch_alter_table("site_units", schema=None) as batch_op:
        batch_op.create_index("ix_site_units_unit", ["unit"], unique=False)
    op.create_table(
        "case_units",
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("incoming_unit", sa.String(length=32), nullable=True),
        sa.Column("home_region", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("beneficiary_id"),
    )
    with op.batch_alter_table("case_units", schema=None) as batch_op:
        batch_op.create_index("ix_case_units_incoming_unit", ["incoming_unit"], unique=False)
        batch_op.create_index("ix_case_units_unit", ["unit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_units", schema=None) as batch_op:
        batch_op.drop_index("ix_case_units_unit")
        batch_op.drop_index("ix_case_units_incoming_unit")
    op.drop_table("case_units")
    with op.batch_alter_table("site_units", schema=None) as batch_op:
        batch_op.drop_index("ix_site_units_unit")
    op.drop_table("site_units")
    op.drop_table("units")
