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
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, Table, select

from projections.audit_book import LOG_KEY, AuditBook
from projections.audit_fold import MOVED_ON, case_key, reference_key
from projections.base import (
    PositionedEvent,
    Projection,
    Row,
    append_rows,
    key_in,
    load_rows,
    replace_rows,
    version_of,
)
from projections.tables import (
    audit_dossiers,
    audit_dossiers_history,
    audit_findings,
    audit_findings_history,
    audit_late_events,
    audit_subjects,
    audit_subjects_history,
)


@dataclass(frozen=True)
class AuditTables:
    """The tables the audit checks keep (a rebuild points them elsewhere)."""

    findings: Table = audit_findings
    dossiers: Table = audit_dossiers
    subjects: Table = audit_subjects


class TableSource:
    """The book's source: the audit tables, read within the runner's transaction.

    What a batch's aggregates name is fetched up front; anything else one row at a time, and
    every answer (an absence too) is remembered for the batch.
    """

    def __init__(self, conn: Connection, tables: AuditTables | None = None) -> None:
        self.conn = conn
        self.tables = tables or AuditTables()
        self.dossiers: dict[str, Row | None] = {}
        self.subjects: dict[str, tuple[str, str | None] | None] = {}
        self.findings: dict[str, Row | None] = {}

    def prefetch(self, events: Sequence[PositionedEvent]) -> None:
        """Load the index entries, dossiers and findings of every aggregate the batch names."""
        ids = sorted({str(e.event.originator_id) for e in events})
        found = load_rows(self.conn, self.tables.subjects, "aggregate_id", ids)
        for aggregate_id in ids:
            row = found.get(aggregate_id)
            self.subjects[aggregate_id] = (row["dossier_id"], row["site_id"]) if row else None
        named = [s for s in self.subjects.values() if s is not None]
        wanted = {LOG_KEY, *(d for d, _ in named), *(f"site:{s}" for _, s in named if s)}
        wanted |= {case_key(e.event.subject_id) for e in events if e.name == "EntitlementPlanned"}
        wanted |= {reference_key(r) for r in _references(events)}
        self._load_dossiers(sorted(wanted))
        # What became of a credit goes to its reference's dossier, named in her case's facts.
        moved_on = {str(e.event.originator_id) for e in events if e.name in MOVED_ON}
        references = set()
        for aggregate_id in moved_on:
            subject = self.subjects.get(aggregate_id)
            case = self.dossiers.get(subject[0]) if subject else None
            if case:
                facts = json.loads(case["facts"])["entitlements"].get(aggregate_id)
                if facts and facts["bank_reference"]:
                    references.add(reference_key(facts["bank_reference"]))
        self._load_dossiers(sorted(references - self.dossiers.keys()))

    def _load_dossiers(self, keys: Sequence[str]) -> None:
        rows = load_rows(self.conn, self.tables.dossiers, "dossier_id", keys)
        for key in keys:
            self.dossiers[key] = rows.get(key)
        c = self.tables.findings.c
        for chunk in range(0, len(keys), 500):
            condition = key_in(self.conn, c.dossier_id, keys[chunk : chunk + 500])
            for finding in self.conn.execute(
                select(self.tables.findings).where(condition)
            ).mappings():
                self.findings[finding["finding_id"]] = dict(finding)

    def dossier(self, dossier_id: str) -> Row | None:
        if dossier_id not in self.dossiers:
            self._load_dossiers([dossier_id])
        return self.dossiers[dossier_id]

    def subject(self, aggregate_id: str) -> tuple[str, str | None] | None:
        if aggregate_id not in self.subjects:
            row = load_rows(self.conn, self.tables.subjects, "aggregate_id", [aggregate_id])
            found = row.get(aggregate_id)
            self.subjects[aggregate_id] = (found["dossier_id"], found["site_id"]) if found else None
        return self.subjects[aggregate_id]

    def finding(self, finding_id: str) -> Row | None:
        if finding_id not in self.findings:
            found = load_rows(self.conn, self.tables.findings, "finding_id", [finding_id])
            self.findings[finding_id] = found.get(finding_id)
        return self.findings[finding_id]

    def waking_by(self, day: date) -> list[Row]:
        dossiers = self.tables.dossiers
        query = select(dossiers).where(dossiers.c.wake_on <= day)
        return self._fresh(query)

    def references_dated(self, start: date, end: date) -> list[Row]:
        c = self.tables.dossiers.c
        return self._fresh(
            select(self.tables.dossiers).where(c.value_date >= start, c.value_date <= end)
        )

    def _fresh(self, query: Select[Any]) -> list[Row]:
        """The rows `query` finds; those the batch had not loaded yet are loaded with their
        findings (a loaded one's stored row may be older than the book's)."""
        rows = [dict(r) for r in self.conn.execute(query).mappings()]
        new = [r["dossier_id"] for r in rows if r["dossier_id"] not in self.dossiers]
        if new:
            self._load_dossiers(new)
        return rows


def _references(events: Sequence[PositionedEvent]) -> set[str]:
    """The bank references the batch's credits, statement lines and corrected credits carry."""
    found: set[str] = set()
    for e in events:
        if e.name == "CreditedToAccount":
            found.add(e.event.bank_reference)
        elif e.name == "StatementImported":
            found |= {m.bank_reference for m in e.event.movements}
        elif e.name == "MoneyCorrectionApproved" and e.event.corrected_event == "CreditedToAccount":
            found |= {e.event.previous_reference, e.event.reference}
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
    version = 2
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
        replace_rows(conn, self.dossiers, "dossier_id", keys, book.dossier_rows(keys), stored)
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
