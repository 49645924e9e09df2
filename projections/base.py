"""The shape of a projection: a pure fold per row, and a batched writer around it."""

from __future__ import annotations

import copy
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Self

from sqlalchemy import ARRAY, Connection, Dialect, String, Table, any_, cast, delete, select

from projections.chain import StoredEvent
from projections.schema import VERSION_COLUMNS

Row = dict[str, Any]
Values = tuple[Any, ...]
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
    # Tables the projection writes that a replay cannot make again (a checkpoint signed at the
    # time): a rebuild leaves them as they are.
    kept: tuple[Table, ...] = ()

    @abstractmethod
    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        """Apply a batch of events to the read model's tables."""

    @property
    def settings(self) -> dict[str, int]:
        """The programme settings the fold bakes into its rows, by name, as it folds with them
        now. The runner records them with the position, so a rebuild under other values can
        name what changed (ADR 0036)."""
        return {}

    @property
    def rebuilt(self) -> tuple[Table, ...]:
        """The tables a rebuild makes again from the log."""
        kept = {t.name for t in self.kept}
        return tuple(t for t in self.tables if t.name not in kept)

    @property
    def histories(self) -> tuple[Table, ...]:
        """The version histories kept of its rows (ADR 0023). A rebuild makes them again
        beside the tables and switches them with them, but does not list their differences:
        a restatement is about what the read model says."""
        return ()

    def rebuilding(self, stand_ins: Mapping[str, Table]) -> Self:
        """A copy that folds into `stand_ins` (live table name -> table) instead of its tables.

        Every table a projection writes is one of its attributes (`tables`, `table`, or a named
        one its writer uses), and so is every projection it is built from; the copy has each of
        them replaced. Tables not in `stand_ins` (another read model it reads) stay live.
        """
        clone = copy.copy(self)
        names = {n for cls in type(self).__mro__ for n in vars(cls)} | set(vars(self))
        for name in sorted(n for n in names if not n.startswith("__")):
            value = getattr(self, name, None)
            if isinstance(value, Table) and value.name in stand_ins:
                setattr(clone, name, stand_ins[value.name])
            elif isinstance(value, Projection):
                setattr(clone, name, value.rebuilding(stand_ins))
        clone.tables = tuple(stand_ins.get(t.name, t) for t in self.tables)
        return clone


