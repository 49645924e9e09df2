"""Raw baselines: what the same store does for the same work without the application on top.

Each baseline uses the plain driver (`sqlite3` or psycopg) on its own connection to the store
under test, so the ratio `ours / baseline` measures the application's overhead and not the
disk, the server or the machine. The raw rows mirror the event store's table (a UUID key, a
version, a topic, a state blob and the log position) and carry payloads as large as the
scenario's own events. The catch-up baseline writes into copies of the read models'
tables and of their version histories (`bench.read_models`), made with
`CREATE TABLE ... (LIKE ... INCLUDING ALL)` on PostgreSQL and from the tables' own DDL on
SQLite, so both sides maintain the same indexes.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from eventsourcing.persistence import StoredEvent

from bench.dashboard_sums import HandSums
from bench.read_models import (
    HISTORY_TABLES,
    SUM_TABLES,
    TABLES,
    WORKLIST,
    BaselineTable,
    HandFold,
)
from bench.read_models import Row as ModelRow
from bench.stores import FreshStore, PgConnection, connect_postgres, connect_sqlite
from domain.sealed import KeyPurpose
from projections.dashboard import ProgrammeDashboard
from service.security.crypto import DATA_KEY_BYTES, NONCE_BYTES, SEAL_FORMAT

# A wrapped data key: the seal format byte, the nonce, the key and the AES-GCM tag.
WRAPPED_KEY_BYTES = len(SEAL_FORMAT) + NONCE_BYTES + DATA_KEY_BYTES + 16

RAW_TABLE = "bench_raw_rows"
RAW_POSITION = "bench_raw_position"
RAW_TOPIC = "bench.raw:Row"
# A copy of the vault's key table (`service.store.schema.vault_subject_keys`), indexes included.
RAW_KEYS = "bench_raw_keys"
KEYS_TABLE = "vault_subject_keys"

Row = tuple[Any, ...]


class RawStore:
    """A plain driver connection to the store under test, with the baseline tables."""

    def __init__(self, store: FreshStore) -> None:
        self.kind = store.target.kind
        self._sqlite: sqlite3.Connection | None = None
        self._pg: PgConnection | None = None
        if self.kind == "sqlite":
            self._sqlite = connect_sqlite(store.config)
        else:
            self._pg = connect_postgres(store.config)
        self._create_tables()
        dashboard = next(
            p for p in store.jejak.runner.projections if isinstance(p, ProgrammeDashboard)
        )
        self._sums = HandSums(
            self._execute,
            self._executemany,
            self._query,
            dashboard.count_rules,
            text_dates=self.kind == "sqlite",
        )

    # --- driver plumbing ----------------------------------------------------------------------

    def _sql(self, statement: str) -> str:
        # The statements are written with "?" placeholders; psycopg wants "%s".
        return statement if self.kind == "sqlite" else statement.replace("?", "%s")

    def _execute(self, statement: str, params: Row = ()) -> None:
        if self._sqlite is not None:
            self._sqlite.execute(self._sql(statement), params)
        else:
            assert self._pg is not None
            self._pg.execute(self._sql(statement), params)

    def _executemany(self, statement: str, rows: Sequence[Row]) -> None:
        if self._sqlite is not None:
            self._sqlite.executemany(self._sql(statement), rows)
        else:
            assert self._pg is not None
            with self._pg.cursor() as cursor:
                cursor.executemany(self._sql(statement), rows)

    def _query(self, statement: str, params: Row = ()) -> list[Row]:
        if self._sqlite is not None:
            return self._sqlite.execute(self._sql(statement), params).fetchall()
        assert self._pg is not None
        return self._pg.execute(self._sql(statement), params).fetchall()

    def _commit(self) -> None:
        if self._sqlite is not None:
            self._sqlite.commit()
        else:
            assert self._pg is not None
            self._pg.commit()

    def _create_tables(self) -> None:
        if self.kind == "sqlite":
            # The same shape as the library's SQLite events table (rowid = log position).
            statements = [
                f"CREATE TABLE {RAW_TABLE} (originator_id TEXT, originator_version INTEGER, "
                "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))",
                f"CREATE TABLE {RAW_POSITION} (name TEXT PRIMARY KEY, position INTEGER NOT NULL)",
            ]
            # Copies of the read models, their histories and the key table: their own DDL
            # (table and indexes) under the new name.
            copies = [(t.real, t.name) for t in (*TABLES, *HISTORY_TABLES, *SUM_TABLES)]
            for real, name in [*copies, (KEYS_TABLE, RAW_KEYS)]:
                for (ddl,) in self._query(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                    "ORDER BY type DESC",
                    (real,),
                ):
                    statements.append(str(ddl).replace(real, name))
        else:
            # The same shape as the library's PostgreSQL events table.
            statements = [
                f"CREATE TABLE {RAW_TABLE} (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))",
                f"CREATE UNIQUE INDEX {RAW_TABLE}_position ON {RAW_TABLE} (notification_id)",
                f"CREATE TABLE {RAW_POSITION} (name text PRIMARY KEY, position bigint NOT NULL)",
                *(
                    f"CREATE TABLE {t.name} (LIKE {t.real} INCLUDING ALL)"
                    for t in (*TABLES, *HISTORY_TABLES, *SUM_TABLES)
                ),
                f"CREATE TABLE {RAW_KEYS} (LIKE {KEYS_TABLE} INCLUDING ALL)",
            ]
        for statement in statements:
            self._execute(statement)
        self._execute(f"INSERT INTO {RAW_POSITION} (name, position) VALUES (?, ?)", ("raw", 0))
        self._commit()

    def close(self) -> None:
        """Release the connection (before the store is dropped)."""
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            self._pg.close()

    # --- rows -----------------------------------------------------------------------------------

    def make_rows(self, count: int, payload_bytes: int) -> list[Row]:
        """`count` event-shaped rows with fresh random keys and `payload_bytes` of state.

        Random hex keeps the payload incompressible text, like the JSON of sealed fields.
        """
        rows: list[Row] = []
        for _ in range(count):
            key = uuid.uuid4()
            state = os.urandom(payload_bytes // 2 + 1).hex().encode()[:payload_bytes]
            rows.append((str(key) if self.kind == "sqlite" else key, 1, RAW_TOPIC, state))
        return rows

    def make_key_rows(self, people: int) -> list[Row]:
        """Two rows of `vault_subject_keys` per person, as large as the vault's wrapped keys."""
        created_at = datetime.now(UTC)
        rows: list[Row] = []
        for _ in range(people):
            subject = str(uuid.uuid4())
            for purpose in KeyPurpose:
                wrapped = os.urandom(WRAPPED_KEY_BYTES)
                rows.append((subject, purpose.value, wrapped, created_at, None))
        return rows

    # --- baselines ------------------------------------------------------------------------------

    def insert_each_committed(self, rows: Sequence[Row]) -> float:
        """Seconds to INSERT the rows one by one, each in its own transaction with a COMMIT.

        This is the plain DB-API pattern (`execute` then `commit`; psycopg sends its own BEGIN
        first), i.e. what any hand-written service does per request. A single autocommit
        INSERT would be a little faster still, but it is not "a transaction per command".
        """
        statement = (
            f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )
        started = time.perf_counter()
        for row in rows:
            self._execute(statement, row)
            self._commit()
        return time.perf_counter() - started

    def insert_many_one_transaction(self, rows: Sequence[Row]) -> float:
        """Seconds to `executemany` all the rows in one transaction, COMMIT included."""
        statement = (
            f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )
        started = time.perf_counter()
        self._executemany(statement, rows)
        self._commit()
        return time.perf_counter() - started

    def insert_people(self, event_rows: Sequence[Row], key_rows: Sequence[Row]) -> float:
        """Seconds to `executemany` the key rows and the event rows in one transaction.

        The rows a roster import writes, without the work that makes them: every person's two
        key rows and her registration event.
        """
        started = time.perf_counter()
        self._executemany(
            f"INSERT INTO {RAW_KEYS} (subject_id, purpose, wrapped_key, created_at, erased_at) "
            "VALUES (?, ?, ?, ?, ?)",
            key_rows,
        )
        self._executemany(
            f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            event_rows,
        )
        self._commit()
        return time.perf_counter() - started

    def catch_up(
        self, store: FreshStore, batch_size: int, max_batches: int | None = None
    ) -> tuple[int, float]:
        """(events, seconds) to rebuild the read models' copies from the log.

        The plain loop the projection runner must compete with, doing the same read-model
        work: read a batch of notifications, decode each with the application's mapper, load
        the rows the batch touches with one SELECT per table, fold the events into them in
        plain Python (`bench.read_models.HandFold`), then upsert them with `executemany`
        (INSERT ... ON CONFLICT DO UPDATE), delete the worklist rows that closed, append one
        version per event that changed a row to each history with `executemany` and move a
        position row, one transaction per batch. The reset of the tables and histories is
        timed too, as `runner.reset` is on our side. `max_batches` stops early (for the
        warm-up).
        """
        app = store.jejak.app
        fold = HandFold(
            text_dates=self.kind == "sqlite", deadline_days=store.jejak.settings.deadline_days
        )
        started = time.perf_counter()
        for table in (*TABLES, *HISTORY_TABLES, *SUM_TABLES):
            self._execute(f"DELETE FROM {table.name}")
        self._execute(f"UPDATE {RAW_POSITION} SET position = 0 WHERE name = ?", ("raw",))
        self._commit()
        position = 0
        events = 0
        batches = 0
        while max_batches is None or batches < max_batches:
            notifications = app.recorder.select_notifications(
                position, limit=batch_size, inclusive_of_start=False
            )
            if not notifications:
                break
            decoded = [(n.id, app.mapper.to_domain_event(n)) for n in notifications]
            position = notifications[-1].id
            self._write_batch(fold, decoded, position)
            events += len(notifications)
            batches += 1
        return events, time.perf_counter() - started

    def rebuild_streamed(self, store: FreshStore, batch_size: int) -> tuple[int, float]:
        """(events, seconds) to rebuild the read models' copies from the whole log, reading
        the event rows with the plain driver.

        The rebuild benchmark's baseline: one cursor streams every stored event in log order
        (server-side on PostgreSQL), each row is decoded with the application's mapper, and
        every `batch_size` events are folded by hand and bulk-written as in `catch_up`.
        """
        app = store.jejak.app
        fold = HandFold(
            text_dates=self.kind == "sqlite", deadline_days=store.jejak.settings.deadline_days
        )
        started = time.perf_counter()
        for table in (*TABLES, *HISTORY_TABLES, *SUM_TABLES):
            self._execute(f"DELETE FROM {table.name}")
        self._commit()
        events = 0
        pending: list[tuple[int, Any]] = []
        for position, originator, version, topic, state in stream_events(store):
            stored = StoredEvent(
                originator_id=originator
                if isinstance(originator, uuid.UUID)
                else uuid.UUID(originator),
                originator_version=version,
                topic=topic,
                state=bytes(state),
            )
            pending.append((position, app.mapper.to_domain_event(stored)))
            if len(pending) == batch_size:
                self._write_batch(fold, pending, position)
                events += len(pending)
                pending = []
        if pending:
            self._write_batch(fold, pending, pending[-1][0])
            events += len(pending)
        return events, time.perf_counter() - started

    def _write_batch(self, fold: HandFold, decoded: Sequence[tuple[int, Any]], end: int) -> None:
        """Fold one batch by hand and write it: upserts, closed worklist rows, the versions
        each history gains, the position."""
        writes = fold.fold(decoded, self._load_rows)
        for table, rows in writes.upserts.items():
            if rows:
                self._executemany(self._upsert_sql(table), _tuples(table, rows))
        if writes.deletes:
            self._executemany(
                f"DELETE FROM {WORKLIST.name} WHERE {WORKLIST.key} = ?",
                [(key,) for key in writes.deletes],
            )
        for history, versions in writes.versions.items():
            if versions:
                self._executemany(self._insert_sql(history), versions)
        self._sums.write(writes.moves, end)
        self._execute(f"UPDATE {RAW_POSITION} SET position = ? WHERE name = ?", (end, "raw"))
        self._commit()

    def _load_rows(self, table: BaselineTable, keys: Sequence[str]) -> dict[str, ModelRow]:
        """The stored rows of `table` for `keys`, by key: one SELECT (per 500 keys on SQLite)."""
        columns = table.columns
        at = columns.index(table.key)
        select = f"SELECT {', '.join(columns)} FROM {table.name} WHERE {table.key}"
        found: list[Row] = []
        if not keys:
            return {}
        if self._pg is not None:
            found = self._query(f"{select} = ANY(?)", (list(keys),))
        else:
            for start in range(0, len(keys), 500):
                chunk = tuple(keys[start : start + 500])
                found += self._query(f"{select} IN ({', '.join('?' * len(chunk))})", chunk)
        return {row[at]: dict(zip(columns, row, strict=True)) for row in found}

    @staticmethod
    def _insert_sql(table: BaselineTable) -> str:
        columns = table.columns
        return (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )

    def _upsert_sql(self, table: BaselineTable) -> str:
        updates = ", ".join(f"{c} = excluded.{c}" for c in table.columns if c != table.key)
        return f"{self._insert_sql(table)} ON CONFLICT ({table.key}) DO UPDATE SET {updates}"

    def read_model_mismatches(self) -> list[str]:
        """How the baseline's copies differ from the projections' tables (empty: identical).

        Row counts first, then every row and column, both read in key order on this
        connection; run after both sides have caught up, untimed.
        """
        problems: list[str] = []
        for table in (*TABLES, *HISTORY_TABLES, *SUM_TABLES):
            columns = ", ".join(table.columns)
            real = self._query(f"SELECT {columns} FROM {table.real} ORDER BY {table.order}")
            ours = self._query(f"SELECT {columns} FROM {table.name} ORDER BY {table.order}")
            if len(real) != len(ours):
                problems.append(f"{table.real}: {len(real)} rows, baseline {len(ours)}")
                continue
            for a, b in zip(real, ours, strict=True):
                if tuple(a) != tuple(b):
                    problems.append(f"{table.real}: row {tuple(a)!r} != baseline {tuple(b)!r}")
                    break
        self._commit()  # end the read transaction
        return problems

    def read_model_rows(self) -> dict[str, int]:
        """Rows in each of the baseline's read-model copies, histories included."""
        counts: dict[str, int] = {}
        for table in (*TABLES, *HISTORY_TABLES, *SUM_TABLES):
            (found,) = self._query(f"SELECT count(*) FROM {table.name}")
            counts[table.real] = int(found[0])
        self._commit()
        return counts

    def settings(self) -> dict[str, str]:
        """The durability settings both sides run with, for the report."""
        if self._sqlite is not None:
            journal = self._sqlite.execute("PRAGMA journal_mode").fetchone()
            synchronous = self._sqlite.execute("PRAGMA synchronous").fetchone()
            levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
            return {
                "sqlite_version": sqlite3.sqlite_version,
                "journal_mode": str(journal[0]) if journal else "?",
                "synchronous": levels.get(int(synchronous[0]), "?") if synchronous else "?",
            }
        assert self._pg is not None
        values: dict[str, str] = {}
        for name in (
            "server_version",
            "synchronous_commit",
            "fsync",
            "wal_sync_method",
            "shared_buffers",
        ):
            found = self._pg.execute(f"SHOW {name}").fetchone()
            values[name] = str(found[0]) if found else "?"
        self._pg.rollback()
        return values


def stream_events(store: FreshStore, page: int = 5000) -> Iterator[Row]:
    """(position, originator id, version, topic, state) of every stored event, in log order,
    read with the plain driver on a connection of its own."""
    table = store.jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
    position = "rowid" if store.target.kind == "sqlite" else "notification_id"
    statement = (
        f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
        f"ORDER BY {position}"
    )
    if store.target.kind == "sqlite":
        connection = connect_sqlite(store.config)
        try:
            yield from connection.execute(statement)
        finally:
            connection.close()
        return
    with connect_postgres(store.config) as pg, pg.cursor(name="rebuild") as cursor:
        cursor.itersize = page
        cursor.execute(statement)
        yield from cursor


def _tuples(table: BaselineTable, rows: Sequence[ModelRow]) -> list[Row]:
    pick = itemgetter(*table.columns)
    return [pick(row) for row in rows]
