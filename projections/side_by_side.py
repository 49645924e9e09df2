"""Side-by-side rebuilds: a new version of a read model is built next to the live one, compared
with it row by row, and swapped in by renaming tables in one transaction (ADR 0020).

The live table keeps answering queries throughout. The new version is folded into a shadow
table (`<table>__rebuild`) by a copy of the projection pointed at it; the switch renames live to
`<table>__previous` and the shadow to the live name, so readers see either the old version or the
new one, never a half-built table.

Only row projections with a single table are supported: their writer goes through
`RowProjection.table`, so a copy pointed at another table folds into it unchanged. The
projections with several tables or their own writers (payment_ledger, budget_position,
programme_dashboard, the chain, the audit checks, ...) still rebuild in place (`runner.reset`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect, select, text, update

from projections.base import PositionedEvent, Projection, Row, RowProjection
from projections.runner import EventSource
from projections.tables import projection_positions

SHADOW = "__rebuild"
PREVIOUS = "__previous"
# Which event last wrote a row: they explain a difference, they are not one.
BOOKKEEPING = frozenset({"last_event", "last_position", "last_occurred_on"})


def supports(projection: Projection) -> bool:
    """Whether `projection` can be rebuilt side by side."""
    return isinstance(projection, RowProjection) and projection.tables == (projection.table,)


def shadow_of(table: Table, suffix: str = SHADOW) -> Table:
    """`table`'s columns and keys under a suffixed name, in a MetaData of its own.

    Named indexes are left out: index names are global to a schema (and to an SQLite file), so
    a copy would clash with the live ones. The switch creates them under their usual names.
    """
    shadow = table.to_metadata(MetaData(), name=table.name + suffix)
    for index in list(shadow.indexes):
        shadow.indexes.discard(index)
    return shadow


def building(projection: Projection) -> RowProjection:
    """A copy of `projection` that folds into its shadow table.

    Its fold and case-number lookups are the projection's own: a projection that reads another
    read model (entitlement_status reads beneficiary_status, `projections.cases`) still reads
    the live one, which the rebuild brings up to date first. A case number never changes once
    registered, so the live table gives the answer a rebuilt one would.
    """
    if not supports(projection):
        raise ValueError(f"{projection.name} cannot be rebuilt side by side yet")
    assert isinstance(projection, RowProjection)
    clone = copy.copy(projection)
    clone.table = shadow_of(projection.table)
    clone.tables = (clone.table,)
    return clone


def create_shadows(conn: Connection, builders: Sequence[RowProjection]) -> None:
    """Empty shadow tables, replacing any left by an interrupted rebuild."""
    for builder in builders:
        builder.table.drop(conn, checkfirst=True)
        builder.table.create(conn)


def fold_into_shadows(
    engine_begin: Callable[[], Any],
    source: EventSource,
    builders: Sequence[RowProjection],
    start: int,
    end: int,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Fold the events in (start, end] into the shadows, one transaction per batch; returns the
    position reached. The log is read once for every projection being rebuilt."""
    position = start
    while position < end:
        events = [e for e in source.read_after(position, batch_size) if e.position <= end]
        if not events:
            break
        with engine_begin() as conn:
            apply_to(conn, builders, events)
        position = events[-1].position
        if on_batch is not None:
            on_batch(len(events))
    return position


def apply_to(
    conn: Connection, builders: Sequence[RowProjection], events: Sequence[PositionedEvent]
) -> None:
    """Apply one batch to every shadow, in the runner's order."""
    for builder in builders:
        builder.apply(conn, events)


@dataclass(frozen=True)
class RowChange:
    """One row that differs between the live version and the rebuilt one."""

    table: str
    kind: str  # added | removed | changed
    key: str
    before: Row | None
    after: Row | None

    @property
    def positions(self) -> list[int]:
        """The log positions of the events that last wrote the row, before and after."""
        found = {row["last_position"] for row in (self.before, self.after) if row is not None}
        return sorted(p for p in found if p is not None)

    @property
    def columns(self) -> list[str]:
        """The columns that differ (every column for an added or removed row)."""
        row = self.after if self.after is not None else self.before
        assert row is not None
        if self.before is None or self.after is None:
            return sorted(row)
        return sorted(c for c in row if c not in BOOKKEEPING and self.before[c] != self.after[c])


