"""Row-version histories rebuilt from the log, for a read model whose rows were replaced
wholesale (a side-by-side switch, ADR 0020) while its history still holds the old fold's
versions (ADR 0023)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from sqlalchemy import Connection, Table, and_, func, select

from projections.base import Row, RowProjection, Values, append_rows
from projections.runner import EventSource
from projections.tables import REMOVED, VERSION_POSITION


def rebuild_history(
    conn: Connection,
    projection: RowProjection,
    history: Table,
    source: EventSource,
    up_to: int,
    batch_size: int = 2000,
) -> int:
    """Replace `history` by `projection`'s versions of every event up to position `up_to`,
    inside the caller's transaction; returns how many versions were written.

    Each batch folds from the latest versions already written for the keys it touches, read
    back from the history, so memory stays flat however many rows the read model has.
    """
    conn.execute(history.delete())
    written = 0
    position = 0
    while position < up_to:
        events = [e for e in source.read_after(position, batch_size) if e.position <= up_to]
        if not events:
            break
        fold = projection.batch_fold(conn, events)
        keyed = [(projection.key_of(e), e) for e in events]
        keys = list(dict.fromkeys(k for k, _ in keyed if k is not None))
        rows = latest_versions(conn, projection, history, keys)
        versions: list[Values] = []
        for key, event in keyed:
            if key is not None:
                rows[key] = row = fold(rows.get(key), event)
                versions.append(projection.history_row(history, key, event, row))
        append_rows(conn, history, versions)
        written += len(versions)
        position = events[-1].position
    return written


def latest_versions(
    conn: Connection, projection: RowProjection, history: Table, keys: Sequence[Hashable]
) -> dict[Hashable, Row | None]:
    """Each of `keys`' latest version in `history`, as the fold's working row (None once
    removed; absent keys are left out). A history keeps no sealed column, and no fold reads
    one back, so they come back as None."""
    key = history.c[projection.key_column]
    position = history.c[VERSION_POSITION]
    columns = [c.name for c in projection.table.columns]
    found: dict[Hashable, Row | None] = {}
    for start in range(0, len(keys), 500):
        latest = (
            select(key.label("key"), func.max(position).label("at"))
            .where(key.in_(keys[start : start + 500]))
            .group_by(key)
            .subquery()
        )
        query = select(history).join(latest, and_(key == latest.c.key, position == latest.c.at))
        for version in conn.execute(query).mappings():
            if version[REMOVED]:
                found[version[key.name]] = None
            else:
                found[version[key.name]] = projection.from_stored(
                    {name: version.get(name) for name in columns}
                )
    return found
