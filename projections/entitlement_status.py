"""entitlement_status: where is each decreed aid component, what funds it, and was it paid?"""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import BigInteger, Column, Date, Integer, String, Table

from domain.aggregate import LifecycleAggregate
from domain.entitlement import Entitlement
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from projections.base import PositionedEvent, Row
from projections.cases import NO_CASES, CaseNumberedProjection, CaseNumbers
from projections.provenance import stamp
from projections.schema import history_table, metadata, provenance_columns

entitlement_status = Table(
    "entitlement_status",
    metadata,
    Column("entitlement_id", String(36), primary_key=True),
    Column("state", String(32), nullable=False, index=True),
    # The beneficiary, or a compensation payee (who has no case).
    Column("subject_id", String(36), nullable=False, index=True),
    Column("case_number", String(20)),
    Column("site_id", String(36), index=True),
    Column("component", String(16), nullable=False),
    Column("tranche", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("decree_id", String(36), nullable=False),
    Column("decree_number", String(100), nullable=False),
    # The allocation in force (null before funding and after a lapse or cancellation).
    Column("commitment_id", String(36)),
    Column("fiscal_year", Integer),
    Column("source", String(8)),
    Column("budget_line", String(100)),
    # The batch and line it was last ordered in.
    Column("batch_id", String(36), index=True),
    Column("transfer_ref", String(48)),
    Column("bank_reference", String(100)),
    Column("credited_amount", BigInteger, nullable=False),
    Column("credited_on", Date),
    Column("returned_amount", BigInteger, nullable=False),
    # The money correction awaiting a second supervisor, null when none is (ADR 0022): who
    # requested it and when, of which event (a credit or a return), and the amount and
    # reference it asks for.
    Column("correction_requested_by", String(100), index=True),
    Column("correction_requested_on", Date),
    Column("correction_of", String(64)),
    Column("correction_amount", BigInteger),
    Column("correction_reference", String(100)),
    Column("version", Integer, nullable=False),
    *provenance_columns(),
)

entitlement_status_history = history_table(entitlement_status, "entitlement_id")
"""Every change of every entitlement_status row, event by event (ADR 0023)."""

ENTITLEMENT_EVENTS = ENTITLEMENT_LIFECYCLE.event_names
# The columns of a pending money correction, when none is pending.
NO_PENDING_CORRECTION: Row = {
    "correction_requested_by": None,
    "correction_requested_on": None,
    "correction_of": None,
    "correction_amount": None,
    "correction_reference": None,
}
CORRECTION_DECIDED = (Entitlement.MoneyCorrectionApproved, Entitlement.MoneyCorrectionRejected)
# Events after which no allocation stands behind the entitlement.
UNFUNDING_EVENTS = (Entitlement.AllocationLapsed, Entitlement.EntitlementCancelled)


def entitlement_label(
    case_number: str | None, decree_number: str, component: str, tranche: int
) -> str:
    """How people name an entitlement: `TRK-JP-0003 UEP-1`; a payee's by the decree number."""
    return f"{case_number or decree_number} {component.upper()}-{tranche}"


class EntitlementStatus(CaseNumberedProjection):
    """One row per entitlement."""

    name = "entitlement_status"
    table = entitlement_status
    tables = (entitlement_status,)
    history = entitlement_status_history
    key_column = "entitlement_id"
    # 2: a requested money correction shows as pending until approved or rejected.
    version = 2

    def key_of(self, event: PositionedEvent) -> Hashable | None:
        return str(event.event.originator_id) if event.name in ENTITLEMENT_EVENTS else None

    def fold(
        self, row: Row | None, event: PositionedEvent, cases: CaseNumbers = NO_CASES
    ) -> Row | None:
        e = event.event
        if isinstance(e, Entitlement.EntitlementPlanned):
            row = {
                "entitlement_id": str(e.originator_id),
                "subject_id": str(e.subject_id),
                "case_number": cases.get(str(e.subject_id)),
                "site_id": str(e.site_id) if e.site_id else None,
                "component": str(e.component),
                "tranche": e.tranche,
                "amount": e.amount,
                "decree_id": str(e.decree_id),
                "decree_number": e.decree_number,
                "commitment_id": None,
                "fiscal_year": None,
                "source": None,
                "budget_line": None,
                "batch_id": None,
                "transfer_ref": None,
                "bank_reference": None,
                "credited_amount": 0,
                "credited_on": None,
                "returned_amount": 0,
                **NO_PENDING_CORRECTION,
            }
        elif row is None:
            # Dated before the decree that plans it (an older store's): not planned at that cut.
            return None
        else:
            row = dict(row)
            _apply_facts(row, e)
        row["state"] = ENTITLEMENT_LIFECYCLE.folded_target(event.name, row.get("state"))
        row["version"] = e.originator_version
        return stamp(row, event)


def _apply_facts(row: Row, event: LifecycleAggregate.Event) -> None:
    match event:
        case Entitlement.FundsAllocated():
            row["commitment_id"] = str(event.commitment_id)
            row["fiscal_year"] = event.fiscal_year
            row["source"] = str(event.source)
            row["budget_line"] = event.budget_line
        case Entitlement.EntitlementAmended():
            row["amount"] = event.amount
        case Entitlement.PaymentOrdered():
            row["batch_id"] = str(event.batch_id)
            row["transfer_ref"] = event.transfer_ref
        case Entitlement.CreditedToAccount():
            row["bank_reference"] = event.bank_reference
            row["credited_amount"] = event.amount
            row["credited_on"] = event.occurred_on
        case Entitlement.FundsReturned():
            row["returned_amount"] += event.amount
        # A requested correction changes no money fact: it shows as pending until a second
        # supervisor approves it, which replaces the credit's or the return's amount and
        # reference, or either rejects it (ADR 0022).
        case Entitlement.MoneyCorrectionRequested():
            row |= {
                "correction_requested_by": event.actor.user_id,
                "correction_requested_on": event.occurred_on,
                "correction_of": event.corrected_event,
                "correction_amount": event.amount,
                "correction_reference": event.reference,
            }
        case Entitlement.MoneyCorrectionApproved(corrected_event="CreditedToAccount"):
            row["credited_amount"] = event.amount
            row["bank_reference"] = event.reference
        case Entitlement.MoneyCorrectionApproved():
            row["returned_amount"] += event.amount - event.previous_amount
    if isinstance(event, CORRECTION_DECIDED):
        row |= NO_PENDING_CORRECTION
    if isinstance(event, UNFUNDING_EVENTS):
        row |= {"commitment_id": None, "fiscal_year": None, "source": None, "budget_line": None}
