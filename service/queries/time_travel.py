"""Reports and aggregates as they stood: "as at" a business date, or "as known at" a log position.

Both are derived from the log, never from stored copies of old reports:
- *as known at* position P folds the events recorded up to P: what the system said then;
- *as at* business date D folds every event that happened by D, including those entered later.
The two differ exactly when something was entered late.

The reference is a replay of the log through the read model's own pure fold
(`replay_read_model_at`). The fast path (`read_model_at`, `read_model_page`) reads the row
read models' version histories in SQL instead (ADR 0023) and must give the same rows for every
cut; a property test holds it to that on both stores.
- As known at P: each key's latest version at a position <= P.
- As at D: each key's latest version among those dated <= D, when those versions come before
  every version dated after D (the usual case: a key's events were entered in date order).
  A key with a later-dated event recorded before an earlier-dated one is folded again from its
  own events in the cut, which are few; the SQL finds those keys too.
The dashboard's counts per site and state come from the dashboard's own sums of moves instead
(ADR 0026), with the same refold for the people out of date order at the cut's date.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    case,
    false,
    func,
    select,
)

from projections.base import PositionedEvent, Row, RowProjection, fold_all
from projections.beneficiary_status import beneficiary_status
from projections.schema import REMOVED, VERSION_OCCURRED_ON, VERSION_POSITION
from projections.tables import HISTORIES
from service.queries.paging import Page
from service.store.db import MAX_STORED_INTEGER
from service.store.event_log import ApplicationEventSource, decode_stored, history, log_events
from service.system import Jejak

# beneficiary_status's history: where the events of the people the dashboard refolds are found.
PEOPLE_HISTORY = HISTORIES[beneficiary_status.name]
# Filters on a read model's columns, as the live lists take them (site, state, ...): a value
# for equality, or a `Within` or `OneOf`.
Where = Mapping[str, object]


@dataclass(frozen=True)
class Within:
    """A filter: the column's value lies in [low, high]."""

    low: Any
    high: Any


@dataclass(frozen=True)
class OneOf:
    """A filter: the column's value is one of `values`."""

    values: frozenset[Any]


def filter_sql(column: Any, wanted: object) -> Any:
    """A filter as SQL."""
    if isinstance(wanted, Within):
        return column.between(wanted.low, wanted.high)
    if isinstance(wanted, OneOf):
        return column.in_(sorted(wanted.values))
    return column == wanted


def filter_holds(value: object, wanted: object) -> bool:
    """A filter on a row in memory, as `_condition` is in SQL."""
    if isinstance(wanted, Within):
        return value is not None and wanted.low <= value <= wanted.high
    if isinstance(wanted, OneOf):
        return value in wanted.values
    return value == wanted


VERSION_COLUMNS = frozenset({VERSION_POSITION, VERSION_OCCURRED_ON, REMOVED})


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


def known_position(jejak: Jejak, text: str) -> int:
    """The log position an "as known at" names: a position as it is, or a recording time
    (ISO 8601 with its time zone) as the last position recorded by then."""
    if text.strip().isdigit():
        position = int(text)
        if position > MAX_STORED_INTEGER:
            raise ValueError("known_at is larger than any log position")
        return position
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"known_at {text!r} is neither a log position nor an ISO time") from None
    return position_recorded_by(jejak, moment)


def position_recorded_by(jejak: Jejak, moment: datetime) -> int:
    """The last log position recorded by `moment` (0 when nothing was): "as known at" a time.

    A binary search over positions, reading one event per step: recording times rise with the
    position (the recorder appends under a table lock), so the events recorded by `moment`
    are a prefix of the log.
    """
    if moment.tzinfo is None:
        raise ValueError("a recording time needs its time zone")
    source = ApplicationEventSource(jejak.app)
    low, high = 0, source.head()  # position `low` is recorded by `moment`; past `high` nothing
    while low < high:
        middle = (low + high + 1) // 2
        found = source.read_after(middle - 1, 1)  # the first event at `middle` or after
        beyond = not found or found[0].position > high
        if beyond or found[0].recorded_at.astimezone(UTC) > moment.astimezone(UTC):
            high = middle - 1
        else:
            low = found[0].position
    return low


