"""worklist: what should happen next for each open site, case, entitlement, payment batch and
audit finding, by when, and is it overdue?

The next action and the deadline come from the lifecycle declarations; durations come from the
programme settings, so a change of settings is applied by rebuilding this read model.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from datetime import date

from sqlalchemy import Column, Date, String, Table, Text

from domain.audit_finding import AuditFinding
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.corrections import DateCorrection
from domain.entitlement import Entitlement
from domain.lifecycle import Lifecycle
from domain.money_lifecycles import BATCH_LIFECYCLE, ENTITLEMENT_LIFECYCLE
from domain.payment_batch import PaymentBatch
from domain.site import SITE_LIFECYCLE, Site
from projections.base import PositionedEvent, Row, deadline_settings
from projections.cases import NO_CASES, CaseNumberedProjection, CaseNumbers
from projections.entitlement_status import entitlement_label
from projections.provenance import stamp
from projections.schema import history_table, metadata, provenance_columns

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
    *provenance_columns(),
)

worklist_history = history_table(worklist, "subject_id")
"""Every change of every worklist row, event by event (ADR 0023)."""

WORKLIST_LIFECYCLES = (
    SITE_LIFECYCLE,
    BENEFICIARY_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
    BATCH_LIFECYCLE,
    AUDIT_FINDING_LIFECYCLE,
)
LIFECYCLE_OF_EVENT: dict[str, Lifecycle] = {
    name: lifecycle for lifecycle in WORKLIST_LIFECYCLES for name in lifecycle.event_names
}
LABEL_LENGTH = 140  # the worklist's label column
# An event name must say which lifecycle it moves.
assert len({(name, lc.aggregate) for lc in WORKLIST_LIFECYCLES for name in lc.event_names}) == len(
    LIFECYCLE_OF_EVENT
), "two worklist lifecycles share an event name"


class Worklist(CaseNumberedProjection):
    """One row per open site or case that has a next action."""

    name = "worklist"
    table = worklist
    tables = (worklist,)
    history = worklist_history
    key_column = "subject_id"
    # 2: corrections (ADR 0022), with `milestone_versions` so a corrected date moves its clock.
    version = 2

    def __init__(self, deadline_days: Mapping[str, int] | None = None) -> None:
        self.deadline_days = dict(deadline_days or {})

    @property
    def settings(self) -> dict[str, int]:
        declared = {d.setting: d.default_days for lc in WORKLIST_LIFECYCLES for d in lc.deadlines}
        return deadline_settings(declared, self.deadline_days)

    def to_stored(self, row: Row) -> Row:
        # Milestones stay a dict of dates while a batch is folded and become JSON once.
        stored = {k: v.isoformat() for k, v in sorted(row["milestones"].items())}
        versions = json.dumps(dict(sorted(row["milestone_versions"].items())))
        return row | {"milestones": json.dumps(stored), "milestone_versions": versions}

    def from_stored(self, row: Row) -> Row:
        stored = json.loads(row["milestones"])
        # A row stored before corrections existed has no versions until it is rebuilt; its
        # clocks then stay as recorded.
        versions = json.loads(row["milestone_versions"] or "{}")
        return row | {
            "milestones": {k: date.fromisoformat(v) for k, v in stored.items()},
            "milestone_versions": versions,
        }

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in LIFECYCLE_OF_EVENT else None

    def fold(
        self, row: Row | None, event: PositionedEvent, cases: CaseNumbers = NO_CASES
    ) -> Row | None:
        e = event.event
        lifecycle = LIFECYCLE_OF_EVENT[event.name]
        if row is None:
            row = _new_subject(event, cases)
            if row is None:
                # The subject left the worklist in a terminal state; nothing follows one.
                return None
            row |= {
                "subject_id": str(e.originator_id),
                "state": None,
                "milestones": {},
                "milestone_versions": {},
            }
        else:
            row = dict(row)
        state = lifecycle.folded_target(event.name, row["state"])
        milestones = dict(row["milestones"])
        milestones[event.name] = e.milestone_on()
        versions = dict(row["milestone_versions"])
        versions[event.name] = e.originator_version
        if isinstance(e, DateCorrection) and versions.get(e.corrected_event) == e.corrects_version:
            # The corrected event set this clock (it is the latest of its kind): it moves.
            milestones[e.corrected_event] = e.corrected_date
        spec = lifecycle.state(state)
        if spec.terminal:
            return None
        due = lifecycle.due_on(state, milestones, self.deadline_days)
        # A state without a declared next action (an order awaiting the bank) keeps its row,
        # with no action, so the subject's label and clocks are there when one is due again.
        row |= {
            "state": state,
            "next_action": spec.next_action,
            "deadline": due[0].setting if due else None,
            "due_on": due[1] if due else None,
            "milestones": milestones,
            "milestone_versions": versions,
        }
        return stamp(row, event)


def _new_subject(event: PositionedEvent, cases: CaseNumbers) -> Row | None:
    """The worklist's first facts of a subject created by `event`, or None for other events."""
    e = event.event
    match e:
        case Site.SiteRegistered():
            return {"subject_kind": "site", "label": e.code, "site_id": str(e.originator_id)}
        case Beneficiary.BeneficiaryRegistered():
            return {
                "subject_kind": "beneficiary",
                "label": e.case_number,
                "site_id": str(e.site_id),
            }
        case Entitlement.EntitlementPlanned():
            label = entitlement_label(
                cases.get(str(e.subject_id)), e.decree_number, str(e.component), e.tranche
            )
            site = str(e.site_id) if e.site_id else None
            return {"subject_kind": "entitlement", "label": label, "site_id": site}
        case PaymentBatch.BatchCreated():
            return {"subject_kind": "batch", "label": e.batch_number, "site_id": None}
        case AuditFinding.FindingRecorded():
            # A finding may concern several sites; the worklist files it under the first.
            label = f"{e.lhp_number} temuan {e.finding_number}"[:LABEL_LENGTH]
            site = str(e.site_ids[0]) if e.site_ids else None
            return {"subject_kind": "audit_finding", "label": label, "site_id": site}
    return None
