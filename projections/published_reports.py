"""published_reports: which reports were sent out of the programme, for which periods, and at
which version, hash and log position? (The figures themselves stay in the events.)"""

from __future__ import annotations

import json
from collections.abc import Hashable

from domain.report_lifecycles import REPORT_LIFECYCLE
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.tables import published_reports

REPORT_EVENTS = frozenset(t.event for t in REPORT_LIFECYCLE.transitions)


class PublishedReports(RowProjection):
    """One row per report, folded from its publications."""

    name = "published_reports"
    table = published_reports
    tables = (published_reports,)
    key_column = "report_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in REPORT_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if row is None:
            row = {
                "report_id": str(e.originator_id),
                "report_kind": e.report_kind,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "first_published_on": e.occurred_on,
                "versions": "[]",
            }
        else:
            row = dict(row)
        document = e.document
        versions = json.loads(row["versions"])
        versions.append(
            {
                "version": e.originator_version,
                "content_sha256": e.content_sha256,
                "log_position": e.log_position,
                "published_on": e.occurred_on.isoformat(),
                "document_number": document.number if document else None,
                "event_position": event.position,
            }
        )
        row |= {
            "version": e.originator_version,
            "content_sha256": e.content_sha256,
            "log_position": e.log_position,
            "published_on": e.occurred_on,
            "addressee": e.addressee,
            "document_kind": document.kind if document else None,
            "document_number": document.number if document else None,
            "document_issued_on": document.issued_on if document else None,
            "actor_id": e.actor.user_id,
            "actor_role": str(e.actor.role),
            "actor_org_unit": e.actor.org_unit,
            "reason": e.reason,
            "versions": json.dumps(versions),
        }
        return stamp(row, event)
