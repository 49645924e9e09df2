"""Raw baselines: what the same store does for the same work without the application on top.

Each baseline uses the plain driver (`sqlite3` or psycopg) on its own connection to the store
under test, so the ratio `ours / baseline` measures the application's overhead and not the
disk, the server or the machine. The raw rows mirror the event store's table (a UUID key, a
version, a topic, a state blob and the log position) and carry payloads as large as the
scenario's own events.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Sequence
from typing import Any

from bench.stores import FreshStore, PgConnection, connect_postgres, connect_sqlite

RAW_TABLE = "bench_raw_rows"
RAW_STATUS = "bench_raw_status"
RAW_POSITION = "bench_raw_position"
RAW_TOPIC = "bench.raw:Row"

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
                f"CREATE TABLE {RAW_STATUS} (aggregate_id TEXT PRIMARY KEY, state TEXT NOT NULL, "
                "version INTEGER NOT NULL, last_position INTEGER NOT NULL)",
                f"CREATE TABLE {RAW_POSITION} (name TEXT PRIMARY KEY, position INTEGER NOT NULL)",
            ]
        else:
            # The same shape as the library's PostgreSQL events table.
            statements = [
                f"CREATE TABLE {RAW_TABLE} (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))",
                f"CREATE UNIQUE INDEX {RAW_TABLE}_position ON {RAW_TABLE} (notification_id)",
                f"CREATE TABLE {RAW_STATUS} (aggregate_id text PRIMARY KEY, state text NOT NULL, "
                "version integer NOT NULL, last_position bigint NOT NULL)",
                f"CREATE TABLE {RAW_POSITION} (name text PRIMARY KEY, position bigint NOT NULL)",
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

    def catch_up(
        self, store: FreshStore, batch_size: int, max_batches: int | None = None
    ) -> tuple[int, float]:
        """(events, seconds) to rebuild a one-row-per-aggregate status table from the log.

        The plain loop the projection runner must compete with: read a batch of notifications,
        decode each with the application's mapper, fold them to one row per aggregate in
        memory, upsert those rows and move a position row, one transaction per batch. The
        reset of the table is timed too, as `runner.reset` is on our side. `max_batches`
        stops early (for the warm-up).
        """
        app = store.jejak.app
        upsert = (
            f"INSERT INTO {RAW_STATUS} (aggregate_id, state, version, last_position) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (aggregate_id) DO UPDATE SET "
            "state = excluded.state, version = excluded.version, "
            "last_position = excluded.last_position"
        )
        started = time.perf_counter()
        self._execute(f"DELETE FROM {RAW_STATUS}")
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
            latest: dict[str, Row] = {}
            for notification in notifications:
                event = app.mapper.to_domain_event(notification)
                key = str(event.originator_id)
                latest[key] = (
                    key,
                    type(event).__name__,
                    event.originator_version,
                    notification.id,
                )
            position = notifications[-1].id
            events += len(notifications)
            self._executemany(upsert, list(latest.values()))
            self._execute(
                f"UPDATE {RAW_POSITION} SET position = ? WHERE name = ?", (position, "raw")
            )
            self._commit()
            batches += 1
        return events, time.perf_counter() - started

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
