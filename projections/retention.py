"""Retention read models: which period is in force per category, which legal holds are in
force, which destructions were proposed and carried out, and when each person's case ended.

The question they answer together is "what is due for destruction, and what holds it back?"
(`service.queries.retention`). Her last payment is read from payment_ledger, which already
keeps every money movement with its business date; the end of her case is folded here.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from uuid import UUID

from sqlalchemy import Column, Date, Integer, String, Table, Text

from domain.beneficiary import Beneficiary
from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.privacy.destruction import Destruction, DestructionItem, WithheldItem
from domain.privacy.legal_hold import LegalHold
from domain.privacy.retention import RetentionPolicy
from domain.recording import DocumentRef
from projections.base import PositionedEvent, Row, RowProjection
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

retention_policies = Table(
    "retention_policies",
    metadata,
    # One row per category whose period the programme set; a category without a row keeps
    # its default (domain.privacy.categories).
    Column("policy_id", String(36), primary_key=True),
    Column("category", String(32), nullable=False, unique=True),
    Column("years", Integer, nullable=False),
    Column("counted_from", String(32), nullable=False),
    Column("set_on", Date, nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_by_role", String(16), nullable=False),
    Column("document_kind", String(64)),
    Column("document_number", String(200)),
    Column("document_issuer", String(200)),
    Column("reason", Text),
    Column("changes", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)
"""The retention period in force per category, as last set."""

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("hold_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    # JSON list of the ids of the people it holds.
    Column("beneficiary_ids", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("placed_on", Date, nullable=False),
    Column("placed_by", String(64), nullable=False),
    Column("document_kind", String(64)),
    Column("document_number", String(200)),
    Column("document_issuer", String(200)),
    Column("reason", Text),
    Column("lifted_on", Date),
    Column("lifted_by", String(64)),
    Column("lift_document_number", String(200)),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)
"""Every legal hold (investigation, litigation), in force or lifted."""

destructions = Table(
    "destructions",
    metadata,
    Column("destruction_id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("state", String(16), nullable=False, index=True),
    Column("proposed_on", Date, nullable=False),
    Column("proposed_by", String(64), nullable=False),
    Column("proposed_by_role", String(16), nullable=False),
    Column("proposal_reason", Text),
    # JSON lists of {beneficiary_id, case_number, category, ends_on[, reasons]}.
    Column("items", Text, nullable=False),
    Column("withheld", Text, nullable=False),
    Column("destroyed", Text, nullable=False),
    Column("decided_on", Date),
    Column("decided_by", String(64)),
    Column("decision_reason", Text),
    Column("carried_out_on", Date),
    Column("berita_acara_number", String(200)),
    Column("berita_acara_sha256", String(64)),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)
"""Every destruction: proposed, approved or rejected, carried out."""

retention_subjects = Table(
    "retention_subjects",
    metadata,
    # One row per person: her case and the day it ended, from which retention counts.
    Column("beneficiary_id", String(36), primary_key=True),
    Column("case_number", String(20), nullable=False, index=True),
    Column("site_id", String(36), nullable=False),
    Column("state", String(32), nullable=False),
    Column("case_ended_on", Date, index=True),
    *provenance_columns(),
)
"""Each person's case and when it ended."""

POLICY_EVENTS = RetentionPolicy.lifecycle.event_names
HOLD_EVENTS = LegalHold.lifecycle.event_names
DESTRUCTION_EVENTS = Destruction.lifecycle.event_names
BENEFICIARY_EVENTS = BENEFICIARY_LIFECYCLE.event_names


def _document(row: Row, prefix: str, document: DocumentRef | None) -> None:
    row[f"{prefix}_kind"] = document.kind if document else None
    row[f"{prefix}_number"] = document.number if document else None
    row[f"{prefix}_issuer"] = document.issuer if document else None


class RetentionPolicies(RowProjection):
    """One row per category with a period set."""

    name = "retention_policies"
    table = retention_policies
    tables = (retention_policies,)
    key_column = "policy_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in POLICY_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, RetentionPolicy.RetentionPeriodSet):
            row = {"category": e.category, "policy_id": str(e.originator_id), "changes": 0}
        elif row is None:
            return None
        else:
            row = dict(row)
            row["changes"] += 1
        row.update(
            years=e.years,
            counted_from=e.counted_from,
            set_on=e.occurred_on,
            set_by=e.actor.user_id,
            set_by_role=str(e.actor.role),
            reason=e.reason,
            version=e.originator_version,
        )
        _document(row, "document", e.document)
        return stamp(row, event)


