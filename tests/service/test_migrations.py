"""The Alembic migrations create exactly the tables the code declares."""

from __future__ import annotations

from typing import Any, cast

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.migrate import upgrade
from service.schema_all import target_metadata
from service.system import Jejak


def test_migrations_match_the_declared_tables(jejak: Jejak) -> None:
    upgrade(jejak.engine)  # a second run must be a no-op
    with jejak.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        # Alembic accepts a list of MetaData here, as in env.py; its stubs say one.
        differences = compare_metadata(context, cast(Any, target_metadata))
    relevant = [d for d in differences if not _belongs_to_the_event_store(d)]
    assert relevant == [], (
        "tables and migrations differ; add a migration under service/migrations/versions"
    )


LIBRARY_TABLES = {"stored_events", "programme_events", "sqlite_sequence"}


def _belongs_to_the_event_store(difference: object) -> bool:
    # The eventsourcing library creates and owns its tables; Alembic does not manage them.
    if not isinstance(difference, tuple):
        return False
    kind, thing = difference[0], difference[1]
    if kind == "remove_table":
        return thing.name in LIBRARY_TABLES
    if kind == "remove_index":
        return thing.table.name in LIBRARY_TABLES
    return False
