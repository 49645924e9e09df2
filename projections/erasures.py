"""erasures: which erasure requests await a decision, which were carried out and which refused;
whose identity minimum is restricted, and until when it is kept (ADR 0055).

Holds no personal data: she is named by her case's id and number, the texts are reasons kept in
clear on the events, and what was deleted or kept is named by field, never by value.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import UTC

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, Text

from domain.privacy.erasure import ERASURE_LIFECYCLE, Erasure
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

erasures = Table(
    "erasures",
    metadata,
    # One row per erasure request: her letter, who recorded it, the decision and what it did.
    Column("erasure_id", String(36), primary_key=True),
    Column("beneficiary_id", String(36), nullable=False, index=True),
    Column("case_number", String(20), nullable=False, index=True),
    Column("state", String(32), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("request_kind", String(64), nullable=False),
    Column("request_number", String(100), nullable=False),
    Column("request_issued_on", Date, nullable=False),
    Column("request_reason", Text),
    Column("decided_on", Date),
    Column("decided_by", String(64)),
    Column("decision_reason", Text),
    # The supervisor's decision memo (nota dinas) that her notice cites.
    Column("decision_number", String(100)),
    Column("decision_issued_on", Date),
    # JSON lists of field names: what destroying her case-file key made unreadable, and the
    # identity minimum kept, restricted, as payment evidence.
    Column("deleted_fields", Text),
    Column("kept_fields", Text),
    Column("last_paid_on", Date),
    Column("keep_until", Date, index=True),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)
"""Every erasure request and its decision."""

ERASURE_EVENTS = ERASURE_LIFECYCLE.event_names


class Erasures(RowProjection):
    """One row per request, folded from its events."""

    name = "erasures"
    table = erasures
    tables = (erasures,)
    key_column = "erasure_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in ERASURE_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, Erasure.ErasureRequested):
            assert e.document is not None
            row = {
                "erasure_id": str(e.originator_id),
                "beneficiary_id": str(e.beneficiary_id),
                "case_number": e.case_number,
                "state": None,
                # In UTC: SQLite keeps no offset, and a moment must read back the same.
                "received_at": e.received_at.astimezone(UTC),
                "requested_on": e.occurred_on,
                "requested_by": e.actor.user_id,
                "request_kind": e.document.kind,
                "request_number": e.document.number,
                "request_issued_on": e.document.issued_on,
                "request_reason": e.reason,
                "decided_on": None,
                "decided_by": None,
                "decision_reason": None,
                "decision_number": None,
                "decision_issued_on": None,
                "deleted_fields": None,
                "kept_fields": None,
                "last_paid_on": None,
                "keep_until": None,
            }
        elif row is None:
            return None  # a decision dated before the request: none yet at that cut
        else:
            row = dict(row)
            row["decided_on"] = e.occurred_on
            row["decided_by"] = e.actor.user_id
            row["decision_reason"] = e.reason
            # Decisions recorded before memos were required carry none.
            row["decision_number"] = e.document.number if e.document else None
            row["decision_issued_on"] = e.document.issued_on if e.document else None
        if isinstance(e, Erasure.CaseFileErased):
            row["deleted_fields"] = json.dumps(list(e.deleted_fields))
            row["kept_fields"] = json.dumps(list(e.kept_fields))
            row["last_paid_on"] = e.last_paid_on
            row["keep_until"] = e.keep_until
        row["state"] = ERASURE_LIFECYCLE.folded_target(event.name, row.get("state"))
        row["version"] = e.originator_version
        return stamp(row, event)
