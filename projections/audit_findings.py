"""audit_findings: which automatic audit checks fail now, which failed before, since when, on
what evidence, and who acknowledged them.

A projection around `AuditBook`: a batch's dossiers are loaded from `audit_dossiers` as the book
asks for them (those the batch's aggregates name are fetched up front, in one query per table),
the events are applied one by one, and every changed dossier, index entry and finding is
written back in the runner's transaction, with every version of each the batch made
(ADR 0028): the findings as known at a position are read from those, and the fold of the
events entered late that the findings as at a date need starts from them.
"""

from __future__ import annotations

import json
import zlib
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Select,
    String,
    Table,
    Text,
    select,
)

from domain.audit.facts import THRESHOLD_DEFAULTS
from domain.bank_statement import BankStatement
from domain.entitlement import Entitlement
from projections.audit_book import LOG_KEY, AuditBook
from projections.audit_fold import MOVED_ON, case_key, reference_key
from projections.base import (
    PositionedEvent,
    Projection,
    Row,
    append_rows,
    deadline_settings,
    key_in,
    load_rows,
    replace_rows,
    version_of,
)
from projections.schema import (
    REMOVED,
    VERSION_OCCURRED_ON,
    VERSION_POSITION,
    history_table,
    metadata,
)

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


audit_findings_history = history_table(audit_findings, "finding_id")
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


audit_subjects_history = history_table(audit_subjects, "aggregate_id")
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


@dataclass(frozen=True)
class AuditTables:
    """The tables the audit checks keep (a rebuild points them elsewhere)."""

    findings: Table = audit_findings
    dossiers: Table = audit_dossiers
    subjects: Table = audit_subjects


class LoadingSource(ABC):
    """A `DossierSource` that loads what a batch's events name up front, a query per table,
    anything else one key at a time, and remembers every answer (an absence too).

    The tables now (`TableSource`) and their versions at a past position
    (`projections.audit_at.DossiersAt`) differ only in how a set of keys is read.
    """

    def __init__(self) -> None:
        self.dossiers: dict[str, Row | None] = {}
        self.subjects: dict[str, tuple[str, str | None] | None] = {}
        self.findings: dict[str, Row | None] = {}

    @abstractmethod
    def subject_rows(self, aggregate_ids: Sequence[str]) -> dict[str, Row]:
        """The index entries of these aggregates, by aggregate id."""

    @abstractmethod
    def dossier_rows(self, dossier_ids: Sequence[str]) -> dict[str, Row]:
        """The dossier rows of these ids, by id."""

    @abstractmethod
    def finding_rows(self, dossier_ids: Sequence[str]) -> list[Row]:
        """The rows of every finding these dossiers gave."""

    @abstractmethod
    def finding_row(self, finding_id: str) -> Row | None:
        """One finding's row."""

    def prefetch(self, events: Sequence[PositionedEvent]) -> None:
        """Load the index entries, dossiers and findings of every aggregate the batch names."""
        ids = sorted({str(e.event.originator_id) for e in events})
        found = self.subject_rows(ids)
        for aggregate_id in ids:
            row = found.get(aggregate_id)
            self.subjects[aggregate_id] = (row["dossier_id"], row["site_id"]) if row else None
        named = [s for s in self.subjects.values() if s is not None]
        wanted = {LOG_KEY, *(d for d, _ in named), *(f"site:{s}" for _, s in named if s)}
        planned = (e.event for e in events if isinstance(e.event, Entitlement.EntitlementPlanned))
        wanted |= {case_key(e.subject_id) for e in planned}
        wanted |= {reference_key(r) for r in _references(events)}
        self.load_dossiers(sorted(wanted - self.dossiers.keys()))
        # What became of a credit goes to its reference's dossier, named in her case's facts.
        moved_on = {str(e.event.originator_id) for e in events if isinstance(e.event, MOVED_ON)}
        references = set()
        for aggregate_id in moved_on:
            subject = self.subjects.get(aggregate_id)
            case = self.dossiers.get(subject[0]) if subject else None
            if case:
                facts = json.loads(case["facts"])["entitlements"].get(aggregate_id)
                if facts and facts["bank_reference"]:
                    references.add(reference_key(facts["bank_reference"]))
        self.load_dossiers(sorted(references - self.dossiers.keys()))

    def load_dossiers(self, keys: Sequence[str]) -> None:
        """Load these dossiers and the findings they gave."""
        rows = self.dossier_rows(keys)
        for key in keys:
            self.dossiers[key] = rows.get(key)
        for finding in self.finding_rows(keys):
            self.findings[finding["finding_id"]] = finding

    def dossier(self, dossier_id: str) -> Row | None:
        if dossier_id not in self.dossiers:
            self.load_dossiers([dossier_id])
        return self.dossiers[dossier_id]

    def subject(self, aggregate_id: str) -> tuple[str, str | None] | None:
        if aggregate_id not in self.subjects:
            found = self.subject_rows([aggregate_id]).get(aggregate_id)
            self.subjects[aggregate_id] = (found["dossier_id"], found["site_id"]) if found else None
        return self.subjects[aggregate_id]

    def finding(self, finding_id: str) -> Row | None:
        if finding_id not in self.findings:
            self.findings[finding_id] = self.finding_row(finding_id)
        return self.findings[finding_id]

    def fresh(self, dossier_ids: Sequence[str]) -> None:
        """Load those of `dossier_ids` the batch has not loaded yet, with their findings (a
        loaded one's stored row may be older than the book's)."""
        new = [d for d in dossier_ids if d not in self.dossiers]
        if new:
            self.load_dossiers(new)


