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
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

# From this many events on, one save uses binary parameters instead of one query text.
BATCH_THRESHOLD = 20
# The pool retries a lost connection in the background with a doubling delay; left at its five
# minutes, the delay grows so long that the store, back after half a minute's outage, went
# unused for as long again. Giving up sooner lets the next request open a connection at once.
RECONNECT_TIMEOUT_SECONDS = 10.0


class OneTripPostgresRecorder(PostgresApplicationRecorder):
    """Inserts events in one round trip: lock, NOTIFY and INSERT ... RETURNING as one query."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.datastore.pool.reconnect_timeout = RECONNECT_TIMEOUT_SECONDS
        table = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        # Rendered per number of events (1 to BATCH_THRESHOLD - 1) on first use.
        self._table = table
        self._one_trip_texts: dict[int, str] = {}
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
        if len(stored_events) >= BATCH_THRESHOLD:
            return self._insert_batch(stored_events)
        params = [
            value
            for e in stored_events
            for value in (e.originator_id, e.originator_version, e.topic, e.state)
        ]
        with self.datastore.get_connection() as conn:
            text = self._one_trip_texts.get(len(stored_events))
            if text is None:
                text = self._one_trip_query(len(stored_events)).as_string(conn)
                self._one_trip_texts[len(stored_events)] = text
            # Several statements in one query need client-side parameter binding. Plain tuple
            # rows: a result row maker is set up for every statement's result.
            cursor = psycopg.ClientCursor(conn, row_factory=tuple_row)
            try:
                cursor.execute(text, params)
            except psycopg.Error:
                # The failed statement leaves the transaction open and aborted; end it so the
                # pooled connection goes back clean. The error itself is re-raised and mapped
                # by the library's connection context (a duplicate becomes IntegrityError).
                conn.execute("ROLLBACK")
                raise
            return _returned_ids(cursor, len(stored_events))

    def _one_trip_query(self, count: int) -> Composed:
        # Plain VALUES rows: quoting one bytea literal per event is far cheaper than quoting
        # the same values inside array literals for unnest.
        rows = SQL(", ").join([SQL("(%s, %s, %s, %s)")] * count)
        # No BEGIN or COMMIT: the statements of one simple query run as one implicit
        # transaction, committed after the last and rolled back as a whole on any error.
        return SQL("; ").join(
            [
                *self.lock_table_statements,
                SQL("NOTIFY {0}").format(Identifier(self.channel_name)),
                SQL(
                    "INSERT INTO {0} (originator_id, originator_version, topic, state) "
                    "VALUES {1} RETURNING notification_id"
                ).format(self._table, rows),
            ]
        )

    def _insert_batch(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        # Large batches: quoting thousands of states into one query text costs more than the
        # few extra round trips of an ordinary transaction with binary parameters.
        with self.datastore.get_connection() as conn, conn.transaction():
            for statement in self.lock_table_statements:
                conn.execute(statement)
            conn.execute(SQL("NOTIFY {0}").format(Identifier(self.channel_name)))
            inserted = conn.execute(self._batch_insert, params)
            return _checked([row["notification_id"] for row in inserted], len(stored_events))


def _checked(ids: list[int], expected: int) -> list[int]:
    if len(ids) != expected:
        raise psycopg.ProgrammingError(f"got {len(ids)} ids for {expected} events")
    return ids


def _returned_ids(cursor: psycopg.ClientCursor[tuple[Any, ...]], expected: int) -> list[int]:
    # Results arrive one per statement, and the INSERT is the last statement.
    while cursor.nextset():
        pass
    if not (cursor.statusmessage or "").startswith("INSERT"):
        raise psycopg.ProgrammingError("the INSERT returned no notification ids")
    return _checked([row[0] for row in cursor.fetchall()], expected)
