"""audit_register: which external audit findings are open, what was answered, and by when is
the next answer due?

The statutory answer date runs from the day the LHP was received (UU 15/2004 Pasal 20); a
rejected follow-up starts the programme's own clock again. Durations come from the programme
settings, so a change of settings is applied by rebuilding this read model. Whether a finding
is overdue is a question of the day, answered by the queries.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import BigInteger, Column, Date, Integer, String, Table, Text

from domain.audit_finding import AuditFinding
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from projections.base import PositionedEvent, Row, RowProjection, deadline_settings
from projections.provenance import stamp
from projections.schema import history_table, metadata, provenance_columns

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
    *provenance_columns(),
)
"""The register of external audit findings and their follow-up."""

audit_register_history = history_table(audit_register, "finding_id")
"""Every change of every audit_register row, event by event (ADR 0023)."""

FINDING_EVENTS = frozenset(t.event for t in AUDIT_FINDING_LIFECYCLE.transitions)
STATUTORY = next(d for d in AUDIT_FINDING_LIFECYCLE.deadlines if d.setting == "bpk_response_days")


class AuditRegister(RowProjection):
    """One row per finding, folded from its events."""

    name = "audit_register"
    table = audit_register
    tables = (audit_register,)
    history = audit_register_history
    key_column = "finding_id"

    def __init__(self, deadline_days: Mapping[str, int] | None = None) -> None:
        self.deadline_days = dict(deadline_days or {})

    @property
    def settings(self) -> dict[str, int]:
        declared = {d.setting: d.default_days for d in AUDIT_FINDING_LIFECYCLE.deadlines}
        return deadline_settings(declared, self.deadline_days)

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in FINDING_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, AuditFinding.FindingRecorded):
            row = self._recorded(e)
        elif row is None:
            return None  # a step dated before the finding was recorded: none yet at that cut
        else:
            row = dict(row)
        row["state"] = AUDIT_FINDING_LIFECYCLE.folded_target(event.name, row.get("state"))
        match e:
            case AuditFinding.ResponseSubmitted():
                row["responses"] += 1
                row["first_response_on"] = row["first_response_on"] or e.occurred_on
                row["last_response_on"] = e.occurred_on
                row["last_response_summary"] = e.summary
                row["amount_recovered"] += e.amount_recovered
            case AuditFinding.FollowUpAccepted() | AuditFinding.FollowUpRejected():
                accepted = isinstance(e, AuditFinding.FollowUpAccepted)
                row["last_assessment"] = "accepted" if accepted else "rejected"
                row["last_assessed_on"] = e.occurred_on
            case AuditFinding.FindingClosed():
                row["closed_on"] = e.occurred_on
        milestones = {"FindingRecorded": row["lhp_received_on"]}
        if row["last_assessment"] == "rejected":
            milestones["FollowUpRejected"] = row["last_assessed_on"]
        due = AUDIT_FINDING_LIFECYCLE.due_on(row["state"], milestones, self.deadline_days)
        row["deadline"] = due[0].setting if due else None
        row["due_on"] = due[1] if due else None
        row["version"] = e.originator_version
        return stamp(row, event)

    def _recorded(self, e: AuditFinding.FindingRecorded) -> Row:
        """The row of a newly recorded finding (`e` is its FindingRecorded event)."""
        received: date = e.lhp_received_on
        days = self.deadline_days.get(STATUTORY.setting, STATUTORY.default_days)
        return {
            "finding_id": str(e.originator_id),
            "audit_body": e.audit_body,
            "lhp_number": e.lhp_number,
            "lhp_date": e.lhp_date,
            "lhp_received_on": received,
            "finding_number": e.finding_number,
            "title": e.title,
            "recommendation": e.recommendation,
            "responsible_position": e.responsible_position,
            "amount_to_recover": e.amount_to_recover,
            "amount_recovered": 0,
            "site_ids": _ids(e.site_ids),
            "beneficiary_ids": _ids(e.beneficiary_ids),
            "batch_ids": _ids(e.batch_ids),
            "state": None,
            "recorded_on": e.occurred_on,
            "response_due_on": received + timedelta(days=days),
            "responses": 0,
            "first_response_on": None,
            "last_response_on": None,
            "last_response_summary": None,
            "last_assessment": None,
            "last_assessed_on": None,
            "closed_on": None,
        }


def _ids(ids: Iterable[UUID]) -> str:
    return json.dumps([str(i) for i in ids])
