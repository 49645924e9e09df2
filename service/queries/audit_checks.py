"""Reading the audit findings, their evidence and the declared rules; acknowledging a finding.

The findings come from the `audit_findings` read model; a finding's evidence is read back from
the event log by position and summarised without personal data (event, aggregate, business
date, who, in which role, on what document).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from domain.audit.catalogue import NOT_RUN, RULES
from domain.recording import Provenance
from projections.audit_findings import audit_findings
from service.commands.application import CommandResult
from service.errors import NotFound
from service.queries.audit_checks_at import findings_at
from service.queries.paging import Page
from service.queries.time_travel import Cut
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


def acknowledge(jejak: Jejak, finding_id: UUID, provenance: Provenance) -> CommandResult:
    """Acknowledge a finding the read model holds (404 otherwise); the reason is required."""
    row = _row(jejak, finding_id)
    return jejak.app.acknowledge_finding(
        finding_id, rule_id=row["rule_id"], subject_id=row["subject_id"], provenance=provenance
    )


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
