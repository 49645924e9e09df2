"""Side-by-side rebuilds: a new version of a read model is built next to the live one, compared
with it row by row, and swapped in by renaming tables in one transaction (ADR 0020, ADR 0024).

The live tables keep answering queries throughout. The new version is folded into shadow tables
(`<table>__rebuild`) by a copy of the projection pointed at them (`Projection.rebuilding`); the
switch renames every live table to `<table>__previous` and every shadow to the live name, so
readers see either the old versions or the new ones, never a half-built table.

Every read model is rebuilt this way, whatever its number of tables. Tables a replay cannot
make again (the signed chain checkpoints, `Projection.kept`) stay as they are and are checked
against the rebuilt chain instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    MetaData,
    String,
    Table,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.sql.dml import Delete, Insert, Update

from projections.base import PositionedEvent, Projection, Row, settings_json
from projections.event_chain import chain_checkpoints, event_chain
from projections.runner import EventSource, projection_positions

SHADOW = "__rebuild"
PREVIOUS = "__previous"
# Which event last wrote a row: they explain a difference, they are not one.
BOOKKEEPING = frozenset({"last_event", "last_position", "last_occurred_on"})
# The columns that name the event behind a row, in order of preference: the last to write it
# (a row folded from many events) or the one it records (an append-only row).
EXPLAINING = ("last_position", "position")
# Rows read at a time when comparing a table with its shadow: memory stays flat whatever the
# table's size.
PAGE = 2000


class LiveWrite(RuntimeError):
    """Raised when a rebuild's fold tries to write a live read-model table."""


class ChainDiverged(RuntimeError):
    """Raised by a switch when the hash chain rebuilt from the log differs from the live one."""

    code = "chain_diverged"


def supports(projection: Projection) -> bool:
    """Whether `projection` can be rebuilt side by side: it has tables a replay makes."""
    return bool(projection.rebuilt)


def shadow_of(table: Table, suffix: str = SHADOW) -> Table:
    """`table`'s columns and keys under a suffixed name, in a MetaData of its own.

    Named indexes are left out: index names are global to a schema (and to an SQLite file), so
    a copy would clash with the live ones. The switch creates them under their usual names.
    """
    shadow = table.to_metadata(MetaData(), name=table.name + suffix)
    for index in list(shadow.indexes):
        shadow.indexes.discard(index)
    return shadow


def building(projection: Projection) -> Projection:
    """A copy of `projection` that folds into shadows of the tables it rebuilds.

    Its fold and case-number lookups are the projection's own: a projection that reads another
    read model (entitlement_status reads beneficiary_status, `projections.cases`) still reads
    the live one, which the rebuild brings up to date first. A case number never changes once
    registered, so the live table gives the answer a rebuilt one would.
    """
    if not supports(projection):
        raise ValueError(f"{projection.name} has no tables to rebuild side by side")
    return projection.rebuilding({t.name: shadow_of(t) for t in switched(projection)})


def switched(projection: Projection) -> tuple[Table, ...]:
    """Every table a switch puts in place: the rebuilt tables and their version histories.

    The histories are folded into shadows with the tables, so the switch only renames them:
    refolding a history inside the switch's transaction would hold the live read models'
    locks for as long as a second pass over the log takes.
    """
    return projection.rebuilt + projection.histories


def pairs(projection: Projection, builder: Projection) -> list[tuple[Table, Table]]:
    """Each rebuilt table of `projection` with its shadow in `builder`."""
    return list(zip(projection.rebuilt, builder.rebuilt, strict=True))


def create_shadows(conn: Connection, builders: Sequence[Projection]) -> None:
    """Empty shadow tables, replacing any left by an interrupted rebuild."""
    for builder in builders:
        for shadow in switched(builder):
            shadow.drop(conn, checkfirst=True)
            shadow.create(conn)


def fold_into_shadows(
    engine_begin: Callable[[], Any],
    source: EventSource,
    builders: Sequence[Projection],
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
    conn: Connection, builders: Sequence[Projection], events: Sequence[PositionedEvent]
) -> None:
    """Apply one batch to every shadow, in the runner's order.

    A projection whose writer used a table other than its attributes would write the live
    read model while claiming to rebuild it; the guard turns that into an error.
    """
    live = {t.name.removesuffix(SHADOW) for b in builders for t in switched(b)}
    with refusing_writes(conn, live):
        for builder in builders:
            builder.apply(conn, events)