class TableSource(LoadingSource):
    """The book's source: the audit tables, read within the runner's transaction."""

    def __init__(self, conn: Connection, tables: AuditTables | None = None) -> None:
        super().__init__()
        self.conn = conn
        self.tables = tables or AuditTables()

    def subject_rows(self, aggregate_ids: Sequence[str]) -> dict[str, Row]:
        found = load_rows(self.conn, self.tables.subjects, "aggregate_id", aggregate_ids)
        return {str(k): v for k, v in found.items()}

    def dossier_rows(self, dossier_ids: Sequence[str]) -> dict[str, Row]:
        found = load_rows(self.conn, self.tables.dossiers, "dossier_id", dossier_ids)
        return {str(k): v for k, v in found.items()}

    def finding_rows(self, dossier_ids: Sequence[str]) -> list[Row]:
        c = self.tables.findings.c
        rows: list[Row] = []
        for chunk in range(0, len(dossier_ids), 500):
            condition = key_in(self.conn, c.dossier_id, dossier_ids[chunk : chunk + 500])
            query = select(self.tables.findings).where(condition)
            rows += [dict(f) for f in self.conn.execute(query).mappings()]
        return rows

    def finding_row(self, finding_id: str) -> Row | None:
        return load_rows(self.conn, self.tables.findings, "finding_id", [finding_id]).get(
            finding_id
        )

    def waking_by(self, day: date) -> list[Row]:
        dossiers = self.tables.dossiers
        return self._fresh(select(dossiers).where(dossiers.c.wake_on <= day))

    def references_dated(self, start: date, end: date) -> list[Row]:
        c = self.tables.dossiers.c
        return self._fresh(
            select(self.tables.dossiers).where(c.value_date >= start, c.value_date <= end)
        )

    def _fresh(self, query: Select[Any]) -> list[Row]:
        rows = [dict(r) for r in self.conn.execute(query).mappings()]
        self.fresh([r["dossier_id"] for r in rows])
        return rows


