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
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
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
    # JSON: the settings the read model was folded with (`Projection.settings`), recorded at
    # its first batch and at each switch; NULL for one built before they were (ADR 0036).
    Column("settings", Text, nullable=True),
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
    Column("funding_status", String(16)),
    Column("last_inspection_on", Date),
    Column("last_inspection_outcome", String(32)),
    # JSON object version -> [event, ISO date], as corrected: what a date correction folds over.
    Column("dated_events", Text),
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
    Column("bank_account_recorded", Boolean, nullable=False),
    # Whether the account holder's name matched hers (null until an account is recorded).
    Column("account_holder_matches", Boolean),
    # How many entitlements decrees have planned for her; money figures are in payment_ledger.
    Column("aid_decreed", Integer, nullable=False),
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
    # The latest business date among her events, and the dates a date cut may fall between
    # two of her events entered out of date order: [from, until) (ADR 0026).
    Column("dated_up_to", Date),
    Column("out_of_order_from", Date, index=True),
    Column("out_of_order_until", Date),
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
    Column("funding_status_at_closure", String(16)),
    Column("registered", Integer, nullable=False),
    Column("in_programme_now", Integer, nullable=False),
    # JSON object state -> count; states are few and fixed by the lifecycle declaration.
    Column("counts_by_state", Text, nullable=False),
    *_provenance_columns(),
)

# --- the dashboard's counts at a cut (ADR 0026) ------------------------------------------------

