"""Read-model tables, each named after the question it answers.

Every row keeps the log position and business date of the event that last changed it, so a past
cut can be taken in SQL and a rebuild can be compared row by row.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _provenance_columns() -> list[Column[object]]:
    return [
        Column("last_event", String(64), nullable=False),
        Column("last_position", BigInteger, nullable=False),
        Column("last_occurred_on", Date, nullable=False),
    ]


projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

site_status = Table(
    "site_status",
    metadata,
    Column("site_id", String(36), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("aliases", Text, nullable=False),
    Column("kelurahan_scheme", String(16), nullable=False),
    Column("kelurahan_code", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("pendataan_on", Date, nullable=False),
    Column("headcount_at_pendataan", Integer, nullable=False),
    Column("sosialisasi_count", Integer, nullable=False),
    Column("last_sosialisasi_on", Date),
    Column("decree_number", String(100)),
    Column("decreed_on", Date),
    Column("closed_on", Date),
    Column("declared_headcount", Integer),
    Column("funds_in_place", Boolean),
    Column("last_inspection_on", Date),
    Column("last_inspection_outcome", String(32)),
    Column("version", Integer, nullable=False),
    *_provenance_columns(),
)

beneficiary_status = Table(
    "beneficiary_status",
    metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("case_number", String(20), nullable=False, unique=True),
    Column("site_id", String(36), nullable=False, index=True),
    Column("state", String(32), nullable=False, index=True),
    Column("pendataan_on", Date, nullable=False),
    # Ciphertext only (JSON of a Sealed value); the service decrypts per row and per role.
    Column("name_sealed", Text, nullable=False),
    Column("nik_sealed", Text),
    Column("nik_region_known", Boolean),
    Column("nik_birth_digits_consistent", Boolean),
    Column("synthetic_nik", Boolean),
    Column("home_region_code", String(32)),
    Column("path", String(32)),
    Column("facility_id", String(32)),
    Column("training_completed", Boolean, nullable=False),
    Column("requested_amount", BigInteger),
    Column("approved_amount", BigInteger),
    Column("paid_amount", BigInteger, nullable=False),
    Column("exit_reason", Text),
    Column("version", Integer, nullable=False),
    *_provenance_columns(),
)

dashboard_members = Table(
    "programme_dashboard_members",
    metadata,
    Column("beneficiary_id", String(36), primary_key=True),
    Column("site_id", String(36), nullable=False, index=True),
    Column("state", String(32), nullable=False),
    Column("grant_paid", Boolean, nullable=False),
    *_provenance_columns(),
)

programme_dashboard = Table(
    "programme_dashboard",
    metadata,
    Column("site_id", String(36), primary_key=True),
    Column("site_code", String(16), nullable=False),
    Column("site_name", String(200), nullable=False),
    Column("site_state", String(32), nullable=False),
    Column("headcount_at_pendataan", Integer, nullable=False),
    Column("declared_headcount_at_closure", Integer),
    Column("funds_in_place_at_closure", Boolean),
    Column("registered", Integer, nullable=False),
    Column("in_programme_now", Integer, nullable=False),
    Column("grants_paid", Integer, nullable=False),
    # JSON object state -> count; states are few and fixed by the lifecycle declaration.
    Column("counts_by_state", Text, nullable=False),
    *_provenance_columns(),
)

worklist = Table(
    "worklist",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    Column("subject_kind", String(16), nullable=False),
    Column("label", String(32), nullable=False),
    Column("site_id", String(36), nullable=False, index=True),
    Column("state", String(32), nullable=False),
    Column("next_action", String(64), nullable=False),
    Column("deadline", String(64)),
    Column("due_on", Date, index=True),
    # JSON object event name -> ISO date; the deadlines' clocks.
    Column("milestones", Text, nullable=False),
    *_provenance_columns(),
)

payment_history = Table(
    "payment_history",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("beneficiary_id", String(36), nullable=False, index=True),
    Column("case_number", String(20), nullable=False),
    Column("site_id", String(36), nullable=False),
    Column("event", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("channel", String(32)),
    Column("bank_reference", String(100)),
    Column("account_sealed", Text),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("document_kind", String(64)),
    Column("document_number", String(100)),
    Column("reason", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
