"""subject requests, the 72-hour clocks of UU 27/2022 and the notices outbox (issue 17)

Revision ID: 0030_subject_requests
Revises: 0029_retention
Create Date: 2026-12-06 20:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_subject_requests"
down_revision = "0029_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_clocks",
        sa.Column("clock_id", sa.String(length=80), nullable=False),
        sa.Column("clock_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("responsible", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_by", sa.String(length=64), nullable=True),
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("clock_id"),
    )
    with op.batch_alter_table("privacy_clocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_clocks_clock_kind"), ["clock_kind"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_privacy_clocks_due_at"), ["due_at"], unique=False)

    op.create_table(
        "subject_requests",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("requester", sa.String(length=16), nullable=False),
        sa.Column("verification_method", sa.String(length=32), nullable=False),
        sa.Column("verification_result", sa.String(length=16), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("done", sa.Text(), nullable=True),
        sa.Column("erasure_reference", sa.String(length=200), nullable=True),
        sa.Column("refusal_reason", sa.String(length=40), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_event", sa.String(length=64), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.Column("last_occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_requests_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_subject_requests_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_requests_state"), ["state"], unique=False)

    op.create_table(
        "notice_outbox",
        sa.Column("notice_key", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("notice_key"),
    )
    with op.batch_alter_table("notice_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_notice_outbox_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_outbox_status")

    op.drop_table("notice_outbox")
    with op.batch_alter_table("subject_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_requests_state"))
        batch_op.drop_index(batch_op.f("ix_subject_requests_kind"))
        batch_op.drop_index(batch_op.f("ix_subject_requests_beneficiary_id"))

    op.drop_table("subject_requests")
    with op.batch_alter_table("privacy_clocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_clocks_due_at"))
        batch_op.drop_index(batch_op.f("ix_privacy_clocks_clock_kind"))

    op.drop_table("privacy_clocks")
