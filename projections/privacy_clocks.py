"""privacy_clocks: which 3x24-hour clocks of UU 27/2022 run, when do they run out, and who
answers for them?

One row per clock, folded from the declarations in `domain.privacy.clocks.CLOCKS` alone: the
start event's aware time starts it, the first stop event of the same record stops it (at the
time the stop was recorded: an answer counts once it is in the system). Whether a clock ran
out is a question of the moment, answered by the queries. Times are kept in UTC.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, DateTime, String, Table

from domain.privacy.clocks import CLOCKS, ClockDeclaration
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

privacy_clocks = Table(
    "privacy_clocks",
    metadata,
    # `<kind>:<subject id>`: one clock per record and kind of clock.
    Column("clock_id", String(80), primary_key=True),
    Column("clock_kind", String(32), nullable=False, index=True),
    Column("subject_id", String(36), nullable=False),
    # The record's number, as its pages are addressed by it.
    Column("label", String(200), nullable=False),
    # The roles answerable, comma-separated (`dpo`, `dpo,supervisor`).
    Column("responsible", String(100), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False, index=True),
    Column("stopped_at", DateTime(timezone=True)),
    Column("stopped_by", String(64)),
    *provenance_columns(),
)
"""Every declared 72-hour clock: started, due, and stopped or still running."""


def _by_event(clocks: Iterable[ClockDeclaration]) -> dict[str, list[ClockDeclaration]]:
    by_event: dict[str, list[ClockDeclaration]] = {}
    for clock in clocks:
        for name in (*clock.starts, *clock.stops):
            by_event.setdefault(name, []).append(clock)
    return by_event


@dataclass(frozen=True)
class ClockedEvent(PositionedEvent):
    """An event as it bears on one of the clocks it starts or stops: one event may start
    several (a breach's notices to the subjects and to the agency)."""

    clock: ClockDeclaration | None = field(default=None, compare=False)


def as_stored_utc(moment: datetime) -> datetime:
    """An aware time as UTC, which both stores keep as they are given it."""
    return moment.astimezone(UTC)


class PrivacyClocks(RowProjection):
    """One row per running or stopped clock, for every declaration in CLOCKS."""

    name = "privacy_clocks"
    table = privacy_clocks
    tables = (privacy_clocks,)
    key_column = "clock_id"

    def __init__(self, clocks: Iterable[ClockDeclaration] = CLOCKS) -> None:
        self.clocks = tuple(clocks)
        self._by_event: Mapping[str, list[ClockDeclaration]] = _by_event(self.clocks)

    def clocks_of(self, event: PositionedEvent) -> list[ClockDeclaration]:
        """The declared clocks `event` starts or stops."""
        aggregate = type(event.event).__qualname__.partition(".")[0]
        return [c for c in self._by_event.get(event.name, ()) if c.aggregate == aggregate]

    def _clock_of(self, event: PositionedEvent) -> ClockDeclaration | None:
        if isinstance(event, ClockedEvent) and event.clock is not None:
            return event.clock
        # A plain event (an in-memory fold of the log, a past cut) stands for its first clock.
        found = self.clocks_of(event)
        return found[0] if found else None

    def apply_with_changes(
        self, conn: Connection, events: Sequence[PositionedEvent]
    ) -> tuple[dict[Hashable, Row | None], dict[Hashable, Row | None]]:
        """`RowProjection.apply_with_changes` over each event once per clock it bears on."""
        clocked = [
            ClockedEvent(e.position, e.event, e.stored, clock=clock)
            for e in events
            for clock in self.clocks_of(e)
        ]
        return super().apply_with_changes(conn, clocked)

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        clock = self._clock_of(event)
        return None if clock is None else f"{clock.kind}:{event.event.originator_id}"

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        clock = self._clock_of(event)
        assert clock is not None
        e = event.event
        if event.name in clock.starts:
            started = as_stored_utc(getattr(e, clock.starts[event.name]))
            row = {
                "clock_id": f"{clock.kind}:{e.originator_id}",
                "clock_kind": clock.kind,
                "subject_id": str(e.originator_id),
                "label": str(getattr(e, clock.label_field)),
                "responsible": ",".join(sorted(str(r) for r in clock.responsible)),
                "started_at": started,
                "due_at": clock.due_at(started),
                "stopped_at": None,
                "stopped_by": None,
            }
        elif row is None:
            return None
        elif row["stopped_at"] is None:
            row = {**row, "stopped_at": as_stored_utc(event.recorded_at), "stopped_by": event.name}
        else:
            return row
        return stamp(row, event)

    def from_stored(self, row: Row) -> Row:
        # SQLite hands back the stored UTC time without its zone.
        return {
            **row,
            **{
                k: (v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v)
                for k, v in row.items()
                if k in ("started_at", "due_at", "stopped_at")
            },
        }
