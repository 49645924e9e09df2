"""The PostgreSQL event recorder with the library's guarantees in one round trip.

The library's recorder sends SET LOCAL lock_timeout, LOCK TABLE ... IN EXCLUSIVE MODE, NOTIFY and
the INSERT in a pipeline with two synchronisation points, and builds an array of composite
values in Python. This subclass keeps the same table, the same lock (commit order equals
notification order), the same NOTIFY channel and the same errors, but sends the whole
transaction as one simple query and passes the columns as plain arrays to `unnest`. ADR 0009
records the measurements that motivated it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

# From this many events on, one save uses binary parameters instead of one query text.
BATCH_THRESHOLD = 20


class OneTripPostgresRecorder(PostgresApplicationRecorder):
    """Inserts events in one round trip: BEGIN; lock; NOTIFY; INSERT ... RETURNING; COMMIT."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        self._one_trip: Composed = SQL("; ").join(
            [
                SQL("BEGIN"),
                *self.lock_table_statements,
                SQL("NOTIFY {0}").format(Identifier(self.channel_name)),
                SQL(
                    "INSERT INTO {0} (originator_id, originator_version, topic, state) "
                    "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
                    "RETURNING notification_id"
                ).format(table),
                SQL("COMMIT"),
            ]
        )
        self._one_trip_text: str | None = None
        self._batch_insert = SQL(
            "INSERT INTO {0} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(table)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return None
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        if len(stored_events) >= BATCH_THRESHOLD:
            return self._insert_batch(stored_events, params)
        with self.datastore.get_connection() as conn:
            if self._one_trip_text is None:
                # Rendered once: identifiers never change, and composing costs per call.
                self._one_trip_text = self._one_trip.as_string(conn)
            # Several statements in one query need client-side parameter binding.
            cursor = psycopg.ClientCursor(conn)
            try:
                cursor.execute(self._one_trip_text, params)
            except psycopg.Error:
                # The failed statement leaves the transaction open and aborted; end it so the
                # pooled connection goes back clean. The error itself is re-raised and mapped
                # by the library's connection context (a duplicate becomes IntegrityError).
                conn.execute("ROLLBACK")
                raise
            return _returned_ids(cursor, len(stored_events))

    def _insert_batch(
        self, stored_events: Sequence[StoredEvent], params: tuple[list[Any], ...]
    ) -> list[int]:
        # Large batches: quoting thousands of states into one query text costs more than the
        # few extra round trips of an ordinary transaction with binary parameters.
        with self.datastore.get_connection() as conn, conn.transaction():
            for statement in self.lock_table_statements:
                conn.execute(statement)
            conn.execute(SQL("NOTIFY {0}").format(Identifier(self.channel_name)))
            inserted = conn.execute(self._batch_insert, params)
            return _ids(inserted.fetchall(), len(stored_events))


def _ids(rows: Sequence[Any], expected: int) -> list[int]:
    ids = [row["notification_id"] for row in rows]
    if len(ids) != expected:
        raise psycopg.ProgrammingError(f"got {len(ids)} ids for {expected} events")
    return ids


def _returned_ids(cursor: psycopg.ClientCursor[Any], expected: int) -> list[int]:
    # Results arrive one per statement; the INSERT's is the one that returned rows.
    while True:
        status = cursor.statusmessage or ""
        if status.startswith("INSERT"):
            return _ids(cursor.fetchall(), expected)
        if not cursor.nextset():
            raise psycopg.ProgrammingError("the INSERT returned no notification ids")