class RowProjection(Projection):
    """A projection with one row per key, computed by a pure `fold` of the row and an event.

    `apply` loads the rows the batch touches, folds every event into them in memory and writes
    each changed row once, so a batch costs a handful of statements whatever its size.
    """

    table: Table
    key_column: str
    # Where every change to a row is appended (ADR 0023), or None; a copy rebuilding side by
    # side appends to a shadow of it instead (ADR 0024).
    history: Table | None = None

    @property
    def histories(self) -> tuple[Table, ...]:
        return () if self.history is None else (self.history,)

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
        history = self.history
        versions: list[Values] = []
        for key, event in keyed:
            after[key] = row = fold(after.get(key), event)
            if history is not None:
                versions.append(self.history_row(history, key, event, row))
        self.write(conn, keys, after, list(before))
        if history is not None:
            # Same transaction as the rows and the position: the history never runs ahead of
            # or behind the read model (ADR 0023).
            append_rows(conn, history, versions)
        return before, after

    def history_row(
        self, history: Table, key: Hashable, event: PositionedEvent, row: Row | None
    ) -> Values:
        """The `history` row, in its column order, for the state `event` left the row of `key`
        in (None: removed).

        Built at once, as a copy: a later fold in the same batch must not change it.
        """
        if row is None:
            kept = _kept_columns(history)
            values: list[Any] = [None] * len(kept)
            values[kept.index(self.key_column)] = key
            return (*values, event.position, event.event.occurred_on, True)
        return version_of(history, self.to_stored(row), event)

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

    A portable upsert: delete, then one insert of all the rows (`append_rows`). `stored` names
    the keys that had a row before, when known; only those need deleting.
    """
    column = table.c[key_column]
    for chunk in _chunks(keys if stored is None else stored, 500):
        conn.execute(delete(table).where(key_in(conn, column, chunk)))
    names = _column_names(table)
    survivors = [tuple(map(row.get, names)) for k in keys if (row := rows.get(k)) is not None]
    append_rows(conn, table, survivors)


def append_rows(conn: Connection, table: Table, rows: Sequence[Values]) -> None:
    """Insert `rows`, tuples in `table`'s column order, in the caller's transaction.

    Through the driver, because SQLAlchemy's executemany builds and processes a parameter
    dict per row, and a catch-up writes a row per changed row and one per event to each
    version history: that was a large share of its time. One binary COPY on PostgreSQL, the
    driver's executemany elsewhere; the columns' own bind processing (dates and booleans on
    SQLite) is still applied.
    """
    if not rows:
        return
    writer = _row_writer(table, conn.dialect)
    if writer.processors:
        rows = [writer.process(row) for row in rows]
    driver: Any = conn.connection.driver_connection
    if writer.copy_types is not None:
        with driver.cursor() as cursor, cursor.copy(writer.statement) as copy:
            copy.set_types(writer.copy_types)
            for row in rows:
                copy.write_row(row)
    else:
        cursor = driver.cursor()
        try:
            cursor.executemany(writer.statement, rows)
        finally:
            cursor.close()


@dataclass(frozen=True)
class _RowWriter:
    statement: str
    # Binary COPY needs each column's server type; None: an INSERT for executemany.
    copy_types: list[str] | None
    processors: Sequence[tuple[int, Callable[[Any], Any]]]

    def process(self, row: Values) -> Values:
        values = list(row)
        for at, process in self.processors:
            values[at] = process(values[at])
        return tuple(values)


@lru_cache(maxsize=64)
def _row_writer(table: Table, dialect: Dialect) -> _RowWriter:
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(quote(c.name) for c in table.columns)
    processors = [
        (at, process)
        for at, c in enumerate(table.columns)
        if (process := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    if dialect.name == "postgresql":
        # "VARCHAR(36)" -> "varchar": the names psycopg knows the binary formats by.
        types = [
            re.sub(r"\(.*\)", "", c.type.compile(dialect=dialect)).lower() for c in table.columns
        ]
        return _RowWriter(f"COPY {name} ({columns}) FROM STDIN (FORMAT BINARY)", types, processors)
    # Compiled with every column as a parameter, in the driver's own placeholder style.
    keys = [c.name for c in table.columns]
    statement = str(table.insert().compile(dialect=dialect, column_keys=keys))
    return _RowWriter(statement, None, processors)


@lru_cache(maxsize=256)
def _column_names(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns)


@lru_cache(maxsize=16)
def _kept_columns(history: Table) -> tuple[str, ...]:
    """The row's own columns a history keeps, before the version columns."""
    names = _column_names(history)
    assert names[-len(VERSION_COLUMNS) :] == VERSION_COLUMNS, names
    return names[: -len(VERSION_COLUMNS)]


def version_of(history: Table, stored: Mapping[str, Any], event: PositionedEvent) -> Values:
    """The `history` row, in its column order, for a stored row as `event` left it."""
    kept = _kept_columns(history)
    return (*map(stored.get, kept), event.position, event.event.occurred_on, False)


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


# The environment variable the deadline settings come from, as a restatement names them.
DEADLINE_SETTING = "JEJAK_DEADLINE_DAYS"


def deadline_settings(declared: Mapping[str, int], overrides: Mapping[str, int]) -> dict[str, int]:
    """The days of every `declared` deadline (setting -> default) as `overrides` set them,
    named as a restatement shows them (``JEJAK_DEADLINE_DAYS.withdrawal_days``)."""
    return {
        f"{DEADLINE_SETTING}.{setting}": overrides.get(setting, default)
        for setting, default in sorted(declared.items())
    }


def settings_json(projection: Projection) -> str:
    """`projection.settings` as the JSON text `projection_positions.settings` keeps."""
    return json.dumps(projection.settings, sort_keys=True)


def settings_changed(
    before: Mapping[str, object] | None, after: Mapping[str, object]
) -> dict[str, dict[str, object]]:
    """setting -> {"before", "after"} for every setting whose value differs; nothing when the
    settings folded with before were not recorded (a read model built before they were)."""
    if before is None:
        return {}
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