# --- the reference: a replay of the log ------------------------------------------------------


def replay_read_model_at(
    jejak: Jejak, name: str, cut: Cut, where: Where | None = None
) -> list[Row]:
    """The rows read model `name` had (or would have had) at `cut`, replayed from the log,
    sealed columns left out, in key order. Exact and slow: the reference for the fast path."""
    projection = row_projection(jejak, name)
    rows = fold_all(projection, (e for e in log_events(jejak.app, cut.known_at) if cut.keeps(e)))
    shown = [_present(projection, row) for row in rows.values()]
    return sorted((r for r in shown if _matches(r, where)), key=_key_order(projection))


# --- the fast path: version histories in SQL ---------------------------------------------------


def read_model_at(jejak: Jejak, name: str, cut: Cut, where: Where | None = None) -> list[Row]:
    """`replay_read_model_at`'s rows, read from the version history where there is one."""
    return read_model_page(jejak, name, cut, where).items


def read_model_page(
    jejak: Jejak,
    name: str,
    cut: Cut,
    where: Where | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> Page[Row]:
    """One page, in key order, of the rows read model `name` had at `cut` among those matching
    `where` (column = value, or a `Within` or `OneOf`); `limit` None gives every row."""
    projection = row_projection(jejak, name)
    history = projection.history
    if history is None:
        everything = replay_read_model_at(jejak, name, cut, where)
        end = None if limit is None else offset + limit
        return Page(everything[offset:end], len(everything), limit or len(everything), offset)
    unknown = sorted(set(where or {}) - set(history.c.keys()))
    if unknown:
        raise KeyError(f"{name} has no column {unknown[0]}")
    past = HistoryCut(projection, history, cut, where or {})
    with jejak.engine.connect() as conn:
        refolded = [r for r in past.refold(conn, jejak) if _matches(r, where)]
        query = past.clean_rows().order_by(_ordered(conn, past.key))
        if limit is not None:
            # The refolded keys may fall anywhere in the order: enough clean rows to place them.
            query = query.limit(offset + limit)
        clean = [past.present(dict(row)) for row in conn.execute(query).mappings()]
        counted = select(func.count()).select_from(past.clean_rows().subquery())
        total = int(conn.execute(counted).scalar_one()) + len(refolded)
    merged = sorted(clean + refolded, key=_key_order(projection))
    end = None if limit is None else offset + limit
    return Page(merged[offset:end], total, limit or total, offset)


class HistoryCut:
    """The SQL that cuts one read model's version history, and the refold of the keys whose
    events were entered out of date order."""

    def __init__(self, projection: RowProjection, history: Table, cut: Cut, where: Where) -> None:
        self.projection = projection
        self.history = history
        self.cut = cut
        self.where = where
        self.key = history.c[projection.key_column]
        self.position = history.c[VERSION_POSITION]
        self.occurred_on = history.c[VERSION_OCCURRED_ON]

    def _scope(self) -> list[Any]:
        """Versions recorded by the cut, of keys that ever matched the filters (a key matches
        at the cut only through one of its versions, so the rest cannot)."""
        conditions: list[Any] = []
        if self.cut.known_at is not None:
            conditions.append(self.position <= self.cut.known_at)
        if self.where:
            matching = select(self.key).where(*self._filters())
            conditions.append(self.key.in_(matching))
        return conditions

    def _filters(self) -> list[Any]:
        return [filter_sql(self.history.c[column], v) for column, v in self.where.items()]

    def out_of_order(self) -> Select[Any]:
        """Keys with a version dated after the cut's date recorded before one dated by it."""
        assert self.cut.as_at is not None
        late = self.occurred_on > self.cut.as_at
        return (
            select(self.key)
            .where(*self._scope())
            .group_by(self.key)
            .having(func.min(case((late, self.position))) < func.max(case((~late, self.position))))
        )

    def clean_rows(self) -> Select[Any]:
        """Each key's version at the cut, for the keys a date cut does not refold."""
        conditions = self._scope()
        if self.cut.as_at is not None:
            conditions.append(self.occurred_on <= self.cut.as_at)
        latest = (
            select(self.key.label("key"), func.max(self.position).label("at"))
            .where(*conditions)
            .group_by(self.key)
            .subquery()
        )
        query = (
            select(self.history)
            .join(latest, and_(self.key == latest.c.key, self.position == latest.c.at))
            .where(self.history.c[REMOVED] == false())
            .where(*self._filters())
        )
        if self.cut.as_at is not None:
            query = query.where(self.key.not_in(self.out_of_order()))
        return query

    def refold(self, conn: Connection, jejak: Jejak) -> list[Row]:
        """The rows of the out-of-order keys, folded from their own events in the cut."""
        if self.cut.as_at is None:
            return []
        keys = list(conn.execute(self.out_of_order()).scalars())
        return self.refold_positions(conn, jejak, self.positions_of(conn, keys))

    def positions_of(self, conn: Connection, keys: Sequence[Hashable]) -> list[int]:
        """The log positions of `keys`' events in the cut, in log order."""
        if not keys:
            return []
        assert self.cut.as_at is not None, "a cut by position alone refolds no key"
        positions = conn.execute(
            select(self.position)
            .where(
                self.key.in_(keys),
                self.occurred_on <= self.cut.as_at,
                *([] if self.cut.known_at is None else [self.position <= self.cut.known_at]),
            )
            .order_by(self.position)
        ).scalars()
        return list(positions)

    def refold_positions(self, conn: Connection, jejak: Jejak, positions: list[int]) -> list[Row]:
        """The rows the events at `positions` (the cut's events of some keys) fold to."""
        if not positions:
            return []
        events = decode_stored(jejak.app, jejak.raw_log().read_positions(positions))
        fold = self.projection.batch_fold(conn, events)
        rows: dict[Hashable, Row | None] = {}
        for event in events:
            key = self.projection.key_of(event)
            if key is not None:
                rows[key] = fold(rows.get(key), event)
        return [
            _present(self.projection, self.projection.to_stored(row))
            for row in rows.values()
            if row is not None
        ]

    def present(self, version: Mapping[str, Any]) -> Row:
        """A history row as the read model's row."""
        return {k: v for k, v in version.items() if k not in VERSION_COLUMNS}


# --- one aggregate ---------------------------------------------------------------------------


def aggregate_at(
    jejak: Jejak, aggregate_id: UUID, *, version: int | None, as_at: date | None
) -> Any:
    """One aggregate replayed from its own events up to a version or a business date.

    An aggregate's events only replay in their own order, so a date cut is the longest run of
    them dated by then: an event entered later but dated earlier counts only once the events
    recorded before it are in.
    """
    aggregate = None
    for event in history(jejak.app, aggregate_id):
        if version is not None and event.originator_version > version:
            break
        if as_at is not None and event.occurred_on > as_at:
            break
        aggregate = event.mutate(aggregate)
    if aggregate is None:
        raise LookupError("the aggregate did not exist at that cut")
    return aggregate


# --- helpers ---------------------------------------------------------------------------------


def row_projection(jejak: Jejak, name: str) -> RowProjection:
    """The live row read model called `name` (LookupError for any other name)."""
    projection = next((p for p in jejak.runner.projections if p.name == name), None)
    if not isinstance(projection, RowProjection):
        raise LookupError(f"{name} is not a read model that can be replayed to a cut")
    return projection


def _present(projection: RowProjection, row: Row) -> Row:
    """A stored row as a past cut shows it: every column but the sealed ones."""
    return {
        c.name: row.get(c.name) for c in projection.table.columns if not c.name.endswith("_sealed")
    }


def _matches(row: Row, where: Where | None) -> bool:
    return all(filter_holds(row.get(column), wanted) for column, wanted in (where or {}).items())


def _key_order(projection: RowProjection) -> Callable[[Row], str]:
    return lambda row: str(row[projection.key_column])


def _ordered(conn: Connection, column: Any) -> Any:
    # Python's order of the keys (by code point), which PostgreSQL's collations may not follow.
    return column.collate("C") if conn.dialect.name == "postgresql" else column
