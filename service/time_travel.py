"""Reports and aggregates as they stood: "as at" a business date, or "as known at" a log position.

Both are replays of the log, never stored copies of old reports:
- *as known at* position P folds the events recorded up to P: what the system said then;
- *as at* business date D folds every event that happened by D, including those entered later.
The two differ exactly when something was entered late. The fold is the read model's own pure
fold (`projections.base.fold_all`), so a past cut can never disagree with the live table about
how an event counts. This replays from the start of the log; it is exact, not yet fast at
national scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.base import PositionedEvent, RowProjection, fold_all
from service.application import ProgrammeApplication
from service.system import ApplicationEventSource, Jejak

PAGE = 2000


@dataclass(frozen=True)
class Cut:
    """Where to cut the log: at a recording position, at a business date, or both."""

    known_at: int | None = None
    as_at: date | None = None

    def keeps(self, event: PositionedEvent) -> bool:
        """Whether the event belongs to the state this cut describes."""
        if self.known_at is not None and event.position > self.known_at:
            return False
        return self.as_at is None or event.event.occurred_on <= self.as_at


def read_model_at(jejak: Jejak, name: str, cut: Cut) -> list[dict[str, Any]]:
    """The rows read model `name` had (or would have had) at `cut`, sealed columns left out."""
    projection = next((p for p in jejak.runner.projections if p.name == name), None)
    if not isinstance(projection, RowProjection):
        raise LookupError(f"{name} is not a read model that can be replayed to a cut")
    rows = fold_all(projection, (e for e in log_events(jejak.app, cut.known_at) if cut.keeps(e)))
    return [
        {k: v for k, v in row.items() if not k.endswith("_sealed")}
        for _, row in sorted(rows.items(), key=lambda item: str(item[0]))
    ]


def aggregate_at(
    jejak: Jejak, aggregate_id: UUID, *, version: int | None, as_at: date | None
) -> Any:
    """One aggregate replayed from its own events up to a version or a business date.

    An aggregate's events only replay in their own order, so a date cut is the longest run of
    them dated by then: an event entered later but dated earlier counts only once the events
    recorded before it are in.
    """
    aggregate = None
    for event in jejak.app.history(aggregate_id):
        if version is not None and event.originator_version > version:
            break
        if as_at is not None and event.occurred_on > as_at:
            break
        aggregate = event.mutate(aggregate)
    if aggregate is None:
        raise LookupError("the aggregate did not exist at that cut")
    return aggregate


def log_events(app: ProgrammeApplication, known_at: int | None = None) -> Iterator[PositionedEvent]:
    """The log's events in order, decoded, up to position `known_at` (None: all of them),
    read a page at a time."""
    source = ApplicationEventSource(app)
    after = 0
    while True:
        page = source.read_after(after, PAGE)
        for event in page:
            if known_at is not None and event.position > known_at:
                return
            yield event
        if len(page) < PAGE:
            return
        after = page[-1].position
