"""The Alembic migrations create exactly the tables the code declares."""

from __future__ import annotations

from typing import Any, cast

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.commands.application import ProgrammeApplication
from service.store.db import APPLICATION_NAME
from service.store.migrate import upgrade
from service.store.schema_all import target_metadata
from service.system import Jejak


def test_migrations_match_the_declared_tables(jejak: Jejak) -> None:
    upgrade(jejak.engine)  # a second run must be a no-op
    with jejak.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        # Alembic accepts a list of MetaData here, as in env.py; its stubs say one.
        differences = compare_metadata(context, cast(Any, target_metadata))
    relevant = [d for d in differences if not _not_ours_to_migrate(d)]
    assert relevant == [], (
        "tables and migrations differ; add a migration under service/store/migrations/versions"
    )


LIBRARY_TABLES = {"stored_events", "programme_events", "sqlite_sequence"}
# Side-by-side rebuilds create and keep these at runtime (projections/side_by_side.py).
RUNTIME_SUFFIXES = ("__rebuild", "__previous")


def _unmanaged(table_name: str) -> bool:
    return table_name in LIBRARY_TABLES or table_name.endswith(RUNTIME_SUFFIXES)


def _not_ours_to_migrate(difference: object) -> bool:
    # The eventsourcing library creates and owns its tables, and rebuilds keep their shadow
    # and previous versions; Alembic manages none of them.
    if not isinstance(difference, tuple):
        return False
    kind, thing = difference[0], difference[1]
    if kind == "remove_table":
        return _unmanaged(thing.name)
    if kind == "remove_index":
        return _unmanaged(thing.table.name)
    return False


def test_the_application_keeps_its_pinned_name_so_its_event_tables_keep_theirs() -> None:
    # The library names every Application subclass after itself unless the class says
    # otherwise, and the PostgreSQL tables and NOTIFY channel derive from that name.
    assert ProgrammeApplication.name == APPLICATION_NAME == "programme"
