"""The audit checks as they stood after a log position, read from their version histories.

`AuditBook` folds the same whatever source it loads its memory from (the tables now, nothing for
a replay); `DossiersAt` is that source at a past position: each dossier, finding and index entry
as its latest version at or before the position left it. The findings as known at a position
are those versions alone; the findings as at a date start from the versions at the position
before the clock first passed the date and fold the events dated by then that were entered
after it (ADR 0028).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Select, Table, func, select, union_all

from projections.audit_book import LOG_KEY
from projections.audit_findings import (
    LoadingSource,
    audit_dossiers_history,
    audit_findings,
    audit_findings_history,
    audit_late_events,
    audit_subjects_history,
    unpacked,
)
from projections.base import Row, key_in
from projections.schema import VERSION_COLUMNS, VERSION_POSITION

# Keys looked up per statement, each by its own probe.
PROBES = 100


@dataclass(frozen=True)
class AuditHistories:
    """The audit checks' version histories (a rebuild's builder has shadows of them)."""

    findings: Table = audit_findings_history
    # Every finding ever raised has a row here (findings are resolved, never deleted): a cut
    # looks up each one's version rather than grouping every version.
    finding_ids: Table = audit_findings
    dossiers: Table = audit_dossiers_history
    subjects: Table = audit_subjects_history
    late_events: Table = audit_late_events


def latest_at(history: Table, key: str, position: int, keys: Sequence[str]) -> CompoundSelect[Any]:
    """The latest version at or before `position` of each of `keys`: one probe per key down
    the history's primary key (key, position), which reads one entry however many versions the
    key has (a site's dossier has one per person registered)."""
    at = history.c[VERSION_POSITION]
    probes = [
        select(history)
        .where(history.c[key] == value, at <= position)
        .order_by(at.desc())
        .limit(1)
        .subquery()
        for value in keys
    ]
    # Each probe is its own subquery: SQLite takes ORDER BY and LIMIT in a compound select's
    # parts only that way.
    return union_all(*(select(probe) for probe in probes))


def each_latest_at(
    history: Table, keys: Table, key: str, position: int, *conditions: Any
) -> Select[Any]:
    """`latest_at` driven from `keys`, a table with a row per key: each key's latest version
    is found through the history's primary key, without reading the other versions (a
    finding whose summary counts a site's people has a version per registration)."""
    at = history.c[VERSION_POSITION]
    earlier = history.alias("earlier")
    latest = (
        select(func.max(earlier.c[VERSION_POSITION]))
        .where(earlier.c[key] == keys.c[key], earlier.c[VERSION_POSITION] <= position)
        .scalar_subquery()
    )
    return (
        select(history)
        .select_from(keys.join(history, history.c[key] == keys.c[key]))
        .where(at == latest, *conditions)
    )


def without_version(row: Any) -> Row:
    """A version as the live row it was."""
    return {k: v for k, v in dict(row).items() if k not in VERSION_COLUMNS}


class DossiersAt(LoadingSource):
    """`DossierSource` over the histories at `position`: the tables as they stood then."""

    def __init__(self, conn: Connection, histories: AuditHistories, position: int) -> None:
        super().__init__()
        self.conn = conn
        self.histories = histories
        self.position = position
        log = self.dossier(LOG_KEY)
        clock = json.loads(log["facts"])["clock"] if log else None
        self.clock = date.fromisoformat(clock) if clock else None

    def _latest(self, history: Table, key: str, values: Sequence[str]) -> list[Row]:
        """The versions at the position of these keys (at most one each)."""
        found: list[Row] = []
        for chunk in range(0, len(values), PROBES):
            query = latest_at(history, key, self.position, values[chunk : chunk + PROBES])
            found += [without_version(r) for r in self.conn.execute(query).mappings()]
        return found

    def subject_rows(self, aggregate_ids: Sequence[str]) -> dict[str, Row]:
        # An aggregate is sent to its dossier once, by the event that first names it: its one
        # version is its index entry from then on.
        history = self.histories.subjects
        found: dict[str, Row] = {}
        for chunk in range(0, len(aggregate_ids), 500):
            query = select(history).where(
                key_in(self.conn, history.c.aggregate_id, aggregate_ids[chunk : chunk + 500]),
                history.c[VERSION_POSITION] <= self.position,
            )
            for row in self.conn.execute(query).mappings():
                found[row["aggregate_id"]] = without_version(row)
        return found

    def dossier_rows(self, dossier_ids: Sequence[str]) -> dict[str, Row]:
        rows = self._latest(self.histories.dossiers, "dossier_id", dossier_ids)
        return {r["dossier_id"]: unpacked(r) for r in rows}

    def finding_rows(self, dossier_ids: Sequence[str]) -> list[Row]:
        # A finding only ever comes from one dossier: the live table, which holds every finding
        # ever raised, names the findings of these dossiers through its index.
        raised = self.histories.finding_ids
        found: list[Row] = []
        for chunk in range(0, len(dossier_ids), 500):
            of_these = key_in(self.conn, raised.c.dossier_id, dossier_ids[chunk : chunk + 500])
            query = each_latest_at(
                self.histories.findings, raised, "finding_id", self.position, of_these
            )
            found += [without_version(r) for r in self.conn.execute(query).mappings()]
        return found

    def finding_row(self, finding_id: str) -> Row | None:
        rows = self._latest(self.histories.findings, "finding_id", [finding_id])
        return rows[0] if rows else None

    def waking_by(self, day: date) -> list[Row]:
        # Every deadline at or before the clock had woken its dossier by then, and a dossier's
        # next one is always after the clock that set it: only those in (clock, day] are left.
        # The book loads each candidate at the position and keeps those still due.
        c = self.histories.dossiers.c
        conditions = [c.wake_on <= day, c[VERSION_POSITION] <= self.position]
        if self.clock is not None:
            conditions.append(c.wake_on > self.clock)
        return self._candidates(conditions)

    def references_dated(self, start: date, end: date) -> list[Row]:
        c = self.histories.dossiers.c
        return self._candidates(
            [c.value_date >= start, c.value_date <= end, c[VERSION_POSITION] <= self.position]
        )

    def _candidates(self, conditions: Sequence[Any]) -> list[Row]:
        c = self.histories.dossiers.c
        query = select(c.dossier_id).where(*conditions).distinct().order_by(c.dossier_id)
        ids = list(self.conn.execute(query).scalars())
        self.fresh(ids)
        return [{"dossier_id": d} for d in ids]


def clock_passes(conn: Connection, histories: AuditHistories, day: date) -> int | None:
    """The first log position at which the audit clock went past `day` (None: it never has).

    Every event before it is dated by `day`; every event from it on that is dated by `day` was
    entered late, and is in `audit_late_events`.
    """
    c = histories.dossiers.c
    query = (
        select(c[VERSION_POSITION], c.facts_zlib)
        .where(c.dossier_id == LOG_KEY)
        .order_by(c[VERSION_POSITION])
    )
    # One version per day the clock moved and per statement imported: a few thousand rows.
    for position, facts in conn.execute(query):
        clock = json.loads(zlib.decompress(facts))["clock"]
        if clock is not None and date.fromisoformat(clock) > day:
            return int(position)
    return None


def late_positions(
    conn: Connection, histories: AuditHistories, day: date, after: int, up_to: int | None
) -> list[int]:
    """The positions after `after` (and up to `up_to`) of events dated by `day` that were
    entered once the clock had passed it, in log order."""
    late = histories.late_events.c
    # Only an event entered at most the longest lag late can be dated by `day` and entered
    # after the clock passed it: the date range keeps the scan to those.
    longest = conn.execute(select(func.max(late.days_late))).scalar()
    conditions = [late.position > after, late.occurred_on <= day, late.clock_before > day]
    if longest is not None:
        conditions.append(late.occurred_on >= day - timedelta(days=int(longest)))
    if up_to is not None:
        conditions.append(late.position <= up_to)
    query = select(late.position).where(*conditions).order_by(late.position)
    return list(conn.execute(query).scalars())
