"""The 72-hour clocks of UU 27/2022: declared once, read by one read model.

A clock starts when an event records an aware start time, runs for `RESPONSE_WINDOW` and stops
at the first stop event of the same record. The worklist, the login banner and the notices
outbox read `CLOCKS` and know nothing else about the records behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.recording import Role

RESPONSE_WINDOW = timedelta(hours=72)


@dataclass(frozen=True)
class ClockDeclaration:
    """One kind of clock: which event starts it (and which of its fields holds the aware start
    time), which events stop it, who answers for it, and which field labels it on screen."""

    kind: str
    aggregate: str
    start_event: str
    start_field: str
    stop_events: tuple[str, ...]
    responsible: tuple[Role, ...]
    label_field: str
    window: timedelta = RESPONSE_WINDOW


SUBJECT_REQUEST_CLOCK = ClockDeclaration(
    # UU 27/2022 Pasal 32: access within 3x24 hours of the request; domain notes 8.2 apply the
    # same window to restriction and correction, and the programme to every kind of request.
    kind="subject_request",
    aggregate="SubjectRequest",
    start_event="SubjectRequestRecorded",
    start_field="received_at",
    stop_events=("SubjectRequestGranted", "SubjectRequestRefused"),
    responsible=(Role.DPO,),
    label_field="number",
)

CLOCKS: tuple[ClockDeclaration, ...] = (SUBJECT_REQUEST_CLOCK,)
