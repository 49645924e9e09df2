"""export_records: who was handed which export, with which filters, and which bytes?"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from projections.base import PositionedEvent, Projection, Row
from projections.tables import export_records


class ExportRecords(Projection):
    """Append-only: an export record never changes."""

    name = "export_records"
    records = export_records
    tables = (export_records,)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        rows = [export_row(e) for e in events if e.name == "ExportMade"]
        if rows:
            conn.execute(self.records.insert(), rows)


def export_row(event: PositionedEvent) -> Row:
    """The row of one ExportMade event (pure)."""
    e = event.event
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