@dataclass
class TableDiff:
    """The differences of one table, by kind."""

    table: str
    changes: list[RowChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many rows were added, removed and changed."""
        kinds = ("added", "removed", "changed")
        return {k: sum(1 for c in self.changes if c.kind == k) for k in kinds}


def diff_table(conn: Connection, live: Table, shadow: Table, key_column: str) -> TableDiff:
    """Compare the live table with its shadow by primary key, every column but the bookkeeping.

    Both are read whole: read models hold one row per case or entitlement, thousands of rows,
    which fit in memory comfortably.
    """
    before = _by_key(conn, live, key_column)
    after = _by_key(conn, shadow, key_column)
    name = str(live.name)  # a plain str: SQLAlchemy's quoted_name is not a JSON key to orjson
    diff = TableDiff(name)
    for key in sorted(before.keys() | after.keys(), key=str):
        old, new = before.get(key), after.get(key)
        if old is None:
            diff.changes.append(RowChange(name, "added", str(key), None, new))
        elif new is None:
            diff.changes.append(RowChange(name, "removed", str(key), old, None))
        elif any(old[c] != new[c] for c in old if c not in BOOKKEEPING):
            diff.changes.append(RowChange(name, "changed", str(key), old, new))
    return diff


def _by_key(conn: Connection, table: Table, key_column: str) -> dict[Hashable, Row]:
    return {row[key_column]: dict(row) for row in conn.execute(select(table)).mappings()}


class LiveMoved(RuntimeError):
    """Raised when a live read model is not at the position its rebuild was brought to."""


def lock_positions(conn: Connection, names: Sequence[str]) -> dict[str, int]:
    """Each projection's committed position, locked until the transaction ends.

    The no-op UPDATEs take the row locks a runner's batch needs (on SQLite, the write lock; and
    they make pysqlite open the transaction the renames then belong to), so the live read
    models cannot move between the last fold into the shadows and the switch. `names` must be
    in the runner's order, the order its batches lock the same rows in, so neither waits for
    the other in a cycle.
    """
    positions = {}
    for name in names:
        conn.execute(
            update(projection_positions)
            .where(projection_positions.c.name == name)
            .values(position=projection_positions.c.position)
        )
        found = conn.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == name)
        ).scalar_one_or_none()
        positions[name] = found or 0
    return positions


def switch(conn: Connection, projections: Sequence[RowProjection], position: int) -> None:
    """Make each projection's shadow live and keep the live version as `__previous`, and set
    the projections' position to `position`, the position the shadows were folded to.

    Runs inside the caller's transaction, after `lock_positions`: PostgreSQL and SQLite both
    rename tables transactionally, so readers see all of the old versions or all of the new.
    """
    now = datetime.now(UTC)
    for projection in projections:
        live = projection.table
        name = live.name
        previous = name + PREVIOUS
        conn.execute(text(f'DROP TABLE IF EXISTS "{previous}"'))
        # The previous version is kept for comparison, not queried: its indexes go, and their
        # names are free for the new live table.
        for index in live.indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
        _rename(conn, name, previous)
        _rename(conn, name + SHADOW, name)
        for index in live.indexes:
            index.create(conn)
        conn.execute(
            update(projection_positions)
            .where(projection_positions.c.name == projection.name)
            .values(position=position, updated_at=now)
        )


def _rename(conn: Connection, old: str, new: str) -> None:
    conn.execute(text(f'ALTER TABLE "{old}" RENAME TO "{new}"'))
    if conn.dialect.name != "postgresql":
        return  # SQLite renames a table's key indexes with it.
    # PostgreSQL keeps the key constraints' names (`<old>_pkey`); rename them too, so the
    # next rebuild can create `<table>__rebuild_pkey` again.
    indexes = conn.execute(
        text(
            "SELECT indexname FROM pg_indexes"
            " WHERE schemaname = current_schema() AND tablename = :table"
        ),
        {"table": new},
    ).scalars()
    for index in list(indexes):
        if index.startswith(old + "_"):
            renamed = new + index.removeprefix(old)
            conn.execute(text(f'ALTER INDEX "{index}" RENAME TO "{renamed}"'))


def drop_previous(conn: Connection, projections: Sequence[Projection]) -> list[str]:
    """Drop the previous versions the last switches kept; returns the tables dropped."""
    existing = set(inspect(conn).get_table_names())
    dropped = []
    for projection in projections:
        for table in projection.tables:
            previous = table.name + PREVIOUS
            if previous in existing:
                conn.execute(text(f'DROP TABLE "{previous}"'))
                dropped.append(previous)
    return dropped


def as_json(row: Row | None) -> str | None:
    """A row as JSON text, dates as ISO strings (sealed columns stay the ciphertext they are)."""
    if row is None:
        return None
    return json.dumps(row, default=_plain, sort_keys=True)


def _plain(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)