@contextmanager
def refusing_writes(conn: Connection, tables: set[str]) -> Iterator[None]:
    """Within the block, any INSERT, UPDATE or DELETE on `tables` over `conn` raises."""

    def check(_conn: Connection, statement: Any, *_args: Any) -> None:
        if not isinstance(statement, Insert | Update | Delete):
            return
        target = getattr(statement.table, "name", None)
        if target in tables:
            raise LiveWrite(f"a rebuild tried to write the live table {target}")

    event.listen(conn, "before_execute", check)
    try:
        yield
    finally:
        event.remove(conn, "before_execute", check)


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
        """The log positions of the events behind the row, before and after (none for a table
        that does not record them)."""
        found = {_explaining(row) for row in (self.before, self.after) if row is not None}
        return sorted(p for p in found if p is not None)

    @property
    def columns(self) -> list[str]:
        """The columns that differ (every column for an added or removed row)."""
        row = self.after if self.after is not None else self.before
        assert row is not None
        if self.before is None or self.after is None:
            return sorted(row)
        return sorted(c for c in row if c not in BOOKKEEPING and self.before[c] != self.after[c])


def _explaining(row: Row) -> int | None:
    for column in EXPLAINING:
        if column in row:
            position: int | None = row[column]
            return position
    return None


@dataclass
class TableDiff:
    """The differences of one table, by kind, and how many rows the rebuilt table holds."""

    table: str
    changes: list[RowChange] = field(default_factory=list)
    rows: int = 0
    # Facts about the table beyond its rows (for the chain: the checkpoints it was checked
    # against and how many it contradicts).
    checks: dict[str, int] = field(default_factory=dict)
    # The settings its read model was rebuilt with that differ from those the live version was
    # folded with: setting -> {"before", "after"}. Where there are any, they, not the row's
    # last event, are what a changed row shows as its cause (ADR 0036).
    settings: dict[str, dict[str, object]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many rows were added, removed and changed."""
        kinds = ("added", "removed", "changed")
        return {k: sum(1 for c in self.changes if c.kind == k) for k in kinds}

    def summary(self) -> dict[str, int]:
        """The counts, the rows rebuilt and the table's checks."""
        return self.counts() | {"rows": self.rows} | self.checks


def diff_table(conn: Connection, live: Table, shadow: Table) -> TableDiff:
    """Compare the live table with its shadow by primary key, every column but the bookkeeping.

    Both are read in key order, a page at a time, and merged: only the differences are kept,
    so comparing a million-row table costs no more memory than a thousand-row one. Rows are
    compared as the driver's tuples; only a row that differs is turned into a dict.
    """
    name = str(live.name)  # a plain str: SQLAlchemy's quoted_name is not a JSON key to orjson
    columns = [c.name for c in live.columns]
    key = [c.name for c in live.primary_key.columns]
    compared = itemgetter(*(i for i, c in enumerate(columns) if c not in BOOKKEEPING))

    def row(values: Sequence[Any]) -> Row:
        return dict(zip(columns, values, strict=True))

    diff = TableDiff(name)
    before, after = _in_key_order(conn, live, key), _in_key_order(conn, shadow, key)
    old, new = next(before, None), next(after, None)
    while old is not None or new is not None:
        if new is None or (old is not None and old[0] < new[0]):
            assert old is not None
            diff.changes.append(RowChange(name, "removed", _key_text(old[0]), row(old[1]), None))
            old = next(before, None)
        elif old is None or new[0] < old[0]:
            diff.changes.append(RowChange(name, "added", _key_text(new[0]), None, row(new[1])))
            new, diff.rows = next(after, None), diff.rows + 1
        else:
            was, now = old[1], new[1]
            if compared(was) != compared(now):
                change = RowChange(name, "changed", _key_text(new[0]), row(was), row(now))
                diff.changes.append(change)
            old, new, diff.rows = next(before, None), next(after, None), diff.rows + 1
    if name == event_chain.name:
        diff.checks = check_checkpoints(conn, shadow)
    return diff


def _in_key_order(
    conn: Connection, table: Table, key: Sequence[str]
) -> Iterator[tuple[tuple[Any, ...], Sequence[Any]]]:
    """(key tuple, row values in column order) of every row, in key order as Python compares
    the keys."""
    # PostgreSQL sorts text by the database's collation; "C" is code point order, as Python's.
    postgres = conn.dialect.name == "postgresql"
    order = [
        table.c[k].collate("C") if postgres and isinstance(table.c[k].type, String) else table.c[k]
        for k in key
    ]
    at = [list(table.c.keys()).index(k) for k in key]
    query = select(table).order_by(*order).execution_options(yield_per=PAGE)
    for found in conn.execute(query):
        yield tuple(found[i] for i in at), found


def _key_text(key: tuple[Any, ...]) -> str:
    return "/".join(str(part) for part in key)


def check_checkpoints(conn: Connection, chain: Table) -> dict[str, int]:
    """How many signed checkpoints `chain` (a rebuilt chain) agrees with, and contradicts.

    A checkpoint's link is what auditors hold; a rebuilt chain that gives another link at its
    position means the stored events are not the ones that were chained.
    """
    signed = conn.execute(select(func.count()).select_from(chain_checkpoints)).scalar_one()
    agreeing = conn.execute(
        select(func.count())
        .select_from(chain_checkpoints)
        .join(chain, chain.c.position == chain_checkpoints.c.position)
        .where(chain.c.link_hash == chain_checkpoints.c.link_hash)
    ).scalar_one()
    return {"checkpoints": signed, "checkpoints_contradicted": signed - agreeing}


def refuse_a_changed_chain(diffs: Sequence[TableDiff]) -> None:
    """Raise `ChainDiverged` when the rebuilt chain differs from the live one anywhere.

    The chain is a fold of the stored bytes alone: a difference is not a corrected report but
    a sign that events changed after they were chained (or that the live chain was damaged).
    Switching would put a chain over the changed events in place of the evidence, so the
    switch is refused and `jejak verify` is the next step.
    """
    for diff in diffs:
        if diff.table != event_chain.name:
            continue
        if diff.changes or diff.checks.get("checkpoints_contradicted"):
            first = min((int(c.key) for c in diff.changes), default=None)
            raise ChainDiverged(
                f"the hash chain rebuilt from the log differs from the live one"
                f"{f' from position {first}' if first is not None else ''}"
                f" ({diff.checks.get('checkpoints_contradicted', 0)} signed checkpoints"
                " contradicted); nothing switched: run `jejak verify`"
            )


class LiveMoved(RuntimeError):
    """Raised when a live read model is not at the position its rebuild was brought to."""


def folded_settings(conn: Connection, names: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """The settings each named read model's live version was folded with, as recorded (None
    where nothing was recorded)."""
    found = conn.execute(
        select(projection_positions.c.name, projection_positions.c.settings).where(
            projection_positions.c.name.in_(list(names))
        )
    )
    recorded = {name: json.loads(text) if text else None for name, text in found}
    return {name: recorded.get(name) for name in names}


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


def switch(
    conn: Connection,
    projections: Sequence[Projection],
    position: int,
    builders: Sequence[Projection],
) -> None:
    """Make each projection's shadows live and keep the live versions as `__previous`, and set
    the projections' position to `position`, the position the shadows were folded to, and
    their settings to those the `builders` (in the same order) folded the shadows with.

    Runs inside the caller's transaction, after `lock_positions`: PostgreSQL and SQLite both
    rename tables transactionally, so readers see all of the old versions or all of the new.
    """
    now = datetime.now(UTC)
    for projection, builder in zip(projections, builders, strict=True):
        for live in switched(projection):
            _swap(conn, live)
        # The live version is now one folded with the settings the rebuild used.
        conn.execute(
            update(projection_positions)
            .where(projection_positions.c.name == projection.name)
            .values(position=position, updated_at=now, settings=settings_json(builder))
        )


def _swap(conn: Connection, live: Table) -> None:
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
        for table in switched(projection):
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
