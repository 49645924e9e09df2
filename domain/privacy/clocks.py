"""The 72-hour clocks of UU PDP, declared as data.

Access and restriction requests must be answered, and the subjects and the agency told of a
breach, within 3x24 hours (Pasal 32, 44 and 46; domain research §8.1). Those clocks run in
hours from an aware moment, not in business days like the lifecycles' deadlines, so each
process declares here which of its events start and stop its clock; one read model, one
worklist section, one alert on entering the workspace and one outgoing notice serve them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.recording import Role

RESPONSE_WINDOW = timedelta(hours=72)


@dataclass(frozen=True)
class ClockDeclaration:
    """One process's clock: started by `starts` (event name -> the event's field holding the
    aware start moment), stopped by any of `stops`, answerable by `responsible`."""

    kind: str
    aggregate: str
    starts: Mapping[str, str]
    stops: frozenset[str]
    responsible: frozenset[Role]
    # The start event's field that names the record for people (its register number).
    label_field: str
    description: str
    window: timedelta = RESPONSE_WINDOW

    def due_at(self, started_at: datetime) -> datetime:
        """When the clock started at `started_at` runs out."""
        if started_at.utcoffset() is None:
            raise ValueError("a clock starts at an aware moment")
        return started_at + self.window


# UU PDP Pasal 46(1): the subjects and the agency are told of a breach within 3x24 hours of
# its discovery, suspected or not. A dismissal (not a breach) owes no notice.
BREACH_CLOCK = ClockDeclaration(
    kind="breach",
    aggregate="Breach",
    starts={"SuspectedBreachRecorded": "discovered_at"},
    stops=frozenset({"NotificationCompleted", "BreachDismissed"}),
    responsible=frozenset({Role.DPO}),
    label_field="number",
    description="Notify the subjects and the agency of a breach (UU PDP Pasal 46)",
)

SUBJECT_REQUEST_CLOCK = ClockDeclaration(
    kind="subject_request",
    aggregate="SubjectRequest",
    starts={"SubjectRequestRecorded": "received_at"},
    stops=frozenset({"SubjectRequestGranted", "SubjectRequestRefused"}),
    responsible=frozenset({Role.DPO}),
    label_field="number",
    # Pasal 32 sets 3x24 hours for access; domain notes 8.2 apply it to restriction and
    # correction, and the programme to every kind of request alike.
    description="A data subject's request is answered within 3x24 hours of its receipt",
)

CLOCKS: tuple[ClockDeclaration, ...] = (SUBJECT_REQUEST_CLOCK, BREACH_CLOCK)
"""Every 72-hour clock; each process adds its declaration here."""
