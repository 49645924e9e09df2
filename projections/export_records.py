"""export_records: who was handed which export, with which filters, and which bytes?"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, Connection, Date, DateTime, String, Table, Text

from domain.export_record import ExportRecord
from projections.base import PositionedEvent, Projection, Row
from projections.schema import metadata

export_records = Table(
    "export_records",
    metadata,
    # One row per export handed out: who took which bytes (ExportMade events).
    Column("export_id", String(36), primary_key=True),
    Column("export_name", String(100), nullable=False, index=True),
    Column("export_format", String(16), nullable=False),
    # JSON object of the filters, as text.
    Column("filters", Text, nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("content_sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("actor_id", String(64), nullable=False, index=True),
    Column("actor_role", String(16), nullable=False),
    Column("actor_org_unit", String(200), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""Every export handed out, newest last."""


class ExportRecords(Projection):
    """Append-only: an export record never changes."""

    name = "export_records"
    records = export_records
    tables = (export_records,)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        rows = [export_row(e) for e in events if isinstance(e.event, ExportRecord.ExportMade)]
        if rows:
            conn.execute(self.records.insert(), rows)


def export_row(event: PositionedEvent) -> Row:
    """The row of one ExportMade event (pure)."""
    e = event.event
    assert isinstance(e, ExportRecord.ExportMade)
    return {
        "export_id": str(e.originator_id),
        "export_name": e.export_name,
        "export_format": e.export_format,
        "filters": json.dumps(e.filters, sort_keys=True),
        "row_count": e.rows,
        "content_sha256": e.content_sha256,
        "size": e.size,
        "actor_id": e.actor.user_id,
        "actor_role": str(e.actor.role),
        "actor_org_unit": e.actor.org_unit,
        "occurred_on": e.occurred_on,
        "recorded_at": event.recorded_at,
        "position": event.position,
    }
