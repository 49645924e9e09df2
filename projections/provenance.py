"""Columns every read-model row carries about the event that last changed it."""

from __future__ import annotations

from projections.base import PositionedEvent, Row


def stamp(row: Row, event: PositionedEvent) -> Row:
    """Record in `row` which event changed it last, where in the log, and on what date."""
    row["last_event"] = event.name
    row["last_position"] = event.position
    row["last_occurred_on"] = event.event.occurred_on
    return row
