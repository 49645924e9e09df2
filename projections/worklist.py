"""worklist: what should happen next for each open case, by when, and is it overdue?

The next action and the deadline come from the lifecycle declarations; durations come from the
programme settings, so a change of settings is applied by rebuilding this read model.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from datetime import date

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.lifecycle import Lifecycle
from domain.site import SITE_LIFECYCLE
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.tables import worklist

LIFECYCLE_OF_EVENT: dict[str, Lifecycle] = {
    **{t.event: SITE_LIFECYCLE for t in SITE_LIFECYCLE.transitions},
    **{t.event: BENEFICIARY_LIFECYCLE for t in BENEFICIARY_LIFECYCLE.transitions},
}


class Worklist(RowProjection):
    """One row per open site or case that has a next action."""

    name = "worklist"
    table = worklist
    tables = (worklist,)
    key_column = "subject_id"

    def __init__(self, deadline_days: Mapping[str, int] | None = None) -> None:
        self.deadline_days = dict(deadline_days or {})

    def to_stored(self, row: Row) -> Row:
        # Milestones stay a dict of dates while a batch is folded and become JSON once.
        stored = {k: v.isoformat() for k, v in sorted(row["milestones"].items())}
        return row | {"milestones": json.dumps(stored)}

    def from_stored(self, row: Row) -> Row:
        stored = json.loads(row["milestones"])
        return row | {"milestones": {k: date.fromisoformat(v) for k, v in stored.items()}}

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in LIFECYCLE_OF_EVENT else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        lifecycle = LIFECYCLE_OF_EVENT[event.name]
        if row is None:
            if event.name == "SiteRegistered":
                row = {"subject_kind": "site", "label": e.code, "site_id": str(e.originator_id)}
            elif event.name == "BeneficiaryRegistered":
                row = {
                    "subject_kind": "beneficiary",
                    "label": e.case_number,
                    "site_id": str(e.site_id),
                }
            else:
                # The case left the worklist (a terminal state); nothing follows a terminal state.
                return None
            row |= {"subject_id": str(e.originator_id), "state": None, "milestones": {}}
        else:
            row = dict(row)
        state = lifecycle.target_after(event.name, row["state"])
        milestones = dict(row["milestones"])
        milestones[event.name] = e.occurred_on
        spec = lifecycle.state(state)
        if spec.terminal or spec.next_action is None:
            return None
        due = lifecycle.due_on(state, milestones, self.deadline_days)
        row |= {
            "state": state,
            "next_action": spec.next_action,
            "deadline": due[0].setting if due else None,
            "due_on": due[1] if due else None,
            "milestones": milestones,
        }
        return stamp(row, event)
