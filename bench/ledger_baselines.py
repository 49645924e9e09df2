"""Raw baselines of the ledger scenarios: the bare driver work each ledger command stands for.

Each runs on its own plain connection to the store under test (as `bench.baselines` does),
writes rows shaped like the event store's and as large as the events the command wrote, and
counts one unit per batch line, so that its rows/s compares with our lines/s.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from bench.baselines import RAW_TABLE, RawStore, Row

INSERT = (
    f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)"
)
SELECT_CHUNK = 500


class LedgerBaselines(RawStore):
    """The ordering, crediting and reconciling baselines on the store's own tables."""

    def seed(self, rows: Sequence[Row]) -> None:
        """Store `rows` (untimed): the state the ordering baseline reads back."""
        self._executemany(INSERT, rows)
        self._commit()

    def ordering(self, seeded: Sequence[Row], payload_bytes: int) -> float:
        """Seconds to read the seeded rows by key and write N+1 rows, in one transaction.

        Stands for `approve_batch`: read each line's state (one row per line, by primary key,
        500 keys per SELECT), then insert one new version per line plus the batch's own row
        with `executemany`, and commit.
        """
        keys = [row[0] for row in seeded]
        batch_row = self.make_rows(1, payload_bytes)[0]
        state = batch_row[3]
        started = time.perf_counter()
        found: list[Row] = []
        for start in range(0, len(keys), SELECT_CHUNK):
            found += self._select_by_key(keys[start : start + SELECT_CHUNK])
        new_rows = [(key, version + 1, topic, state) for key, version, topic, _ in found]
        self._executemany(INSERT, [*new_rows, batch_row])
        self._commit()
        seconds = time.perf_counter() - started
        if len(found) != len(keys):
            raise RuntimeError(f"the ordering baseline read {len(found)} of {len(keys)} rows")
        return seconds

    def crediting(self, content: bytes, payload_bytes: int) -> tuple[int, float]:
        """(lines, seconds) to parse the result file with `csv` and insert a row per line plus
        two (the import and the settlement), with `executemany` in one transaction.

        Stands for `import_bank_result`. The rows are made before the clock starts, as any
        payload would be; the parse is timed, and must yield one row per line of the file.
        """
        rows = self.make_rows(content.count(b"\n") + 1, payload_bytes)
        started = time.perf_counter()
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        next(reader)
        lines = [cells for cells in reader if cells]
        self._executemany(INSERT, rows[: len(lines) + 2])
        self._commit()
        seconds = time.perf_counter() - started
        return len(lines), seconds

    def reconciling(self, batch_id: UUID, start: date) -> tuple[int, float]:
        """(matched lines, seconds) to read the batch's credits and the statement's movements
        from `start` on (the two read models `Reconciliations.for_batch` reads), and join them
        on the bank reference in a dict: a transfer of the same amount, and a withdrawal."""
        started = time.perf_counter()
        credits = self._query(
            "SELECT bank_reference, credited_amount, credited_on FROM entitlement_status "
            "WHERE batch_id = ? AND credited_amount > 0",
            (str(batch_id),),
        )
        movements = self._query(
            "SELECT bank_reference, amount, kind FROM statement_movements WHERE value_date >= ?",
            # SQLite keeps dates as ISO text.
            (start if self.kind == "postgresql" else start.isoformat(),),
        )
        self._commit()
        transferred: dict[str, int] = {}
        withdrawn: set[str] = set()
        for reference, amount, kind in movements:
            if kind == "TRANSFER_OUT":
                transferred[reference] = amount
            elif kind == "WITHDRAWAL":
                withdrawn.add(reference)
        matched = sum(
            1
            for reference, amount, _ in credits
            if transferred.get(reference) == amount and reference in withdrawn
        )
        return matched, time.perf_counter() - started

    def _select_by_key(self, keys: Sequence[Any]) -> list[Row]:
        columns = f"SELECT originator_id, originator_version, topic, state FROM {RAW_TABLE}"
        if self.kind == "postgresql":
            return self._query(f"{columns} WHERE originator_id = ANY(?)", (list(keys),))
        marks = ", ".join("?" * len(keys))
        return self._query(f"{columns} WHERE originator_id IN ({marks})", tuple(keys))
