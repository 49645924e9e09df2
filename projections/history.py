"""Row-version histories rebuilt from the log, for a read model whose rows were replaced
wholesale (a side-by-side switch, ADR 0020) while its history still holds the old fold's
versions (ADR 0023)."""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import Connection, Table

from projections.base import Row, RowProjection, Values, append_rows
from projections.runner import EventSource


def rebuild_history(
    conn: Connection,
    projection: RowProjection,
    history: Table,
    source: EventSource,
    up_to: int,
    batch_size: int = 2000,
) -> int:
    """Replace `history` by `projection`'s versions of every event up to position `up_to`,
    inside the caller's transaction; returns how many versions were written."""
    conn.execute(history.delete())
    rows: dict[Hashable, Row | None] = {}
    written = 0
    position = 0
    while position < up_to:
        events = [e for e in source.read_after(position, batch_size) if e.position <= up_to]
        if not events:
            break
        fold = projection.batch_fold(conn, events)
        versions: list[Values] = []
        for event in events:
            key = projection.key_of(event)
            if key is not None:
                rows[key] = row = fold(rows.get(key), event)
                versions.append(projection.history_row(history, key, event, row))
        append_rows(conn, history, versions)
        written += len(versions)
        position = events[-1].position
    return written
