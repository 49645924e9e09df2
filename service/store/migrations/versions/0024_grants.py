"""accounts' grants as intervals of business dates, and auditors' assignments (ADR 0045)

The tables are a read model (`projections.grants`): they fill as the projection catches up on
the log. Accounts created before the grants were recorded as events have no rows until
`jejak users check --repair` records their opening.

Revision ID: 0024_grants
Revises: 0023_custody
Create Date: 2026-12-06 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_grants"
down_revision = "0023_custody"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_grants",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("document_number", sa.String(length=200), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "valid_from"),
    )
    with op.batch_alter_table("account_grants", schema=None) as batch_op:
        batch_op.create_index("ix_account_grants_username", ["username"], unique=False)
    op.create_table(
        "audit_assignments",
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("auditor", sa.String(length=32), nullable=False),
        sa.Column("units", sa.Text(), nullable=False),
        sa.Column("whole_programme", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("letter_number", sa.String(length=200), nullable=False),
        sa.Column("letter_issued_on", sa.Date(), nullable=False),
        sa.Column("letter_issuer", sa.String(length=200), nullable=False),
        sa.Column("given_by", sa.String(length=64), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("assignment_id"),
    )
    with op.batch_alter_table("audit_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_audit_assignments_auditor", ["auditor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_assignments_auditor")
    op.drop_table("audit_assignments")
    with op.batch_alter_table("account_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_account_grants_username")
    op.drop_table("account_grants")
