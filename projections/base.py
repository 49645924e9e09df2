"""The shape of a projection: a pure fold per row, and a batched writer around it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Connection, String, Table, any_, cast, delete, select

from projections.chain import StoredEvent
from projections.tables import REMOVED, VERSION_OCCURRED_ON, VERSION_POSITION, history_of

Row = dict[str, Any]
Fold = Callable[[Row | None, "PositionedEvent"], Row | None]


@dataclass(frozen=True)
class PositionedEvent:
    """A decoded domain event with its position in the log, and the stored record it was
    decoded from (for projections that work on the stored bytes, such as the hash chain)."""

    position: int
    event: Any
    stored: StoredEvent | None = field(default=None, compare=False, repr=False)
    # The event class name, as the lifecycle declarations use it; computed once because every
    # projection asks for it several times per event.
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", type(self.event).__name__)

    @property
    def recorded_at(self) -> datetime:
        """When the event store recorded it (infrastructure time, UTC)."""
        timestamp: datetime = self.event.timestamp
        return timestamp


class Projection(ABC):
    """A read model fed by events in batches; `apply` runs inside the runner's transaction."""

    name: str
    tables: tuple[Table, ...]
    # Raised whenever a change to the fold changes what the tables hold; a restatement records
    # the versions its rebuild ran (ADR 0020).
    version: int = 1

    @abstractmethod
    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        """Apply a batch of events to the read model's tables."""


class RowProjection(Projection):
    """A projection with one row per key, computed by a pure `fold` of the row and an event.

    `apply` loads the rows the batch touches, folds every event into them in memory and writes
    each changed row once, so a batch costs a handful of statements whatever its size.
    """

    table: Table
    key_column: str

    @abstractmethod
    def key_of(self, event: PositionedEvent) -> Hashable | None:
        """The row an event changes, or None when the projection ignores it."""

    @abstractmethod
    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        """The row after the event (None deletes it). Pure: no I/O."""

    def batch_fold(self, conn: Connection | None, events: Sequence[PositionedEvent]) -> Fold:
        """The fold to use for `events`; still pure once returned.

        A projection whose rows need facts another read model owns (a case number) loads them
        here once per batch and binds them to `fold`. `conn` is None when the whole log is
        folded in memory (`fold_all`): the facts then come from `events` alone.
        """
        return self.fold

    def to_stored(self, row: Row) -> Row:
        """The row as the table holds it (a projection may fold a richer working form)."""
        return row

    def from_stored(self, row: Row) -> Row:
        """The working form of a stored row; the inverse of `to_stored`."""
        return row

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        self.apply_with_changes(conn, events)

    def apply_with_changes(
        self, conn: Connection, events: Sequence[PositionedEvent]
    ) -> tuple[dict[Hashable, Row | None], dict[Hashable, Row | None]]:
        """`apply`, returning the touched rows as they stood before the batch and after it
        (None: no row), for projections that build on another's changes."""
        keyed = [(k, e) for e in events if (k := self.key_of(e)) is not None]
        if not keyed:
            return {}, {}
        keys = list(dict.fromkeys(k for k, _ in keyed))
        before = self.load(conn, keys)
        after = dict(before)
        fold = self.batch_fold(conn, events)
        history = history_of(self.table)
        versions: list[Row] = []
        for key, event in keyed:
            after[key] = row = fold(after.get(key), event)
            if history is not None:
                versions.append(self.history_row(history, key, event, row))
        self.write(conn, keys, after, list(before))
        if history is not None and versions:
            # Same transaction as the rows and the position: the history never runs ahead of
            # or behind the read model (ADR 0023).
            conn.execute(history.insert(), versions)
        return before, after

    def history_row(
        self, history: Table, key: Hashable, event: PositionedEvent, row: Row | None
    ) -> Row:
        """The `history` row for the state `event` left the row of `key` in (None: removed).

        Built at once, as a copy: a later fold in the same batch must not change it.
        """
        stored = {} if row is None else self.to_stored(row)
        out = {c.name: stored.get(c.name) for c in history.columns}
        out[self.key_column] = key
        out[VERSION_POSITION] = event.position
        out[VERSION_OCCURRED_ON] = event.event.occurred_on
        out[REMOVED] = row is None
        return out

    def load(self, conn: Connection, keys: Sequence[Hashable]) -> dict[Hashable, Row | None]:
        """The current rows for `keys`."""
        stored = load_rows(conn, self.table, self.key_column, keys)
        return {k: self.from_stored(row) for k, row in stored.items()}

    def write(
        self,
        conn: Connection,
        keys: Sequence[Hashable],
        rows: dict[Hashable, Row | None],
        stored: Sequence[Hashable] | None = None,
    ) -> None:
        """Replace the rows for `keys`; `stored` names the keys that had a row before."""
        survivors = {k: self.to_stored(row) for k in keys if (row := rows.get(k)) is not None}
        replace_rows(conn, self.table, self.key_column, keys, survivors, stored)


def load_rows(
    conn: Connection, table: Table, key_column: str, keys: Sequence[Hashable]
) -> dict[Hashable, Row]:
    """The stored rows of `table` for `keys`, by key (absent keys are left out)."""
    column = table.c[key_column]
    loaded: dict[Hashable, Row] = {}
    for chunk in _chunks(keys, 500):
        for found in conn.execute(select(table).where(key_in(conn, column, chunk))).mappings():
            loaded[found[key_column]] = dict(found)
    return loaded


def replace_rows(
    conn: Connection,
    table: Table,
    key_column: str,
    keys: Sequence[Hashable],
    rows: dict[Hashable, Row],
    stored: Sequence[Hashable] | None = None,
) -> None:
    """Replace the rows for `keys` by `rows` (a key without a row is deleted).

    A portable upsert: delete, then one executemany insert. `stored` names the keys that had a
    row before, when known; only those need deleting.
    """
    column = table.c[key_column]
    for chunk in _chunks(keys if stored is None else stored, 500):
        conn.execute(delete(table).where(key_in(conn, column, chunk)))
    survivors = [row for key in keys if (row := rows.get(key)) is not None]
    if survivors:
        conn.execute(table.insert(), survivors)


def fold_all(projection: RowProjection, events: Iterable[PositionedEvent]) -> dict[Hashable, Row]:
    """Fold events into rows in memory alone: what the tables must equal after a replay."""
    log = list(events)
    fold = projection.batch_fold(None, log)
    rows: dict[Hashable, Row | None] = {}
    for event in log:
        key = projection.key_of(event)
        if key is not None:
            rows[key] = fold(rows.get(key), event)
    return {k: projection.to_stored(v) for k, v in rows.items() if v is not None}


def key_in(conn: Connection, column: Any, keys: Sequence[Hashable]) -> Any:
    """`column IN keys`, as one array parameter on PostgreSQL.

    A 500-item IN list is 500 bound parameters, which costs several milliseconds per statement
    to render and parse; `= ANY(array)` is one parameter.
    """
    if conn.dialect.name == "postgresql":
        return column == any_(cast(list(keys), ARRAY(String)))
    return column.in_(keys)


def _chunks(items: Sequence[Hashable], size: int) -> Iterable[Sequence[Hashable]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
