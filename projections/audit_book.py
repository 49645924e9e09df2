"""The audit book: dossiers, the log's clock and the findings, kept current one event at a time.

For each event the book first moves the log's clock to the event's business date (if later)
and evaluates every dossier whose deadline that passes, then folds the event and evaluates the
dossiers it changed. A finding that a new evaluation no longer gives is resolved at that event's
position, never deleted; one that comes back is reopened. The book works the same over an empty
memory (a pure fold of the whole log) and over a `DossierSource` that loads what a batch
needs from the tables, so the tables equal the pure fold however the log is cut into batches.

A versioned book also keeps, event by event, every dossier, finding and index entry the event
changed and every event entered before the clock's date: what the version histories append,
so that the state after any position can be read back (ADR 0028).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain.audit.acknowledgement import FindingAcknowledgement
from domain.audit.catalogue import RULES_BY_ID, evaluate
from domain.audit.facts import (
    AuditContext,
    CaseFacts,
    Dossier,
    ReferenceFacts,
    SiteFacts,
    case_from_json,
    dumps,
    reference_from_json,
    site_from_json,
)
from domain.audit.rules import Finding
from projections.audit_fold import fold_event, reference_key
from projections.base import PositionedEvent, Row

LOG_KEY = "log"
KIND_OF = {CaseFacts: "case", SiteFacts: "site", ReferenceFacts: "reference"}
FROM_JSON: dict[str, Callable[[Mapping[str, Any]], Dossier]] = {
    "case": case_from_json,
    "site": site_from_json,
    "reference": reference_from_json,
}


@dataclass
class Entry:
    """A dossier with the ids of every finding it ever gave and its next deadline."""

    facts: Dossier
    finding_ids: set[str] = field(default_factory=set)
    wake_on: date | None = None


class DossierSource(Protocol):
    """Where the book finds what is not in memory yet (nothing, for a pure fold)."""

    def dossier(self, dossier_id: str) -> Row | None:
        """The stored dossier row."""
        ...

    def subject(self, aggregate_id: str) -> tuple[str, str | None] | None:
        """The stored index entry of an aggregate."""
        ...

    def finding(self, finding_id: str) -> Row | None:
        """The stored finding row."""
        ...

    def waking_by(self, day: date) -> list[Row]:
        """Stored dossier rows whose deadline falls on or before `day`."""
        ...

    def references_dated(self, start: date, end: date) -> list[Row]:
        """Stored bank-reference dossier rows with a credit dated in [start, end]."""
        ...


class NoSource:
    """An empty store: the book starts from nothing."""

    def dossier(self, dossier_id: str) -> Row | None:
        return None

    def subject(self, aggregate_id: str) -> tuple[str, str | None] | None:
        return None

    def finding(self, finding_id: str) -> Row | None:
        return None

    def waking_by(self, day: date) -> list[Row]:
        return []

    def references_dated(self, start: date, end: date) -> list[Row]:
        return []


@dataclass
class Versions:
    """What one batch changed, event by event, for the version histories."""

    # (the row as the event left it, the event), in log order.
    dossiers: list[tuple[Row, PositionedEvent]] = field(default_factory=list)
    findings: list[tuple[Row, PositionedEvent]] = field(default_factory=list)
    # The event that first sent each aggregate to its dossier in this batch.
    subjects: dict[str, PositionedEvent] = field(default_factory=dict)
    # (position, business date, the clock it came after, days between) of each event dated
    # before the clock.
    late: list[tuple[int, date, date, int]] = field(default_factory=list)


class AuditBook:
    """The working memory of the audit checks for one batch (or the whole log)."""

    def __init__(
        self, source: DossierSource, days: Mapping[str, int], *, versioned: bool = False
    ) -> None:
        self.source = source
        self.days = dict(days)
        self.entries: dict[str, Entry] = {}
        self.subjects: dict[str, tuple[str, str | None]] = {}
        self.findings: dict[str, Row] = {}
        self.changed_entries: set[str] = set()
        self.new_subjects: set[str] = set()
        self.changed_findings: set[str] = set()
        self.versions: Versions | None = Versions() if versioned else None
        # Each dossier's row as last stored or versioned: a dossier the fold only read is not
        # versioned again.
        self._last_rows: dict[str, Row] = {}
        self._applying: PositionedEvent | None = None
        log = source.dossier(LOG_KEY)
        if log is not None:
            self._last_rows[LOG_KEY] = _dossier_row(log)
        facts = json.loads(log["facts"]) if log else {"clock": None, "periods": []}
        self.clock: date | None = date.fromisoformat(facts["clock"]) if facts["clock"] else None
        self.periods = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in facts["periods"]]

    # --- the Dossiers view the fold uses ----------------------------------------------------

    def get(self, dossier_id: str) -> Dossier | None:
        entry = self._entry(dossier_id)
        if entry is None:
            return None
        self.changed_entries.add(dossier_id)
        return entry.facts

    def put(self, dossier_id: str, dossier: Dossier) -> None:
        self.entries[dossier_id] = Entry(dossier)
        self.changed_entries.add(dossier_id)

    def subject(self, aggregate_id: str) -> tuple[str, str | None] | None:
        if aggregate_id not in self.subjects:
            found = self.source.subject(aggregate_id)
            if found is None:
                return None
            self.subjects[aggregate_id] = found
        return self.subjects[aggregate_id]

    def index(self, aggregate_id: str, dossier_id: str, site_id: str | None) -> None:
        self.subjects[aggregate_id] = (dossier_id, site_id)
        self.new_subjects.add(aggregate_id)
        if self.versions is not None and self._applying is not None:
            self.versions.subjects.setdefault(aggregate_id, self._applying)

    def add_statement_period(self, start: date, end: date) -> list[str]:
        self.periods.append((start, end))
        self.changed_entries.add(LOG_KEY)
        for row in self.source.references_dated(start, end):
            self._entry(row["dossier_id"])
        return sorted(
            key
            for key, entry in self.entries.items()
            if isinstance(entry.facts, ReferenceFacts)
            and (first := entry.facts.first_value_date) is not None
            and start <= first <= end
        )

    # --- applying events ----------------------------------------------------------------------

    def apply(self, event: PositionedEvent) -> None:
        """Advance the clock to the event's business date, then fold and evaluate it."""
        if self.versions is None:
            self._apply(event)
            return
        # What this event changes is kept apart from what the batch changed before it.
        entries, findings = self.changed_entries, self.changed_findings
        self.changed_entries, self.changed_findings = set(), set()
        self._applying = event
        occurred: date | None = getattr(event.event, "occurred_on", None)
        if occurred is not None and self.clock is not None and occurred < self.clock:
            lag = (self.clock - occurred).days
            self.versions.late.append((event.position, occurred, self.clock, lag))
        try:
            self._apply(event)
            self._keep_versions(self.versions, event)
        finally:
            self._applying = None
            self.changed_entries |= entries
            self.changed_findings |= findings

    def _keep_versions(self, versions: Versions, event: PositionedEvent) -> None:
        for key, row in self.dossier_rows(sorted(self.changed_entries)).items():
            if self._last_rows.get(str(key)) != row:
                self._last_rows[str(key)] = row
                versions.dossiers.append((row, event))
        for fid in sorted(self.changed_findings):
            versions.findings.append((dict(self.findings[fid]), event))

    def _apply(self, event: PositionedEvent) -> None:
        occurred: date | None = getattr(event.event, "occurred_on", None)
        if occurred is not None and (self.clock is None or occurred > self.clock):
            self.clock = occurred
            self.changed_entries.add(LOG_KEY)
            for key in self._waking(occurred):
                self._evaluate(key, event)
        if isinstance(event.event, FindingAcknowledgement.FindingAcknowledged):
            self._acknowledge(event.position, event.event)
            return
        for key in sorted(set(fold_event(self, event))):
            self._evaluate(key, event)

    def _waking(self, day: date) -> list[str]:
        for row in self.source.waking_by(day):
            self._entry(row["dossier_id"])
        return sorted(
            key
            for key, entry in self.entries.items()
            if entry.wake_on is not None and entry.wake_on <= day
        )

    def _evaluate(self, key: str, event: PositionedEvent) -> None:
        entry = self._entry(key)
        if entry is None or self.clock is None:
            return
        ctx = AuditContext(self.clock, self.days, tuple(self.periods))
        verdict = evaluate(entry.facts, ctx)
        self.changed_entries.add(key)
        entry.wake_on = verdict.wake_on
        now = {str(f.finding_id): f for f in verdict.findings}
        for fid, finding in now.items():
            # A finding only ever comes from one dossier: one it never gave is new.
            known = self._finding(fid) if fid in entry.finding_ids else None
            self._raise(fid, finding, key, event, known)
        for fid in sorted(entry.finding_ids - now.keys()):
            row = self._finding(fid)
            if row is not None and row["status"] == "open":
                row |= {
                    "status": "resolved",
                    "resolved_position": event.position,
                    "resolved_on": self.clock,
                    "last_position": event.position,
                }
                self.changed_findings.add(fid)
        entry.finding_ids |= now.keys()

    def _raise(
        self, fid: str, finding: Finding, key: str, event: PositionedEvent, row: Row | None
    ) -> None:
        facts = {
            "severity": finding.severity.value,
            "summary": finding.summary,
            "site_id": finding.site_id,
            "evidence": json.dumps(list(finding.evidence)),
            "status": "open",
            "resolved_position": None,
            "resolved_on": None,
        }
        if row is None:
            rule = RULES_BY_ID[finding.rule_id]
            self.findings[fid] = facts | {
                "finding_id": fid,
                "rule_id": finding.rule_id,
                "subject_kind": finding.subject_kind.value,
                "subject_id": finding.subject_id,
                "dossier_id": key,
                "suggested_action": rule.suggested_action,
                "first_seen_position": event.position,
                "first_seen_on": self.clock,
                "acknowledged": False,
                "acknowledged_by": None,
                "acknowledged_on": None,
                "acknowledgement_reason": None,
                "acknowledged_position": None,
                "last_position": event.position,
            }
        elif any(row[k] != v for k, v in facts.items()):
            row |= facts | {"last_position": event.position}
        else:
            return
        self.changed_findings.add(fid)

    def _acknowledge(self, position: int, e: FindingAcknowledgement.FindingAcknowledged) -> None:
        fid = str(e.originator_id)
        row = self._finding(fid)
        if row is None:
            return  # acknowledgements are accepted only for findings the table holds
        row |= {
            "acknowledged": True,
            "acknowledged_by": e.actor.user_id,
            "acknowledged_on": e.occurred_on,
            "acknowledgement_reason": e.reason,
            "acknowledged_position": position,
            "last_position": position,
        }
        self.changed_findings.add(fid)

    # --- memory -------------------------------------------------------------------------------

    def _entry(self, key: str) -> Entry | None:
        if key not in self.entries:
            row = self.source.dossier(key)
            if row is None or key == LOG_KEY:
                return None
            facts = FROM_JSON[row["kind"]](json.loads(row["facts"]))
            self.entries[key] = Entry(facts, set(json.loads(row["finding_ids"])), row["wake_on"])
            self._last_rows[key] = _dossier_row(row)
        return self.entries[key]

    def _finding(self, fid: str) -> Row | None:
        if fid not in self.findings:
            row = self.source.finding(fid)
            if row is None:
                return None
            self.findings[fid] = dict(row)
        return self.findings[fid]

    # --- the rows to store --------------------------------------------------------------------

    def stored_rows(self, keys: Iterable[str]) -> dict[Hashable, Row]:
        """`dossier_rows`, taken from the versions where the book keeps them: a versioned book
        serialised each dossier after every event that changed it, the last time included."""
        if self.versions is None:
            return self.dossier_rows(keys)
        return {key: self._last_rows[key] for key in keys}

    def dossier_rows(self, keys: Iterable[str]) -> dict[Hashable, Row]:
        """The stored form of the dossiers `keys` (the log's clock included)."""
        rows: dict[Hashable, Row] = {}
        for key in keys:
            if key == LOG_KEY:
                rows[key] = self._log_row()
                continue
            entry = self.entries[key]
            value_date = (
                entry.facts.first_value_date if isinstance(entry.facts, ReferenceFacts) else None
            )
            rows[key] = {
                "dossier_id": key,
                "kind": KIND_OF[type(entry.facts)],
                "wake_on": entry.wake_on,
                "value_date": value_date,
                "finding_ids": json.dumps(sorted(entry.finding_ids)),
                "facts": dumps(entry.facts),
            }
        return rows

    def _log_row(self) -> Row:
        facts = {
            "clock": self.clock.isoformat() if self.clock else None,
            "periods": [[a.isoformat(), b.isoformat()] for a, b in self.periods],
        }
        return {
            "dossier_id": LOG_KEY,
            "kind": "log",
            "wake_on": None,
            "value_date": None,
            "finding_ids": "[]",
            "facts": json.dumps(facts, sort_keys=True),
        }

    def subject_rows(self, ids: Iterable[str]) -> list[Row]:
        """The stored form of the index entries `ids`."""
        return [
            {"aggregate_id": a, "dossier_id": self.subjects[a][0], "site_id": self.subjects[a][1]}
            for a in sorted(ids)
        ]


def _dossier_row(row: Row) -> Row:
    """A stored dossier row (or a version of one) as `dossier_rows` builds it."""
    return {k: row[k] for k in DOSSIER_COLUMNS}


DOSSIER_COLUMNS = ("dossier_id", "kind", "wake_on", "value_date", "finding_ids", "facts")


def audit_of_log(
    events: Iterable[PositionedEvent], days: Mapping[str, int] | None = None
) -> tuple[dict[str, Row], dict[str, Row], dict[str, Row]]:
    """The pure fold: (findings, dossiers, index) by key, as the tables must hold them."""
    book = AuditBook(NoSource(), days or {})
    for event in events:
        book.apply(event)
    dossiers = {str(k): v for k, v in book.dossier_rows([*book.entries, LOG_KEY]).items()}
    index = {r["aggregate_id"]: r for r in book.subject_rows(book.subjects)}
    return dict(book.findings), dossiers, index


__all__ = [
    "AuditBook",
    "DossierSource",
    "NoSource",
    "Versions",
    "audit_of_log",
    "reference_key",
]