dashboard_moves = Table(
    "programme_dashboard_moves",
    metadata,
    # One row per event that moved a person from one state to another (her registration
    # included), in log order: what the counts at any cut are sums of.
    Column("position", BigInteger, primary_key=True),
    # position // the positions per bucket: a run of the log that the dashboard's tallies
    # count, and that a date range is looked up in.
    Column("bucket", BigInteger, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("site_id", String(36), nullable=False),
    # Null for her registration, the move into the lifecycle.
    Column("left_state", String(32)),
    Column("entered_state", String(32), nullable=False),
    Index("ix_programme_dashboard_moves_bucket_occurred_on", "bucket", "occurred_on"),
)

dashboard_move_tallies = Table(
    "programme_dashboard_move_tallies",
    metadata,
    # How many moves each bucket holds dated in each month, named by its last day.
    Column("bucket", BigInteger, primary_key=True),
    Column("month_end", Date, primary_key=True),
    Column("moves", Integer, nullable=False),
    Index("ix_programme_dashboard_move_tallies_month_end", "month_end"),
)


def _sums_by(name: str, at: Column[object]) -> Table:
    """People per site and state under `at`: a sum of moves, cells that come to zero left
    out (a cell may be negative while someone's events are out of date order)."""
    return Table(
        name,
        metadata,
        at,
        Column("site_id", String(36), primary_key=True),
        Column("state", String(32), primary_key=True),
        Column("people", Integer, nullable=False),
    )


# The sums as known at `position`, the last position of a bucket: every move recorded by then.
dashboard_counts_known = _sums_by(
    "programme_dashboard_counts_known", Column("position", BigInteger, primary_key=True)
)
# The sums of every move recorded so far dated by `month_end`, for each month a move is dated in.
dashboard_counts_dated = _sums_by(
    "programme_dashboard_counts_dated", Column("month_end", Date, primary_key=True)
)

worklist = Table(
    "worklist",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    # site, beneficiary, entitlement, batch or audit_finding.
    Column("subject_kind", String(16), nullable=False),
    Column("label", String(140), nullable=False),
    # Null for a compensation payee's entitlement and for a batch, which spans sites.
    Column("site_id", String(36), index=True),
    Column("state", String(32), nullable=False),
    # Null while the declaration proposes no action (an ordered payment awaiting the bank):
    # the row is kept so its label and clocks survive, and the queries leave it out.
    Column("next_action", String(64)),
    Column("deadline", String(64)),
    Column("due_on", Date, index=True),
    # JSON object event name -> ISO date; the deadlines' clocks.
    Column("milestones", Text, nullable=False),
    # JSON object event name -> the version that set its milestone, so that a corrected date
    # moves the clock only when it corrects that event (ADR 0022).
    Column("milestone_versions", Text),
    *_provenance_columns(),
)

entitlement_status = Table(
    "entitlement_status",
    metadata,
    Column("entitlement_id", String(36), primary_key=True),
    Column("state", String(32), nullable=False, index=True),
    # The beneficiary, or a compensation payee (who has no case).
    Column("subject_id", String(36), nullable=False, index=True),
    Column("case_number", String(20)),
    Column("site_id", String(36), index=True),
    Column("component", String(16), nullable=False),
    Column("tranche", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("decree_id", String(36), nullable=False),
    Column("decree_number", String(100), nullable=False),
    # The allocation in force (null before funding and after a lapse or cancellation).
    Column("commitment_id", String(36)),
    Column("fiscal_year", Integer),
    Column("source", String(8)),
    Column("budget_line", String(100)),
    # The batch and line it was last ordered in.
    Column("batch_id", String(36), index=True),
    Column("transfer_ref", String(48)),
    Column("bank_reference", String(100)),
    Column("credited_amount", BigInteger, nullable=False),
    Column("credited_on", Date),
    Column("returned_amount", BigInteger, nullable=False),
    # The money correction awaiting a second supervisor, null when none is (ADR 0022): who
    # requested it and when, of which event (a credit or a return), and the amount and
    # reference it asks for.
    Column("correction_requested_by", String(100), index=True),
    Column("correction_requested_on", Date),
    Column("correction_of", String(64)),
    Column("correction_amount", BigInteger),
    Column("correction_reference", String(100)),
    Column("version", Integer, nullable=False),
    *_provenance_columns(),
)

payment_ledger = Table(
    "payment_ledger",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("entitlement_id", String(36), nullable=False, index=True),
    # Null for a compensation payee, who is not a case.
    Column("beneficiary_id", String(36), index=True),
    Column("case_number", String(20)),
    Column("site_id", String(36), index=True),
    Column("component", String(16), nullable=False),
    Column("tranche", Integer, nullable=False),
    # The allocation the entitlement stood on after this event (null before funding).
    Column("fiscal_year", Integer),
    Column("source", String(8)),
    Column("budget_line", String(100)),
    Column("batch_id", String(36)),
    Column("event", String(64), nullable=False),
    # The rupiah the event names (null for events without an amount).
    Column("amount", BigInteger),
    # What the event did to the money paid out: +credited, -returned to the treasury, else 0.
    Column("paid_effect", BigInteger, nullable=False),
    Column("occurred_on", Date, nullable=False),
    # The bank's reference of a credit or withdrawal, or the treasury's of a return.
    Column("bank_reference", String(100)),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_org_unit", String(200), nullable=False),
    Column("document_kind", String(64)),
    Column("document_number", String(100)),
    Column("document_sha256", String(64)),
    Column("reason", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # Net paid (sum of paid_effect) after this row, per dimension; null where the row has no
    # key in that dimension (a payee has no beneficiary, an unfunded entitlement no year).
    Column("paid_total_beneficiary", BigInteger),
    Column("paid_total_site", BigInteger),
    Column("paid_total_component", BigInteger, nullable=False),
    Column("paid_total_source", BigInteger),
    Column("paid_total_fiscal_year", BigInteger),
)

ledger_totals = Table(
    "ledger_totals",
    metadata,
    # beneficiary, site, component, source or fiscal_year.
    Column("dimension", String(16), primary_key=True),
    Column("key", String(36), primary_key=True),
    Column("paid", BigInteger, nullable=False),
    Column("last_position", BigInteger, nullable=False),
)

budget_position = Table(
    "budget_position",
    metadata,
    Column("commitment_id", String(36), primary_key=True),
    Column("fiscal_year", Integer, nullable=False, index=True),
    Column("source", String(8), nullable=False),
    Column("budget_line", String(100), nullable=False),
    Column("funder", String(200), nullable=False),
    Column("committed", BigInteger, nullable=False),
    Column("allocated", BigInteger, nullable=False),
    Column("ordered", BigInteger, nullable=False),
    Column("credited", BigInteger, nullable=False),
    Column("returned", BigInteger, nullable=False),
    Column("lapsed", BigInteger, nullable=False),
    Column("state", String(32), nullable=False),
    Column("rebudgeted_from", String(36)),
    *_provenance_columns(),
)

# budget_position's own memory of which commitment funds each entitlement, and how much is
# allocated and ordered on it, so that bank events (which name no commitment) land on the
# right budget line.
budget_allocations = Table(
    "budget_allocations",
    metadata,
    Column("entitlement_id", String(36), primary_key=True),
    Column("commitment_id", String(36), nullable=False, index=True),
    Column("allocated", BigInteger, nullable=False),
    Column("ordered", BigInteger, nullable=False),
)

statement_movements = Table(
    "statement_movements",
    metadata,
    # One row per line of an imported bank statement; what reconciliation reads (A13, A14).
    Column("statement_id", String(36), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("file_sha256", String(64), nullable=False),
    Column("account_label", String(200), nullable=False),
    Column("value_date", Date, nullable=False, index=True),
    Column("bank_reference", String(100), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""The programme account's statements, line by line (descriptions are never kept)."""

event_chain = Table(
    "event_chain",
    metadata,
    # One link per stored event, in log order: the tamper-evident chain (ADR 0015).
    Column("position", BigInteger, primary_key=True),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("topic", String(200), nullable=False),
    Column("state_sha256", String(64), nullable=False),
    Column("link_hash", String(64), nullable=False),
    Index("ix_event_chain_originator", "originator_id", "originator_version", unique=True),
)
"""The hash chain over the event log, kept current by a projection."""

chain_checkpoints = Table(
    "chain_checkpoints",
    metadata,
    # A signed statement of the chain head; auditors keep copies outside the system.
    Column("position", BigInteger, primary_key=True),
    Column("link_hash", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
)
"""Signed chain heads (Ed25519)."""

audit_register = Table(
    "audit_register",
    metadata,
    # One row per external audit finding (BPK, Inspektorat): where its follow-up stands.
    Column("finding_id", String(36), primary_key=True),
    Column("audit_body", String(200), nullable=False),
    Column("lhp_number", String(200), nullable=False),
    Column("lhp_date", Date, nullable=False),
    Column("lhp_received_on", Date, nullable=False),
    Column("finding_number", String(200), nullable=False),
    Column("title", String(500), nullable=False),
    Column("recommendation", Text, nullable=False),
    Column("responsible_position", String(200), nullable=False),
    Column("amount_to_recover", BigInteger),
    Column("amount_recovered", BigInteger, nullable=False),
    # JSON lists of the ids of the sites, cases and payment batches the finding concerns.
    Column("site_ids", Text, nullable=False),
    Column("beneficiary_ids", Text, nullable=False),
    Column("batch_ids", Text, nullable=False),
    Column("state", String(32), nullable=False, index=True),
    Column("recorded_on", Date, nullable=False),
    # The statutory answer date (LHP received + bpk_response_days), kept after the answer so
    # a late answer stays visible.
    Column("response_due_on", Date, nullable=False),
    # The deadline running now, while an answer is awaited from the programme (null when the
    # audit body has the next move); overdue is judged at query time against the WITA date.
    Column("deadline", String(64)),
    Column("due_on", Date, index=True),
    Column("responses", Integer, nullable=False),
    Column("first_response_on", Date),
    Column("last_response_on", Date),
    Column("last_response_summary", Text),
    # accepted or rejected: the audit body's latest judgement of the follow-up.
    Column("last_assessment", String(16)),
    Column("last_assessed_on", Date),
    Column("closed_on", Date),
    Column("version", Integer, nullable=False),
    *_provenance_columns(),
)
"""The register of external audit findings and their follow-up."""

export_records = Table(
    "export_records",
    metadata,
    # One row per export handed out: who took which bytes (ExportMade events).
    Column("export_id", String(36), primary_key=True),
    Column("export_name", String(100), nullable=False, index=True),
    Column("export_format", String(16), nullable=False),
    # JSON object of the filters, as text.
    Column("filters", Text, nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("content_sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("actor_id", String(64), nullable=False, index=True),
    Column("actor_role", String(16), nullable=False),
    Column("actor_org_unit", String(200), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""Every export handed out, newest last."""
audit_findings = Table(
    "audit_findings",
    metadata,
    # One row per rule and subject, ever: resolved findings stay (ADR 0016).
    Column("finding_id", String(36), primary_key=True),
    Column("rule_id", String(8), nullable=False, index=True),
    # beneficiary, entitlement, site or bank_reference.
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(100), nullable=False, index=True),
    Column("site_id", String(36), index=True),
    # B (blocking) or F (flag); A15 rises from F to B when the fiscal year closes.
    Column("severity", String(1), nullable=False),
    # Ids, dates, amounts and codes only: never personal data.
    Column("summary", Text, nullable=False),
    Column("suggested_action", Text, nullable=False),
    # JSON list of the log positions of the events that evidence it.
    Column("evidence", Text, nullable=False),
    Column("dossier_id", String(120), nullable=False, index=True),
    Column("status", String(8), nullable=False, index=True),
    # Where, and on the log's clock when, it was first found, and resolved (null while open).
    Column("first_seen_position", BigInteger, nullable=False),
    Column("first_seen_on", Date, nullable=False),
    Column("resolved_position", BigInteger),
    Column("resolved_on", Date),
    Column("acknowledged", Boolean, nullable=False),
    Column("acknowledged_by", String(64)),
    Column("acknowledged_on", Date),
    Column("acknowledgement_reason", Text),
    Column("acknowledged_position", BigInteger),
    Column("last_position", BigInteger, nullable=False),
)
"""Findings of the automatic audit checks (domain research section 7)."""

audit_dossiers = Table(
    "audit_dossiers",
    metadata,
    # The facts the checks read, per case, site and bank reference, plus the log's clock.
    Column("dossier_id", String(120), primary_key=True),
    Column("kind", String(16), nullable=False),
    # The business date on which the log's clock passing would change its findings.
    Column("wake_on", Date, index=True),
    # A bank reference's first credit date, to find the credits a new statement covers.
    Column("value_date", Date, index=True),
    Column("finding_ids", Text, nullable=False),
    Column("facts", Text, nullable=False),
)
"""The audit checks' working facts (no personal data: flags, dates, amounts, positions)."""

audit_subjects = Table(
    "audit_subjects",
    metadata,
    # Which dossier each aggregate's events go to (an entitlement's to its person's case).
    Column("aggregate_id", String(36), primary_key=True),
    Column("dossier_id", String(120), nullable=False),
    Column("site_id", String(36)),
)

published_reports = Table(
    "published_reports",
    metadata,
    # One row per report kind and period sent out (PublishedReport): its latest version.
    Column("report_id", String(36), primary_key=True),
    Column("report_kind", String(32), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False, index=True),
    # The log position the latest version's figures were computed at ("as known at").
    Column("log_position", BigInteger, nullable=False),
    Column("first_published_on", Date, nullable=False),
    Column("published_on", Date, nullable=False),
    Column("addressee", String(200), nullable=False),
    # The covering letter of the latest version: the report's reference.
    Column("document_kind", String(200)),
    Column("document_number", String(200)),
    Column("document_issued_on", Date),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_org_unit", String(200), nullable=False),
    Column("reason", Text),
    # JSON list, oldest first: each version's number, hash, position computed at, date,
    # letter number and the position of the event that published it.
    Column("versions", Text, nullable=False),
    *_provenance_columns(),
    Index("ix_published_reports_kind_period", "report_kind", "period_start", "period_end"),
)
"""Every report sent out of the programme, at its latest version (ADR 0021)."""

# --- row-version histories (ADR 0023) --------------------------------------------------------

VERSION_POSITION = "version_position"
VERSION_OCCURRED_ON = "version_occurred_on"
REMOVED = "removed"
VERSION_COLUMNS = (VERSION_POSITION, VERSION_OCCURRED_ON, REMOVED)
"""The columns a history adds after the row's own, in table order."""


def _history_of(table: Table, key_column: str) -> Table:
    """`<table>_history`: one row per event that changed a row of `table`, append-only.

    Each version is the row as the event left it, with the event's log position and business
    date; `removed` marks an event that deleted the row. Sealed columns are left out: a past
    cut never shows them, and the ciphertext is not copied once per change.
    """
    kept = [
        Column(c.name, c.type, nullable=c.name != key_column)
        for c in table.columns
        if not c.name.endswith("_sealed")
    ]
    # A list of one site's rows reads only the versions of that site's keys.
    by_site = "site_id" in table.c and key_column != "site_id"
    indexes = [Index(f"ix_{table.name}_history_site_id", "site_id")] if by_site else []
    return Table(
        f"{table.name}_history",
        metadata,
        *kept,
        Column(VERSION_POSITION, BigInteger, nullable=False),
        Column(VERSION_OCCURRED_ON, Date, nullable=False),
        Column(REMOVED, Boolean, nullable=False),
        PrimaryKeyConstraint(key_column, VERSION_POSITION),
        *indexes,
    )


HISTORIES: dict[str, Table] = {
    table.name: _history_of(table, key)
    for table, key in (
        (site_status, "site_id"),
        (beneficiary_status, "beneficiary_id"),
        (entitlement_status, "entitlement_id"),
        (worklist, "subject_id"),
        (audit_register, "finding_id"),
    )
}
"""The row read models whose every change is kept, by live table name."""


def history_of(table: Table) -> Table | None:
    """The history kept for the live `table`: None for a table without one, and for a shadow
    table being rebuilt side by side (its builder has a shadow one, `RowProjection.history`)."""
    return HISTORIES.get(table.name) if metadata.tables.get(table.name) is table else None


# --- the audit checks' past (ADR 0028) --------------------------------------------------------

audit_findings_history = _history_of(audit_findings, "finding_id")
"""Every change of every finding, event by event: the findings as known at a position."""

audit_dossiers_history = Table(
    "audit_dossiers_history",
    metadata,
    Column("dossier_id", String(120), nullable=False),
    Column("kind", String(16), nullable=False),
    # A fold started at a position wakes the dossiers whose deadline the clock passes, and
    # finds the bank references a statement covers, among their versions at that position.
    Column("wake_on", Date, index=True),
    Column("value_date", Date, index=True),
    Column("finding_ids", Text, nullable=False),
    # The facts' JSON, zlib-compressed: a case's facts run to kilobytes and change with nearly
    # every event of hers, and compressed they take a quarter of the room.
    Column("facts_zlib", LargeBinary, nullable=False),
    Column(VERSION_POSITION, BigInteger, nullable=False),
    Column(VERSION_OCCURRED_ON, Date, nullable=False),
    Column(REMOVED, Boolean, nullable=False),
    PrimaryKeyConstraint("dossier_id", VERSION_POSITION),
)
"""Every change of every dossier and of the log's clock, event by event: where a fold of the
events entered late starts from, for the findings as at a date."""

audit_subjects_history = _history_of(audit_subjects, "aggregate_id")
"""When each aggregate was first sent to its dossier."""

audit_late_events = Table(
    "audit_late_events",
    metadata,
    # An event dated before the log's clock when it was folded: entered out of date order.
    # The findings as at a date D fold again those with occurred_on <= D < clock_before.
    Column("position", BigInteger, primary_key=True),
    Column("occurred_on", Date, nullable=False, index=True),
    Column("clock_before", Date, nullable=False),
    # clock_before - occurred_on: the longest bounds the dates a cut's search must cover.
    Column("days_late", Integer, nullable=False),
)
"""The events the audit checks saw entered late, with the clock they came after."""