def _references(events: Sequence[PositionedEvent]) -> set[str]:
    """The bank references the batch's credits, statement lines and corrected credits carry."""
    found: set[str] = set()
    for event in events:
        match event.event:
            case Entitlement.CreditedToAccount(bank_reference=reference):
                found.add(reference)
            case BankStatement.StatementImported(movements=movements):
                found |= {m.bank_reference for m in movements}
            case Entitlement.MoneyCorrectionApproved(corrected_event="CreditedToAccount") as e:
                found |= {e.previous_reference, e.reference}
    return found


def packed(dossier: Row) -> Row:
    """A dossier row as its history keeps it: the facts compressed (`unpacked` undoes it)."""
    return dossier | {"facts_zlib": zlib.compress(dossier["facts"].encode(), 1)}


def unpacked(version: Row) -> Row:
    """A dossier version as the dossier row it was."""
    row = dict(version)
    row["facts"] = zlib.decompress(row.pop("facts_zlib")).decode()
    return row


class AuditFindings(Projection):
    """The automatic audit checks, kept current with the log."""

    name = "audit_findings"
    # 2: an approved money correction moves a credit's amount and bank reference, and a
    # corrected name its A06 finding (ADR 0022).
    # 3: check A02 runs (ADR 0036).
    version = 3
    findings = audit_findings
    dossiers = audit_dossiers
    subjects = audit_subjects
    tables = (audit_findings, audit_dossiers, audit_subjects)
    findings_history = audit_findings_history
    dossiers_history = audit_dossiers_history
    subjects_history = audit_subjects_history
    late_events = audit_late_events

    @property
    def histories(self) -> tuple[Table, ...]:
        return (
            self.findings_history,
            self.dossiers_history,
            self.subjects_history,
            self.late_events,
        )

    def __init__(self, deadline_days: Mapping[str, int] | None = None) -> None:
        self.deadline_days = dict(deadline_days or {})

    @property
    def settings(self) -> dict[str, int]:
        return deadline_settings(THRESHOLD_DEFAULTS, self.deadline_days)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        tables = AuditTables(self.findings, self.dossiers, self.subjects)
        source = TableSource(conn, tables)
        source.prefetch(events)
        book = AuditBook(source, self.deadline_days, versioned=True)
        for event in events:
            book.apply(event)
        self._write(conn, source, book)

    def _write(self, conn: Connection, source: TableSource, book: AuditBook) -> None:
        keys = sorted(book.changed_entries)
        stored = [k for k in keys if source.dossiers.get(k) is not None]
        replace_rows(conn, self.dossiers, "dossier_id", keys, book.stored_rows(keys), stored)
        new = sorted(book.new_subjects)
        if new:
            existing = conn.execute(
                select(self.subjects.c.aggregate_id).where(
                    key_in(conn, self.subjects.c.aggregate_id, new)
                )
            ).scalars()
            fresh = set(new) - set(existing)
            if fresh:
                indexed = book.subject_rows(fresh)
                conn.execute(self.subjects.insert(), indexed)
                self._append_subject_versions(conn, book, indexed)
        fids = sorted(book.changed_findings)
        rows: dict[Hashable, Row] = {fid: book.findings[fid] for fid in fids}
        replace_rows(conn, self.findings, "finding_id", fids, rows)
        versions = book.versions
        assert versions is not None
        # Same transaction as the tables: the histories never run ahead of them or behind.
        append_rows(
            conn,
            self.dossiers_history,
            [version_of(self.dossiers_history, packed(row), e) for row, e in versions.dossiers],
        )
        append_rows(
            conn,
            self.findings_history,
            [version_of(self.findings_history, row, e) for row, e in versions.findings],
        )
        append_rows(conn, self.late_events, versions.late)

    def _append_subject_versions(
        self, conn: Connection, book: AuditBook, indexed: Sequence[Row]
    ) -> None:
        assert book.versions is not None
        first = book.versions.subjects
        history = self.subjects_history
        append_rows(
            conn, history, [version_of(history, r, first[r["aggregate_id"]]) for r in indexed]
        )