class LegalHolds(RowProjection):
    """One row per legal hold."""

    name = "legal_holds"
    table = legal_holds
    tables = (legal_holds,)
    key_column = "hold_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in HOLD_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, LegalHold.LegalHoldPlaced):
            row = {
                "hold_id": str(e.originator_id),
                "kind": e.kind,
                "beneficiary_ids": _ids(e.beneficiary_ids),
                "placed_on": e.occurred_on,
                "placed_by": e.actor.user_id,
                "reason": e.reason,
                "lifted_on": None,
                "lifted_by": None,
                "lift_document_number": None,
            }
            _document(row, "document", e.document)
        elif row is None:
            return None
        else:
            row = dict(row)
            if isinstance(e, LegalHold.LegalHoldLifted):
                row["lifted_on"] = e.occurred_on
                row["lifted_by"] = e.actor.user_id
                row["lift_document_number"] = e.document.number if e.document else None
        row["state"] = LegalHold.lifecycle.folded_target(event.name, row.get("state"))
        row["version"] = e.originator_version
        return stamp(row, event)


class Destructions(RowProjection):
    """One row per destruction."""

    name = "destructions"
    table = destructions
    tables = (destructions,)
    key_column = "destruction_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in DESTRUCTION_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, Destruction.DestructionProposed):
            row = {
                "destruction_id": str(e.originator_id),
                "number": e.number,
                "proposed_on": e.occurred_on,
                "proposed_by": e.actor.user_id,
                "proposed_by_role": str(e.actor.role),
                "proposal_reason": e.reason,
                "items": _items(e.items),
                "withheld": "[]",
                "destroyed": "[]",
                "decided_on": None,
                "decided_by": None,
                "decision_reason": None,
                "carried_out_on": None,
                "berita_acara_number": None,
                "berita_acara_sha256": None,
            }
        elif row is None:
            return None
        else:
            row = dict(row)
            match e:
                case Destruction.DestructionApproved() | Destruction.DestructionRejected():
                    row["decided_on"] = e.occurred_on
                    row["decided_by"] = e.actor.user_id
                    row["decision_reason"] = e.reason
                    if isinstance(e, Destruction.DestructionApproved):
                        row["withheld"] = _items(e.withheld)
                case Destruction.DestructionCarriedOut():
                    row["carried_out_on"] = e.occurred_on
                    row["destroyed"] = _items(e.destroyed)
                    row["berita_acara_number"] = e.document.number if e.document else None
                    row["berita_acara_sha256"] = e.document.sha256 if e.document else None
        row["state"] = Destruction.lifecycle.folded_target(event.name, row.get("state"))
        row["version"] = e.originator_version
        return stamp(row, event)


class RetentionSubjects(RowProjection):
    """One row per person: her case number, site, state and the day her case ended."""

    name = "retention_subjects"
    table = retention_subjects
    tables = (retention_subjects,)
    key_column = "beneficiary_id"

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in BENEFICIARY_EVENTS else None

    def fold(self, row: Row | None, event: PositionedEvent) -> Row | None:
        e = event.event
        if isinstance(e, Beneficiary.BeneficiaryRegistered):
            row = {
                "beneficiary_id": str(e.originator_id),
                "case_number": e.case_number,
                "site_id": str(e.site_id),
                "state": BENEFICIARY_LIFECYCLE.initial,
                "case_ended_on": None,
            }
            return stamp(row, event)
        if row is None:
            return None
        row = dict(row)
        row["state"] = BENEFICIARY_LIFECYCLE.folded_target(event.name, row["state"])
        ended = BENEFICIARY_LIFECYCLE.is_terminal(row["state"])
        # The first step into an end state ends the case; later steps (corrections) do not
        # move the day retention counts from.
        if ended and row["case_ended_on"] is None:
            row["case_ended_on"] = e.occurred_on
        elif not ended:
            row["case_ended_on"] = None
        return stamp(row, event)


def _ids(ids: Iterable[UUID]) -> str:
    return json.dumps([str(i) for i in ids])


def _items(items: Iterable[DestructionItem | WithheldItem]) -> str:
    rows = []
    for item in items:
        row: Row = {
            "beneficiary_id": str(item.beneficiary_id),
            "case_number": item.case_number,
            "category": item.category,
        }
        if isinstance(item, DestructionItem):
            row["ends_on"] = item.ends_on.isoformat()
        else:
            row["reasons"] = list(item.reasons)
        rows.append(row)
    return json.dumps(rows)
