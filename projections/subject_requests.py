"""subject_requests: which requests of data subjects were received, how was the requester
checked, and how was each answered?

No personal data: the case is linked by its id, and the texts were refused at the door if they
held any (ADR 0041). The request's clock lives in `privacy_clocks`.
"""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, Text

from domain.privacy.request_lifecycle import SUBJECT_REQUEST_LIFECYCLE
from domain.privacy.subject_request import SubjectRequest
from projections.base import PositionedEvent, Row, RowProjection
from projections.privacy_clocks import as_stored_utc
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

subject_requests = Table(
    "subject_requests",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("requester", String(16), nullable=False),
    Column("verification_method", String(32), nullable=False),
    Column("verification_result", String(16), nullable=False),
    Column("beneficiary_id", String(36), index=True),
    Column("summary", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("recorded_on", Date, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("answered_on", Date),
    Column("answered_by", String(64)),
    Column("done", Text),
    Column("erasure_reference", String(200)),
    Column("refusal_reason", String(40)),
    Column("explanation", Text),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)
"""The register of data subjects' requests and their answers."""

REQUEST_EVENTS = frozenset(t.event for t in SUBJECT_REQUEST_LIFECYCLE.transitions)


class SubjectRequests(RowProjection):
    """One row per request, folded from its events."""

    name = "subject_requests"
    table = subject_requests
    tables = (subject_requests,)
    key_column = "request_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        if event.name in REQUEST_EVENTS and isinstance(event.event, SubjectRequest.Event):
            return str(event.event.originator_id)
        return None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, SubjectRequest.SubjectRequestRecorded):
            row = {
                "request_id": str(e.originator_id),
                "number": e.number,
                "kind": e.kind,
                "channel": e.channel,
                "requester": e.requester,
                "verification_method": e.verification_method,
                "verification_result": e.verification_result,
                "beneficiary_id": str(e.beneficiary_id) if e.beneficiary_id else None,
                "summary": e.summary,
                "received_at": as_stored_utc(e.received_at),
                "recorded_on": e.occurred_on,
                "recorded_by": e.actor.user_id,
                "state": None,
                "answered_on": None,
                "answered_by": None,
                "done": None,
                "erasure_reference": None,
                "refusal_reason": None,
                "explanation": None,
            }
        elif row is None:
            return None
        else:
            row = dict(row)
        row["state"] = SUBJECT_REQUEST_LIFECYCLE.folded_target(event.name, row.get("state"))
        match e:
            case SubjectRequest.RequesterVerified():
                row["verification_method"] = e.verification_method
                row["verification_result"] = e.verification_result
                row["beneficiary_id"] = str(e.beneficiary_id) if e.beneficiary_id else None
            case SubjectRequest.SubjectRequestGranted():
                row["answered_on"] = e.occurred_on
                row["answered_by"] = e.actor.user_id
                row["done"] = e.done
                row["erasure_reference"] = e.erasure_reference
            case SubjectRequest.SubjectRequestRefused():
                row["answered_on"] = e.occurred_on
                row["answered_by"] = e.actor.user_id
                row["refusal_reason"] = e.refusal_reason
                row["explanation"] = e.explanation
        row["version"] = e.originator_version
        return stamp(row, event)
