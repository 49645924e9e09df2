"""Alembic environment: migrates the read models and the service's own tables.

The event store's tables belong to the eventsourcing library, which creates them itself.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from service.store.schema_all import target_metadata

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
