"""The programme dashboard's people per site and state at any cut, kept as sums of moves
(ADR 0026).

A *move* is an event that takes a person from one state to another (her registration takes her
into the lifecycle). The people per site and state at a cut are the cut's moves summed: one for
the state entered, minus one for the state left. That is exact for "as known at" a position,
whose events are a prefix of the log, and for "as at" a date for everyone whose events were
entered in date order (her events dated by then are a prefix of hers). The few others are named
by `out_of_order_keys` for the caller to fold again from their own events.

So that no cut sums the whole log, the dashboard's writer keeps, in its own transaction:
- `programme_dashboard_moves`: every move, with its position, business date and bucket (a run of
  `CountRules.bucket_positions` positions);
- `programme_dashboard_move_tallies`: how many moves each bucket holds dated in each month;
- `programme_dashboard_counts_known`: checkpoints, the sums as known at the end of a bucket, one
  whenever enough moves have come since the last;
- `programme_dashboard_counts_dated`: the sums of every move so far dated by each month's end.
A cut reads one checkpoint or one month's sums and adds the short tail between it and the cut
(`counts_at`). All of it follows from the log alone, however the log was cut into batches, so a
side-by-side rebuild makes the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    case,
    delete,
    func,
    literal,
    select,
)

from projections.base import append_rows
from projections.schema import metadata

dashboard_moves = Table(
    "programme_dashboard_moves",
    metadata,
    # One row per event that moved a person from one state to another (her registration
    # included), in log order: what the counts at any cut are sums of.
    Column("position", BigInteger, primary_key=True),
    # position // the positions per bucket: a run of the log that the dashboard's tallies
    # count, and that a date range is looked up in.
    Column("bucket", BigInteger, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("site_id", String(36), nullable=False),
    # Null for her registration, the move into the lifecycle.
    Column("left_state", String(32)),
    Column("entered_state", String(32), nullable=False),
    Index("ix_programme_dashboard_moves_bucket_occurred_on", "bucket", "occurred_on"),
)


dashboard_move_tallies = Table(
    "programme_dashboard_move_tallies",
    metadata,
    # How many moves each bucket holds dated in each month, named by its last day.
    Column("bucket", BigInteger, primary_key=True),
    Column("month_end", Date, primary_key=True),
    Column("moves", Integer, nullable=False),
    Index("ix_programme_dashboard_move_tallies_month_end", "month_end"),
)


def _sums_by(name: str, at: Column[object]) -> Table:
    """People per site and state under `at`: a sum of moves, cells that come to zero left
    out (a cell may be negative while someone's events are out of date order)."""
    return Table(
        name,
        metadata,
        at,
        Column("site_id", String(36), primary_key=True),
        Column("state", String(32), primary_key=True),
        Column("people", Integer, nullable=False),
    )


# The sums as known at `position`, the last position of a bucket: every move recorded by then.
dashboard_counts_known = _sums_by(
    "programme_dashboard_counts_known", Column("position", BigInteger, primary_key=True)
)


# The sums of every move recorded so far dated by `month_end`, for each month a move is dated in.
dashboard_counts_dated = _sums_by(
    "programme_dashboard_counts_dated", Column("month_end", Date, primary_key=True)
)

# People per (site_id, state); a sum over moves, so a cell may be negative until the keys
# entered out of date order are put right.
Cells = Counter[tuple[str, str]]
# Keys per IN list: SQLite's bound-parameter limit is far above it on every supported version.
CHUNK = 500


@dataclass(frozen=True)
class CountRules:
    """How the sums are laid out. Both numbers shape what the tables hold: changing either
    needs `jejak rebuild programme_dashboard`."""

    # Log positions per bucket: checkpoints fall at the end of one, and a date range is looked
    # up bucket by bucket.
    bucket_positions: int = 10_000
    # The fewest moves between two checkpoints; never fewer than the cells of the last one,
    # so the checkpoints hold no more rows than the moves they sum.
    checkpoint_moves: int = 10_000

    def bucket(self, position: int) -> int:
        """The bucket a log position falls in."""
        return position // self.bucket_positions

    def bucket_end(self, bucket: int) -> int:
        """The last log position of `bucket`."""
        return (bucket + 1) * self.bucket_positions - 1


@dataclass(frozen=True)
class Move:
    """One person's move: the event at `position` took her from `left` (None: she was just
    registered) to `entered`."""

    position: int
    occurred_on: date
    site_id: str
    left: str | None
    entered: str


@dataclass(frozen=True)
class CountTables:
    """The tables the sums live in: the live ones, or a side-by-side rebuild's shadows."""

    moves: Table
    tallies: Table
    known: Table
    dated: Table
    members: Table


def month_end(day: date) -> date:
    """The last day of `day`'s month: the date a month's sums are kept under."""
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


# --- the writer --------------------------------------------------------------------------------


def record_moves(
    conn: Connection, tables: CountTables, rules: CountRules, moves: Sequence[Move], reached: int
) -> None:
    """Keep the sums up to date with a batch's moves, in the batch's transaction.

    `reached` is the batch's last log position: a checkpoint is written only once the log has
    reached the end of its bucket, so every move it sums is in. Called for every batch, moves or
    not, so that when a checkpoint is written does not depend on how the log was batched.
    """
    if moves:
        _sum_by_month(conn, tables, moves)  # reads the months summed so far: before the tally
        _tally(conn, tables, rules, moves)
        append_rows(
            conn,
            tables.moves,
            [
                (m.position, rules.bucket(m.position), m.occurred_on, m.site_id, m.left, m.entered)
                for m in moves
            ],
        )
    _write_due_checkpoints(conn, tables, rules, reached)


def _sum_by_month(conn: Connection, tables: CountTables, moves: Sequence[Move]) -> None:
    """Add the moves to the sums of every month end they are dated by.

    A move dated in a month no move was dated in before opens that month's sums, starting from
    those of the latest month before it. A late entry changes every later month's sums too.
    """
    changes: dict[date, Cells] = {}
    for move in moves:
        _add_move(changes.setdefault(month_end(move.occurred_on), Counter()), move, 1)
    first = min(changes)
    month = tables.tallies.c.month_end
    summed = set(conn.execute(select(month).where(month >= first).distinct()).scalars())
    dated = tables.dated.c
    for opened in sorted(set(changes) - summed):
        before = conn.execute(select(func.max(month)).where(month < opened)).scalar()
        if before is not None:
            copied = select(literal(opened, Date), dated.site_id, dated.state, dated.people)
            conn.execute(
                tables.dated.insert().from_select(
                    ["month_end", "site_id", "state", "people"],
                    copied.where(dated.month_end == before),
                )
            )
        summed.add(opened)
    running: Cells = Counter()
    pending = sorted(changes)
    for end in sorted(m for m in summed if m >= first):
        while pending and pending[0] <= end:
            running.update(changes[pending.pop(0)])
        _add_to_stored(conn, tables.dated, tables.dated.c.month_end, end, running)


def _tally(conn: Connection, tables: CountTables, rules: CountRules, moves: Sequence[Move]) -> None:
    """Count the moves into their bucket's tally for the month they are dated in."""
    counted = Counter((rules.bucket(m.position), month_end(m.occurred_on)) for m in moves)
    c = tables.tallies.c
    buckets = sorted({bucket for bucket, _ in counted})
    for row in conn.execute(select(tables.tallies).where(c.bucket.in_(buckets))):
        counted[(row.bucket, row.month_end)] += row.moves
    conn.execute(delete(tables.tallies).where(c.bucket.in_(buckets)))
    append_rows(conn, tables.tallies, sorted((b, m, n) for (b, m), n in counted.items()))


def _write_due_checkpoints(
    conn: Connection, tables: CountTables, rules: CountRules, reached: int
) -> None:
    """Checkpoint the sums at the end of each bucket the log has passed where the moves since
    the last checkpoint have come to the minimum, and to that checkpoint's cells."""
    last = _latest_checkpoint(conn, tables, None)
    c = tables.tallies.c
    since_last = -1 if last is None else rules.bucket(last)
    pending = conn.execute(
        select(c.bucket, func.sum(c.moves))
        .where(c.bucket > since_last)
        .group_by(c.bucket)
        .order_by(c.bucket)
    ).all()
    since = 0
    cells: int | None = None  # the last checkpoint's size, read once it matters
    for bucket, moves in pending:
        end = rules.bucket_end(bucket)
        if end > reached:
            break  # moves of this bucket may still come
        since += int(moves)
        if since < rules.checkpoint_moves:
            continue
        if cells is None:
            cells = _cells_at(conn, tables, last)
        if since < cells:
            continue
        sums = counts_at(conn, tables, rules, end, None)
        rows = [(end, site, state, n) for (site, state), n in sorted(sums.items()) if n]
        append_rows(conn, tables.known, rows)
        last, since, cells = end, 0, len(rows)


def _cells_at(conn: Connection, tables: CountTables, checkpoint: int | None) -> int:
    if checkpoint is None:
        return 0
    known = tables.known.c
    counted = select(func.count()).where(known.position == checkpoint)
    return int(conn.execute(counted).scalar_one())


def _add_to_stored(
    conn: Connection, table: Table, at: Column[Any], value: object, change: Cells
) -> None:
    """Add `change` to the sums `table` keeps under `at == value`, the cells of every site it
    touches written again, those that come to zero left out."""
    c = table.c
    sites = sorted({site for site, _ in change})
    stored: Cells = Counter()
    for chunk in _chunks(sites):
        query = select(c.site_id, c.state, c.people).where(at == value, c.site_id.in_(chunk))
        for site, state, people in conn.execute(query):
            stored[(site, state)] = people
        conn.execute(delete(table).where(at == value, c.site_id.in_(chunk)))
    stored.update(change)
    append_rows(
        conn, table, [(value, s, state, n) for (s, state), n in sorted(stored.items()) if n]
    )


# --- the cut -----------------------------------------------------------------------------------


def counts_at(
    conn: Connection,
    tables: CountTables,
    rules: CountRules,
    known_at: int | None,
    as_at: date | None,
) -> Cells:
    """The moves recorded by position `known_at` and dated by `as_at` (None: no bound), summed
    per site and state.

    As known at P: the last checkpoint at or before P plus the moves after it. As at D: the
    sums of the last month end by D plus the moves dated after it. Both together: whichever of
    the two the tallies say reads fewer moves, less the moves outside the other bound.
    """
    if as_at is None:
        if known_at is None:
            raise ValueError("a cut needs a log position or a business date")
        return sum_from_checkpoint(conn, tables, rules, known_at, None)
    if known_at is None:
        return sum_from_month(conn, tables, rules, None, as_at)
    checkpoint = _latest_checkpoint(conn, tables, known_at)
    month = _latest_month(conn, tables, as_at)
    if _checkpoint_reads_fewer(conn, tables, rules, (known_at, checkpoint), (as_at, month)):
        return sum_from_checkpoint(conn, tables, rules, known_at, as_at)
    return sum_from_month(conn, tables, rules, known_at, as_at)


def sum_from_checkpoint(
    conn: Connection, tables: CountTables, rules: CountRules, known_at: int, as_at: date | None
) -> Cells:
    """`counts_at` from the last checkpoint by `known_at`: its sums, less its moves dated after
    `as_at`, plus the moves after it up to `known_at` dated by `as_at`."""
    checkpoint = _latest_checkpoint(conn, tables, known_at)
    cells = _stored_cells(conn, tables.known, tables.known.c.position, checkpoint)
    m = tables.moves.c
    tail = [m.position <= known_at]
    if checkpoint is not None:
        tail.append(m.position > checkpoint)
    if as_at is not None:
        tail.append(m.occurred_on <= as_at)
    _add_moves(conn, tables.moves, tail, cells, 1)
    if checkpoint is not None and as_at is not None:
        t = tables.tallies.c
        # A checkpoint is a bucket's end: its moves are those of the buckets up to that one.
        dated_after = _buckets(
            conn, tables, t.bucket <= rules.bucket(checkpoint), t.month_end >= month_end(as_at)
        )
        if dated_after:
            later = [m.bucket.in_(dated_after), m.occurred_on > as_at]
            _add_moves(conn, tables.moves, later, cells, -1)
    return cells


def sum_from_month(
    conn: Connection, tables: CountTables, rules: CountRules, known_at: int | None, as_at: date
) -> Cells:
    """`counts_at` from the sums of the last month end by `as_at`: those, plus the moves dated
    after it by `as_at`, less those recorded after `known_at`."""
    month = _latest_month(conn, tables, as_at)
    cells = _stored_cells(conn, tables.dated, tables.dated.c.month_end, month)
    m, t = tables.moves.c, tables.tallies.c
    since = [] if month is None else [t.month_end > month]
    in_month = _buckets(conn, tables, *since, t.month_end <= month_end(as_at))
    if in_month:
        dated = [m.bucket.in_(in_month), m.occurred_on <= as_at]
        if month is not None:
            dated.append(m.occurred_on > month)
        _add_moves(conn, tables.moves, dated, cells, 1)
    if known_at is not None:
        later = _buckets(
            conn, tables, t.bucket >= rules.bucket(known_at), t.month_end <= month_end(as_at)
        )
        if later:
            recorded_after = [m.bucket.in_(later), m.occurred_on <= as_at, m.position > known_at]
            _add_moves(conn, tables.moves, recorded_after, cells, -1)
    return cells


def _checkpoint_reads_fewer(
    conn: Connection,
    tables: CountTables,
    rules: CountRules,
    known: tuple[int, int | None],
    dated: tuple[date, date | None],
) -> bool:
    """Whether a cut at both a position and a date reads fewer moves from the checkpoint than
    from the month's sums, as the tallies count them (a month partly in counts in full)."""
    (known_at, checkpoint), (as_at, month) = known, dated
    t = tables.tallies.c
    through = -1 if checkpoint is None else rules.bucket(checkpoint)
    cut_bucket, cut_month = rules.bucket(known_at), month_end(as_at)
    after_month = t.month_end > month if month is not None else t.month_end.is_not(None)
    from_checkpoint = case(
        ((t.bucket <= through) & (t.month_end >= cut_month), t.moves),
        ((t.bucket > through) & (t.bucket <= cut_bucket), t.moves),
        else_=0,
    )
    from_month = case(
        ((t.bucket >= cut_bucket) & (t.month_end <= cut_month), t.moves),
        (after_month & (t.month_end <= cut_month), t.moves),
        else_=0,
    )
    by_checkpoint, by_month = conn.execute(
        select(func.coalesce(func.sum(from_checkpoint), 0), func.coalesce(func.sum(from_month), 0))
    ).one()
    return int(by_checkpoint) <= int(by_month)


def out_of_order_keys(conn: Connection, tables: CountTables, as_at: date) -> list[str]:
    """The people a cut at `as_at` falls between two of whose events were entered out of date
    order: the sums are not their count, their own events must be folded again."""
    c = tables.members.c
    query = select(c.beneficiary_id).where(
        c.out_of_order_from <= as_at, c.out_of_order_until > as_at
    )
    return list(conn.execute(query).scalars())


def moves_at(conn: Connection, tables: CountTables, positions: Sequence[int]) -> Cells:
    """The moves at `positions` (events that moved no one have none), summed."""
    cells: Cells = Counter()
    for chunk in _chunks(positions):
        _add_moves(conn, tables.moves, [tables.moves.c.position.in_(chunk)], cells, 1)
    return cells


def _add_move(cells: Cells, move: Move, sign: int) -> None:
    cells[(move.site_id, move.entered)] += sign
    if move.left is not None:
        cells[(move.site_id, move.left)] -= sign


def _add_moves(
    conn: Connection, moves: Table, where: Sequence[Any], cells: Cells, sign: int
) -> None:
    """Add (`sign` 1) or take away (-1) the moves matching `where`, grouped in SQL."""
    m = moves.c
    grouped = (
        select(m.site_id, m.left_state, m.entered_state, func.count())
        .where(*where)
        .group_by(m.site_id, m.left_state, m.entered_state)
    )
    for site, left, entered, n in conn.execute(grouped):
        cells[(site, entered)] += sign * n
        if left is not None:
            cells[(site, left)] -= sign * n


def _stored_cells(conn: Connection, table: Table, at: Column[Any], value: object) -> Cells:
    cells: Cells = Counter()
    if value is None:
        return cells
    c = table.c
    for site, state, people in conn.execute(
        select(c.site_id, c.state, c.people).where(at == value)
    ):
        cells[(site, state)] = people
    return cells


def _latest_checkpoint(conn: Connection, tables: CountTables, known_at: int | None) -> int | None:
    position = tables.known.c.position
    latest = select(func.max(position))
    if known_at is not None:
        latest = latest.where(position <= known_at)
    found: int | None = conn.execute(latest).scalar()
    return found


def _latest_month(conn: Connection, tables: CountTables, as_at: date) -> date | None:
    month = tables.tallies.c.month_end
    found: date | None = conn.execute(select(func.max(month)).where(month <= as_at)).scalar()
    return found


def _buckets(conn: Connection, tables: CountTables, *where: Any) -> list[int]:
    """The buckets whose tallies match `where`: where the moves to read are."""
    bucket = tables.tallies.c.bucket
    query = select(bucket).where(*where).distinct().order_by(bucket)
    return [int(b) for b in conn.execute(query).scalars()]


def _chunks(items: Sequence[Hashable]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
