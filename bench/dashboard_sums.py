"""The catch-up baseline's copy of the dashboard's sums of moves (ADR 0026), kept by hand.

The same rows as `projections.dashboard_counts.record_moves` writes, with plain SQL on the
baseline's driver connection: every move appended with `executemany`; the tallies and the
month-end sums added to with `INSERT ... ON CONFLICT DO UPDATE` (a month opened by a move is
first copied from the month before it with `INSERT ... SELECT`, and cells that come to zero
are deleted); a checkpoint, when one is due by the same rule, summed in one `INSERT ...
SELECT` from the last checkpoint and the moves after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bench.read_models import DATED, KNOWN, MOVES, TALLIES
from projections.dashboard_counts import CountRules, month_end

Params = tuple[Any, ...]
# A member's move as the baseline's fold notes it: position, date (the store's form), site,
# state left (None: registered) and state entered.
RawMove = tuple[int, Any, str, str | None, str]


class HandSums:
    """Keeps the baseline's copies of the four tables, batch by batch."""

    def __init__(
        self,
        execute: Callable[[str, Params], None],
        executemany: Callable[[str, Sequence[Params]], None],
        query: Callable[[str, Params], list[Params]],
        rules: CountRules,
        text_dates: bool,
    ) -> None:
        self.execute, self.executemany, self.query = execute, executemany, query
        self.rules = rules
        self.text_dates = text_dates

    def write(self, moves: Sequence[RawMove], reached: int) -> None:
        """The batch's moves (if any), then any checkpoint the log has now passed."""
        if moves:
            self._month_sums(moves)  # reads the months tallied before this batch
            self._tally(moves)
            bucket = self.rules.bucket
            self.executemany(
                f"INSERT INTO {MOVES.name} (position, bucket, occurred_on, site_id, left_state,"
                " entered_state) VALUES (?, ?, ?, ?, ?, ?)",
                [(p, bucket(p), day, site, left, entered) for p, day, site, left, entered in moves],
            )
        self._checkpoints(reached)

    def _month(self, day: Any) -> Any:
        if self.text_dates:
            return month_end(date.fromisoformat(day)).isoformat()
        return month_end(day)

    def _month_sums(self, moves: Sequence[RawMove]) -> None:
        changes: dict[Any, Counter[tuple[str, str]]] = {}
        for _, day, site, left, entered in moves:
            cells = changes.setdefault(self._month(day), Counter())
            cells[(site, entered)] += 1
            if left is not None:
                cells[(site, left)] -= 1
        first = min(changes)
        summed = {
            m
            for (m,) in self.query(
                f"SELECT DISTINCT month_end FROM {TALLIES.name} WHERE month_end >= ?", (first,)
            )
        }
        for opened in sorted(set(changes) - summed):
            self.execute(
                f"INSERT INTO {DATED.name} (month_end, site_id, state, people)"
                f" SELECT ?, site_id, state, people FROM {DATED.name} WHERE month_end ="
                f" (SELECT MAX(month_end) FROM {TALLIES.name} WHERE month_end < ?)",
                (opened, opened),
            )
            summed.add(opened)
        running: Counter[tuple[str, str]] = Counter()
        pending = sorted(changes)
        for end in sorted(m for m in summed if m >= first):
            while pending and pending[0] <= end:
                running.update(changes[pending.pop(0)])
            self.executemany(
                f"INSERT INTO {DATED.name} (month_end, site_id, state, people)"
                f" VALUES (?, ?, ?, ?) ON CONFLICT ({DATED.key}) DO UPDATE"
                f" SET people = {DATED.name}.people + excluded.people",
                [(end, site, state, n) for (site, state), n in running.items() if n],
            )
            self.execute(f"DELETE FROM {DATED.name} WHERE month_end = ? AND people = 0", (end,))

    def _tally(self, moves: Sequence[RawMove]) -> None:
        counted = Counter((self.rules.bucket(p), self._month(day)) for p, day, *_ in moves)
        self.executemany(
            f"INSERT INTO {TALLIES.name} (bucket, month_end, moves) VALUES (?, ?, ?)"
            f" ON CONFLICT ({TALLIES.key}) DO UPDATE"
            f" SET moves = {TALLIES.name}.moves + excluded.moves",
            [(bucket, month, n) for (bucket, month), n in counted.items()],
        )

    def _checkpoints(self, reached: int) -> None:
        ((last,),) = self.query(f"SELECT MAX(position) FROM {KNOWN.name}", ())
        after = -1 if last is None else self.rules.bucket(last)
        pending = self.query(
            f"SELECT bucket, SUM(moves) FROM {TALLIES.name} WHERE bucket > ?"
            " GROUP BY bucket ORDER BY bucket",
            (after,),
        )
        since, cells = 0, None
        for bucket, moves in pending:
            end = self.rules.bucket_end(bucket)
            if end > reached:
                break
            since += int(moves)
            if since < self.rules.checkpoint_moves:
                continue
            if cells is None:
                cells = self._cells(last)
            if since < cells:
                continue
            start = -1 if last is None else last
            self.execute(
                f"INSERT INTO {KNOWN.name} (position, site_id, state, people)"
                " SELECT ?, site_id, state, SUM(n) FROM ("
                f" SELECT site_id, state, people AS n FROM {KNOWN.name} WHERE position = ?"
                f" UNION ALL SELECT site_id, entered_state, COUNT(*) FROM {MOVES.name}"
                " WHERE position > ? AND position <= ? GROUP BY site_id, entered_state"
                f" UNION ALL SELECT site_id, left_state, -COUNT(*) FROM {MOVES.name}"
                " WHERE position > ? AND position <= ? AND left_state IS NOT NULL"
                " GROUP BY site_id, left_state) c GROUP BY site_id, state HAVING SUM(n) <> 0",
                (end, start, start, end, start, end),
            )
            last, since, cells = end, 0, self._cells(end)

    def _cells(self, checkpoint: int | None) -> int:
        if checkpoint is None:
            return 0
        ((cells,),) = self.query(
            f"SELECT COUNT(*) FROM {KNOWN.name} WHERE position = ?", (checkpoint,)
        )
        return int(cells)
