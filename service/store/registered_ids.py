"""Which of many aggregate ids the event store already holds, in a few queries.

A roster is checked against the store before anything of it is written (ADR 0029); asking the
library's recorder one id at a time would cost a round trip per person of a 10,000-line file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Recorder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier

# Ids per query: far below SQLite's limit on parameters.
IDS_PER_QUERY = 500


def registered_among(recorder: Recorder, ids: Sequence[UUID]) -> set[UUID]:
    """The ids in `ids` that have a first event in the store."""
    found: set[UUID] = set()
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        if isinstance(recorder, PostgresAggregateRecorder):
            found |= _on_postgres(recorder, chunk)
        elif isinstance(recorder, SQLiteAggregateRecorder):
            found |= _on_sqlite(recorder, chunk)
        else:
            raise TypeError(f"Jejak stores events in SQLite or PostgreSQL, not {recorder!r}")
    return found


def _on_postgres(recorder: PostgresAggregateRecorder, ids: Sequence[UUID]) -> set[UUID]:
    statement = SQL(
        "SELECT originator_id FROM {}.{} WHERE originator_version = 1 AND originator_id = ANY(%s)"
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(statement, [list(ids)])
        return {_as_uuid(row["originator_id"]) for row in cursor.fetchall()}


def _on_sqlite(recorder: SQLiteAggregateRecorder, ids: Sequence[UUID]) -> set[UUID]:
    # The library stores SQLite originator ids as the UUID's hex digits.
    marks = ", ".join("?" * len(ids))
    statement = (
        # The table name is the library's own, never input.
        f"SELECT originator_id FROM {recorder.events_table_name} "  # noqa: S608
        f"WHERE originator_version = 1 AND originator_id IN ({marks})"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [i.hex for i in ids])
        return {_as_uuid(row["originator_id"]) for row in cursor.fetchall()}


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
