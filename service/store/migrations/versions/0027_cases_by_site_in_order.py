"""a site's cases in case-number order from an index (the site page, issue 16)

Revision ID: 0027_cases_by_site_in_order
Revises: 0026_account_settings
Create Date: 2026-12-06 18:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0027_cases_by_site_in_order"
down_revision = "0026_account_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("beneficiary_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_beneficiary_status_site_id_case_number", ["site_id", "case_number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("beneficiary_status", schema=None) as batch_op:
        batch_op.drop_index("ix_beneficiary_status_site_id_case_number")
