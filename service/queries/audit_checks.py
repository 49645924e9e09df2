"""Reading the audit findings, their evidence and the declared rules; acknowledging a finding.

The findings come from the `audit_findings` read model; a finding's evidence is read back from
the event log by position and summarised without personal data (event, aggregate, business
date, who, in which role, on what document).

The findings at a cut (ADR 0028) are as known at a log position, as at a business date, or
both.

The reference is a replay: the audit book's pure fold of the events the cut keeps
(`replay_findings_at`). The fast path reads the findings' version histories instead:
- as known at P, each finding's latest version at or before P: what the list said then;
- as at D, the versions at the position before the audit clock first went past D (every
  earlier event is dated by D), with the events dated by D but entered after that folded on
  top by the same book, its memory loaded from the histories at that position.
A contract test holds the two to each other at random cuts on both stores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select

from domain.audit.catalogue import NOT_RUN, RULES
from projections.audit_at import (
    AuditHistories,
    DossiersAt,
    clock_passes,
    each_latest_at,
    late_positions,
    without_version,
)
from projections.audit_book import AuditBook, audit_of_log
from projections.audit_findings import AuditFindings, audit_findings
from projections.base import Row
from service.errors import NotFound
from service.queries.paging import Page
from service.queries.time_travel import Cut
from service.store.event_log import decode_stored, log_events
from service.system import Jejak

STATUSES = ("open", "resolved")


def rules() -> list[dict[str, Any]]:
    """Every declared rule, and the checks of domain research section 7 not run (with why)."""
    declared = [asdict(rule) | {"severity": rule.severity.value, "run": True} for rule in RULES]
    skipped = [{"rule_id": rule_id, "run": False, "why": why} for rule_id, why in NOT_RUN.items()]
    return sorted([*declared, *skipped], key=lambda r: str(r["rule_id"]))


def findings(
    jejak: Jejak,
    *,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    site_id: str | None = None,
    acknowledged: bool | None = None,
    limit: int = 100,
    offset: int = 0,
    cut: Cut | None = None,
) -> Page[dict[str, Any]]:
    """Findings matching every filter given, most recently found first; at `cut`, as they
    stood then (ADR 0028)."""
    if cut is not None:
        filters = {
            "rule_id": rule,
            "severity": severity,
            "status": status,
            "site_id": site_id,
            "acknowledged": acknowledged,
        }
        past = findings_at(jejak, cut, filters, limit=limit, offset=offset)
        return Page([_shaped(r) for r in past.items], past.total, limit, offset)
    c = audit_findings.c
    conditions = [
        column == value
        for column, value in (
            (c.rule_id, rule),
            (c.severity, severity),
            (c.status, status),
            (c.site_id, site_id),
            (c.acknowledged, acknowledged),
        )
        if value is not None
    ]
    query = (
        select(audit_findings)
        .where(*conditions)
        .order_by(c.first_seen_position.desc(), c.finding_id)
        .limit(limit)
        .offset(offset)
    )
    with jejak.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(audit_findings).where(*conditions))
        rows = [_shaped(dict(r)) for r in conn.execute(query).mappings()]
    return Page(rows, int(total or 0), limit, offset)


def finding(jejak: Jejak, finding_id: UUID) -> dict[str, Any]:
    """One finding with a summary of each event that evidences it."""
    row = _row(jejak, finding_id)
    return row | {"evidence_events": [_event(jejak, p) for p in row["evidence"]]}


@dataclass(frozen=True)
class CheckedSubject:
    """What a finding of the checks is about, as an acknowledgement records it."""

    rule_id: str
    subject_id: str


def checked_subject(jejak: Jejak, finding_id: UUID) -> CheckedSubject:
    """The rule and subject of a finding the read model holds (NotFound otherwise): an
    acknowledgement names them, and only a finding the checks raised can be acknowledged."""
    row = _row(jejak, finding_id)
    return CheckedSubject(rule_id=row["rule_id"], subject_id=row["subject_id"])


def _row(jejak: Jejak, finding_id: UUID) -> dict[str, Any]:
    with jejak.engine.connect() as conn:
        row = (
            conn.execute(
                select(audit_findings).where(audit_findings.c.finding_id == str(finding_id))
            )
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound("finding", finding_id)
    return _shaped(dict(row))


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    """The stored row as the API and CLI show it (the working columns left out)."""
    row.pop("dossier_id", None)
    return row | {"evidence": json.loads(row["evidence"])}


def _event(jejak: Jejak, position: int) -> dict[str, Any]:
    """What an auditor needs to find an event again; never its sealed or personal fields."""
    notes = jejak.app.recorder.select_notifications(
        start=position, limit=1, inclusive_of_start=True
    )
    if not notes or notes[0].id != position:
        return {"position": position, "event": None}
    event = jejak.app.mapper.to_domain_event(notes[0])
    document = getattr(event, "document", None)
    actor = getattr(event, "actor", None)
    return {
        "position": position,
        "event": type(event).__name__,
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "occurred_on": getattr(event, "occurred_on", None),
        "actor": actor.user_id if actor else None,
        "role": actor.role.value if actor else None,
        "document": {"kind": document.kind, "number": document.number} if document else None,
    }


# --- the findings at a cut (ADR 0028) ----------------------------------------------------

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
