"""published_reports: which reports were sent out of the programme, for which periods, and at
which version, hash and log position? (The figures themselves stay in the events.)"""

from __future__ import annotations

import json
from collections.abc import Hashable

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table, Text

from domain.published_report import PublishedReport
from domain.report_lifecycles import REPORT_LIFECYCLE
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

published_reports = Table(
    "published_reports",
    metadata,
    # One row per report kind and period sent out (PublishedReport): its latest version.
    Column("report_id", String(36), primary_key=True),
    Column("report_kind", String(32), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False, index=True),
    # The log position the latest version's figures were computed at ("as known at").
    Column("log_position", BigInteger, nullable=False),
    Column("first_published_on", Date, nullable=False),
    Column("published_on", Date, nullable=False),
    Column("addressee", String(200), nullable=False),
    # The covering letter of the latest version: the report's reference.
    Column("document_kind", String(200)),
    Column("document_number", String(200)),
    Column("document_issued_on", Date),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_org_unit", String(200), nullable=False),
    Column("reason", Text),
    # JSON list, oldest first: each version's number, hash, position computed at, date,
    # letter number and the position of the event that published it.
    Column("versions", Text, nullable=False),
    *provenance_columns(),
    Index("ix_published_reports_kind_period", "report_kind", "period_start", "period_end"),
)
"""Every report sent out of the programme, at its latest version (ADR 0021)."""

REPORT_EVENTS = frozenset(t.event for t in REPORT_LIFECYCLE.transitions)
PUBLICATIONS = (PublishedReport.ReportPublished, PublishedReport.ReportRepublished)


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
        assert isinstance(e, PUBLICATIONS), "each report event publishes a version"
        if isinstance(e, PublishedReport.ReportPublished):
            row = {
                "report_id": str(e.originator_id),
                "report_kind": e.report_kind,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "first_published_on": e.occurred_on,
                "versions": "[]",
            }
        elif row is None:
            return None  # republished before the first version was dated: none yet at that cut
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
