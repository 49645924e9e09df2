"""The automatic audit checks' findings at a cut: as known at a log position, as at a business
date, or both (ADR 0028).

The reference is a replay: the audit book's pure fold of the events the cut keeps
(`replay_findings_at`). The fast path reads the findings' version histories instead:
- as known at P, each finding's latest version at or before P: what the list said then;
- as at D, the versions at the position before the audit clock first went past D (every
  earlier event is dated by D), with the events dated by D but entered after that folded on
  top by the same book, its memory loaded from the histories at that position.
A contract test holds the two to each other at random cuts on both stores.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, func, select

from projections.audit_at import (
    AuditHistories,
    DossiersAt,
    clock_passes,
    each_latest_at,
    late_positions,
    without_version,
)
from projections.audit_book import AuditBook, audit_of_log
from projections.audit_findings import AuditFindings
from projections.base import Row
from service.queries.event_log import decode_stored, log_events
from service.queries.paging import Page
from service.queries.time_travel import Cut
from service.system import Jejak

# A cut with no position reads every version there is.
EVERY_POSITION = 2**62
# The filters the findings list takes: column = value.
Filters = Mapping[str, object]


def replay_findings_at(jejak: Jejak, cut: Cut) -> dict[str, Row]:
    """Every finding at `cut`, by id, from a replay of the log: exact and slow."""
    events = (e for e in log_events(jejak.app, cut.known_at) if cut.keeps(e))
    findings, _, _ = audit_of_log(events, _audit(jejak).deadline_days)
    return findings


def findings_at(
    jejak: Jejak,
    cut: Cut,
    filters: Filters | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> Page[Row]:
    """One page of the findings at `cut` matching `filters`, most recently found first;
    `limit` None gives them all."""
    wanted = {k: v for k, v in (filters or {}).items() if v is not None}
    histories = AuditHistories()
    with jejak.engine.connect() as conn:
        base, refolded = _start_and_refold(conn, jejak, histories, cut)
        c = histories.findings.c
        conditions = [c[k] == v for k, v in wanted.items()]
        if refolded:
            conditions.append(c.finding_id.not_in(sorted(refolded)))
        clean = each_latest_at(
            histories.findings, histories.finding_ids, "finding_id", base, *conditions
        )
        ordered = clean.order_by(c.first_seen_position.desc(), c.finding_id)
        if limit is not None:
            # The refolded findings may fall anywhere in the order: enough clean rows to place them.
            ordered = ordered.limit(offset + limit)
        rows = [without_version(r) for r in conn.execute(ordered).mappings()]
        if limit is None:
            total = len(rows)
        else:
            counted = select(func.count()).select_from(clean.subquery())
            total = int(conn.execute(counted).scalar_one())
    moved = [r for r in refolded.values() if all(r[k] == v for k, v in wanted.items())]
    merged = sorted(rows + moved, key=lambda r: (-r["first_seen_position"], r["finding_id"]))
    end = None if limit is None else offset + limit
    total += len(moved)
    return Page(merged[offset:end], total, limit or total, offset)


def _start_and_refold(
    conn: Connection, jejak: Jejak, histories: AuditHistories, cut: Cut
) -> tuple[int, dict[str, Row]]:
    """The position whose versions the cut starts from, and the findings the events entered
    late change on top of them, each as at the cut."""
    base = cut.known_at if cut.known_at is not None else EVERY_POSITION
    if cut.as_at is None:
        return base, {}
    passes = clock_passes(conn, histories, cut.as_at)
    if passes is None or passes > base:
        return base, {}
    base = passes - 1
    late = late_positions(conn, histories, cut.as_at, base, cut.known_at)
    if not late:
        return base, {}
    events = decode_stored(jejak.app, jejak.raw_log().read_positions(late))
    source = DossiersAt(conn, histories, base)
    source.prefetch(events)
    book = AuditBook(source, _audit(jejak).deadline_days)
    for event in events:
        book.apply(event)
    # A finding the book only loaded is its version at the start, which the SQL reads anyway.
    return base, {fid: book.findings[fid] for fid in book.changed_findings}


def _audit(jejak: Jejak) -> AuditFindings:
    found = next(p for p in jejak.runner.projections if isinstance(p, AuditFindings))
    return found


__all__ = ["findings_at", "replay_findings_at"]
