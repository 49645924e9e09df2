"""Entitlement: one aid component (or JADUP tranche) for one person, from decree to bank credit.

Domain notes section 5.1. The entitlement is the unit the ledger pays: it is planned by a decree
line (whose amount it carries), funded from one commitment, ordered in one batch at a time,
credited or failed by the bank, acknowledged by her receipt, and if unclaimed returned to the
treasury. Each component is paid at most once because its id is derived from the person, the
component and the tranche, and a second credit cannot follow the first in its lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.beneficiary_errors import GrantNeedsCompletedTraining
from domain.corrections import (
    Correctable,
    CorrectionEvent,
    CorrectionPending,
    NoPendingCorrection,
    NothingToCorrect,
)
from domain.decree import AidComponent, Decree, DecreeLine
from domain.errors import InvalidValue
from domain.funding import FundingCommitment, FundingSource
from domain.guards import require_amount, require_document, require_reason
from domain.money_errors import (
    AccountHolderMismatch,
    ArrivalNotConfirmed,
    BankAccountMissing,
    BatchLineConflict,
    FourEyesRequired,
    PaymentAfterExit,
)
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE, SETTLED_ENTITLEMENT_STATES
from domain.recording import Actor, DocumentRef, Provenance
from domain.rules import ProgrammeRules


class PaymentChannel(StrEnum):
    """How money reaches the recipient."""

    BANK_TRANSFER = "bank_transfer"
    POST_OFFICE = "post_office"


@dataclass(frozen=True)
class Recipient:
    """What ordering a payment needs to know of the person (from her Beneficiary)."""

    exited: str | None  # DECEASED or WITHDRAWN when her case ended that way
    arrival_confirmed: bool  # ReturnedHome or StayedLocally recorded
    training_completed: bool
    has_bank_account: bool
    account_holder_matches: bool


# The money facts a correction may change: a credit's, and a return to the treasury's.
CORRECTABLE_MONEY_EVENTS = ("CreditedToAccount", "FundsReturned")


@dataclass(frozen=True)
class MoneyCorrection:
    """A requested correction of an amount or reference, awaiting a second person."""

    request_version: int
    requested_by: str
    corrects_version: int
    corrected_event: str
    previous_amount: int
    amount: int
    previous_reference: str
    reference: str


class Entitlement(Correctable):
    """One component of one person's aid, as decreed, and every rupiah movement of it."""

    lifecycle = ENTITLEMENT_LIFECYCLE

    class EntitlementPlanned(LifecycleAggregate.Created):
        """A decree line planned this component at `amount` (whole rupiah)."""

        decree_id: UUID
        decree_number: str
        subject_id: UUID
        site_id: UUID | None
        component: AidComponent
        tranche: int
        amount: int
        requires_arrival: bool

    class FundsAllocated(LifecycleAggregate.Event):
        """Funds of one commitment (fiscal year, source, budget line) were set aside."""

        commitment_id: UUID
        fiscal_year: int
        source: FundingSource
        budget_line: str
        amount: int

    class EntitlementAmended(LifecycleAggregate.Event):
        """An amending decree changed the amount."""

        amendment_number: str
        previous_amount: int
        amount: int

    class PaymentOrdered(LifecycleAggregate.Event):
        """The payment was ordered in an approved batch under `transfer_ref`."""

        batch_id: UUID
        transfer_ref: str
        amount: int
        channel: PaymentChannel

    class CreditedToAccount(LifecycleAggregate.Event):
        """The bank credited her account; `occurred_on` is the value date."""

        batch_id: UUID
        transfer_ref: str
        bank_reference: str
        amount: int

    class PaymentFailed(LifecycleAggregate.Event):
        """The bank could not credit the transfer; `reason` is the bank's."""

        batch_id: UUID
        transfer_ref: str

    class ReceiptSigned(LifecycleAggregate.Event):
        """She signed the receipt (BAST, tanda terima); `document` is it."""

    class WithdrawalObserved(LifecycleAggregate.Event):
        """A withdrawal was seen on her account; `document` is the bank statement."""

        bank_reference: str

    class NotClaimedByDeadline(LifecycleAggregate.Event):
        """The money was not claimed by the collection deadline."""

    class FundsReturned(LifecycleAggregate.Event):
        """The unclaimed money went back to the treasury; `document` is the deposit."""

        amount: int
        treasury_reference: str

    class AllocationLapsed(LifecycleAggregate.Event):
        """The fiscal year closed before payment; the allocation lapsed."""

        commitment_id: UUID
        fiscal_year: int
        amount: int

    class EntitlementCancelled(LifecycleAggregate.Event):
        """No longer payable: an amending decree removed it, or her case ended."""

        released_amount: int

    class MoneyCorrectionRequested(CorrectionEvent):
        """A correction of a recorded credit or return was requested; it changes nothing
        until a second person approves it."""

        corrected_event: str
        previous_amount: int
        amount: int
        previous_reference: str
        reference: str

    class MoneyCorrectionApproved(CorrectionEvent):
        """A second person approved the requested correction; it takes effect now."""

        request_version: int
        corrected_event: str
        previous_amount: int
        amount: int
        previous_reference: str
        reference: str

    class MoneyCorrectionRejected(CorrectionEvent):
        """The requested correction was rejected; `reason` explains. Nothing changed."""

        request_version: int

    @classmethod
    def plan(
        cls, *, decree: Decree, line: DecreeLine, site_id: UUID | None, provenance: Provenance
    ) -> Entitlement:
        """Plan the entitlement of one decree line; `provenance` is the decree's."""
        return cls._create(
            cls.EntitlementPlanned,
            id=line.entitlement_id,
            decree_id=decree.id,
            decree_number=decree.number,
            subject_id=line.subject_id,
            site_id=site_id,
            component=line.component,
            tranche=line.tranche,
            amount=line.amount,
            requires_arrival=(
                decree.jadup_requires_arrival and AidComponent(line.component) is AidComponent.JADUP
            ),
            **provenance.event_fields(),
        )

    @event(EntitlementPlanned)
    def __init__(
        self,
        decree_id: UUID,
        decree_number: str,
        subject_id: UUID,
        site_id: UUID | None,
        component: AidComponent,
        tranche: int,
        amount: int,
        requires_arrival: bool,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.decree_id = decree_id
        self.subject_id = subject_id
        self.site_id = site_id
        self.component = AidComponent(component)
        self.tranche = tranche
        self.amount = amount
        self.requires_arrival = requires_arrival
        self.commitment_id: UUID | None = None
        self.fiscal_year: int | None = None
        self.batch_id: UUID | None = None
        self.transfer_ref: str | None = None
        self.ordered_on: date | None = None
        self.credited_amount = 0
        self.credited_on: date | None = None
        self.bank_reference: str | None = None
        self.returned_amount = 0
        self.treasury_reference: str | None = None
        self.pending_correction: MoneyCorrection | None = None

    @property
    def is_settled(self) -> bool:
        """True when nothing more is owed or pending on it."""
        return self.state in SETTLED_ENTITLEMENT_STATES

    @property
    def orderable(self) -> bool:
        """True in a state a payment may be ordered from (funded, or its transfer failed)."""
        return self.allows("order_payment")

    @property
    def at_the_bank(self) -> bool:
        """True while an ordered transfer awaits the bank's answer."""
        return self.allows("record_credit")

    # --- funding -----------------------------------------------------------------------------

    def allocate(self, *, commitment: FundingCommitment, provenance: Provenance) -> None:
        """Fund it from `commitment`; the commitment records the same allocation in one save."""
        self._allowed("allocate_funds")
        commitment.allocate(entitlement_id=self.id, amount=self.amount, provenance=provenance)
        self._funds_allocated(
            commitment_id=commitment.id,
            fiscal_year=commitment.fiscal_year,
            source=commitment.source,
            budget_line=commitment.budget_line,
            amount=self.amount,
            **provenance.event_fields(),
        )

    @event(FundsAllocated)
    def _funds_allocated(
        self,
        commitment_id: UUID,
        fiscal_year: int,
        source: FundingSource,
        budget_line: str,
        amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.commitment_id = commitment_id
        self.fiscal_year = fiscal_year

    def amend_amount(
        self,
        *,
        amendment_number: str,
        amount: int,
        commitment: FundingCommitment | None,
        provenance: Provenance,
    ) -> None:
        """Change the amount by an amending decree; an allocation follows it in one save."""
        self._allowed("amend_amount")
        require_amount(amount)
        if self.state == "ALLOCATED":
            if commitment is None or commitment.id != self.commitment_id:
                raise InvalidValue("the funding commitment is required", field="commitment_id")
            commitment.allocate(entitlement_id=self.id, amount=amount, provenance=provenance)
        self._amended(
            amendment_number=amendment_number,
            previous_amount=self.amount,
            amount=amount,
            **provenance.event_fields(),
        )

    @event(EntitlementAmended)
    def _amended(
        self,
        amendment_number: str,
        previous_amount: int,
        amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.amount = amount

    # --- ordering and the bank ---------------------------------------------------------------

    def check_orderable(
        self,
        *,
        recipient: Recipient,
        rules: ProgrammeRules,
        commitment: FundingCommitment,
        order_date: date,
        channel: PaymentChannel,
    ) -> None:
        """Every guard of ordering (G-B4, G-B6, G-B9, A12), checkable before a batch is saved."""
        self._allowed("order_payment")
        if recipient.exited:
            raise PaymentAfterExit(f"no payment after the case ended ({recipient.exited})")
        if self.requires_arrival and not recipient.arrival_confirmed:
            raise ArrivalNotConfirmed(
                "living allowance is released only after arrival or a local stay is recorded"
            )
        if (
            self.component is AidComponent.UEP
            and not recipient.training_completed
            and not rules.dropout_keeps_grant
        ):
            raise GrantNeedsCompletedTraining(
                "she did not complete training and drop-outs do not keep business capital"
            )
        if channel is PaymentChannel.BANK_TRANSFER:
            if not recipient.has_bank_account:
                raise BankAccountMissing("no bank account is on record for her")
            if not recipient.account_holder_matches:
                raise AccountHolderMismatch("the account is not in her own name")
        commitment.check_in_fiscal_year(order_date)

    def order(
        self, *, batch_id: UUID, transfer_ref: str, channel: PaymentChannel, provenance: Provenance
    ) -> None:
        """Record the order; the caller has run `check_orderable` for this batch."""
        self._allowed("order_payment")
        self._ordered(
            batch_id=batch_id,
            transfer_ref=transfer_ref,
            amount=self.amount,
            channel=channel,
            **provenance.event_fields(),
        )

    @event(PaymentOrdered)
    def _ordered(
        self,
        batch_id: UUID,
        transfer_ref: str,
        amount: int,
        channel: PaymentChannel,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.batch_id = batch_id
        self.transfer_ref = transfer_ref
        self.ordered_on = occurred_on

    def record_credit(
        self, *, transfer_ref: str, bank_reference: str, amount: int, provenance: Provenance
    ) -> bool:
        """Record the bank's credit; False (and nothing recorded) if it is already recorded."""
        if self.state != "ORDERED" and self._same_credit(transfer_ref, bank_reference, amount):
            return False
        self._allowed("record_credit")
        batch_id = self._check_line(transfer_ref, amount)
        if not bank_reference.strip():
            raise InvalidValue("the bank reference is required", field="bank_reference")
        if self.ordered_on is not None and provenance.occurred_on < self.ordered_on:
            raise BatchLineConflict("the value date is before the order", field="value_date")
        self._credited(
            batch_id=batch_id,
            transfer_ref=transfer_ref,
            bank_reference=bank_reference.strip(),
            amount=amount,
            **provenance.event_fields(),
        )
        return True

    def _same_credit(self, transfer_ref: str, bank_reference: str, amount: int) -> bool:
        return (
            self.transfer_ref == transfer_ref
            and self.bank_reference == bank_reference.strip()
            and self.credited_amount == amount
        )

    def _check_line(self, transfer_ref: str, amount: int) -> UUID:
        """The batch of the order this bank line answers; refuses a line that is not it."""
        if self.batch_id is None or transfer_ref != self.transfer_ref:
            raise BatchLineConflict(
                "the line is not this entitlement's order", field="transfer_ref"
            )
        if amount != self.amount:
            raise BatchLineConflict("the bank's amount differs from the order", field="amount")
        return self.batch_id

    @event(CreditedToAccount)
    def _credited(
        self,
        batch_id: UUID,
        transfer_ref: str,
        bank_reference: str,
        amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.credited_amount = amount
        self.bank_reference = bank_reference
        self.credited_on = occurred_on

    def record_failure(self, *, transfer_ref: str, provenance: Provenance) -> bool:
        """Record that the transfer failed; False if this failure is already recorded."""
        if self.state == "FAILED" and self.transfer_ref == transfer_ref:
            return False
        self._allowed("record_failure")
        batch_id = self._check_line(transfer_ref, self.amount)
        require_reason(provenance, "failure_reason")
        self._failed(batch_id=batch_id, transfer_ref=transfer_ref, **provenance.event_fields())
        return True

    @event(PaymentFailed)
    def _failed(
        self,
        batch_id: UUID,
        transfer_ref: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    # --- after the credit --------------------------------------------------------------------

    def acknowledge_receipt(self, *, provenance: Provenance) -> None:
        """Record her signed receipt (BAST)."""
        self._allowed("acknowledge_receipt")
        require_document(provenance, "the signed receipt")
        self._receipt_signed(**provenance.event_fields())

    @event(ReceiptSigned)
    def _receipt_signed(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def observe_withdrawal(self, *, bank_reference: str, provenance: Provenance) -> None:
        """Record a withdrawal seen on a bank statement."""
        self._allowed("observe_withdrawal")
        require_document(provenance, "the bank statement")
        if not bank_reference.strip():
            raise InvalidValue("the statement line's reference is required", field="bank_reference")
        self._withdrawal_observed(
            bank_reference=bank_reference.strip(), **provenance.event_fields()
        )

    @event(WithdrawalObserved)
    def _withdrawal_observed(
        self,
        bank_reference: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        pass

    def mark_unclaimed(self, *, provenance: Provenance) -> None:
        """Record that the money was not claimed by the collection deadline."""
        self._allowed("mark_unclaimed")
        self._not_claimed(**provenance.event_fields())

    @event(NotClaimedByDeadline)
    def _not_claimed(
        self, actor: Actor, occurred_on: date, document: DocumentRef | None, reason: str | None
    ) -> None:
        pass

    def return_funds(self, *, treasury_reference: str, provenance: Provenance) -> None:
        """Record the deposit of unclaimed money back into the treasury (G-B7)."""
        self._allowed("return_funds")
        require_document(provenance, "the treasury deposit slip")
        if not treasury_reference.strip():
            raise InvalidValue("the treasury reference is required", field="treasury_reference")
        self._funds_returned(
            amount=self.credited_amount or self.amount,
            treasury_reference=treasury_reference.strip(),
            **provenance.event_fields(),
        )

    @event(FundsReturned)
    def _funds_returned(
        self,
        amount: int,
        treasury_reference: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.returned_amount = amount
        self.treasury_reference = treasury_reference

    # --- ends without payment ----------------------------------------------------------------

    def lapse(self, *, commitment: FundingCommitment, provenance: Provenance) -> None:
        """The fiscal year closes before payment: release the allocation as lapsed."""
        self._allowed("lapse")
        amount = commitment.release(entitlement_id=self.id, lapsed=True, provenance=provenance)
        self._lapsed(
            commitment_id=commitment.id,
            fiscal_year=commitment.fiscal_year,
            amount=amount,
            **provenance.event_fields(),
        )

    @event(AllocationLapsed)
    def _lapsed(
        self,
        commitment_id: UUID,
        fiscal_year: int,
        amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.commitment_id = None

    def cancel(self, *, commitment: FundingCommitment | None, provenance: Provenance) -> None:
        """Cancel it (amendment, death, withdrawal), releasing any allocation in the same save."""
        self._allowed("cancel_entitlement")
        require_reason(provenance)
        released = 0
        if self.commitment_id is not None:
            if commitment is None or commitment.id != self.commitment_id:
                raise InvalidValue("the funding commitment is required", field="commitment_id")
            released = commitment.release(
                entitlement_id=self.id, lapsed=False, provenance=provenance
            )
        self._cancelled(released_amount=released, **provenance.event_fields())

    @event(EntitlementCancelled)
    def _cancelled(
        self,
        released_amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.commitment_id = None

    # --- corrections of money facts (ADR 0022) -----------------------------------------------

    def _money_fact(self, corrected_event: str) -> tuple[int, str]:
        """The amount and reference on record for a credit or a return."""
        if corrected_event == "CreditedToAccount":
            return self.credited_amount, self.bank_reference or ""
        return self.returned_amount, self.treasury_reference or ""

    def request_correction(
        self,
        *,
        corrects_version: int,
        amount: int | None,
        reference: str | None,
        provenance: Provenance,
    ) -> None:
        """Request that the amount or reference of a credit or return be corrected; a
        second person approves it before it counts."""
        self.check_correction(provenance)
        fact = self.fact(corrects_version, CORRECTABLE_MONEY_EVENTS)
        if self.pending_correction is not None:
            raise CorrectionPending("another correction of this entitlement awaits approval")
        previous_amount, previous_reference = self._money_fact(fact.event)
        new_amount = previous_amount if amount is None else require_amount(amount)
        new_reference = previous_reference if reference is None else reference.strip()
        if not new_reference:
            raise InvalidValue("the reference must not be empty", field="reference")
        if (new_amount, new_reference) == (previous_amount, previous_reference):
            raise NothingToCorrect("the amount and reference given are the ones recorded")
        self._correction_requested(
            corrects_version=corrects_version,
            corrected_event=fact.event,
            previous_amount=previous_amount,
            amount=new_amount,
            previous_reference=previous_reference,
            reference=new_reference,
            **provenance.event_fields(),
        )

    @event(MoneyCorrectionRequested)
    def _correction_requested(
        self,
        corrects_version: int,
        corrected_event: str,
        previous_amount: int,
        amount: int,
        previous_reference: str,
        reference: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.pending_correction = MoneyCorrection(
            request_version=self.version + 1,
            requested_by=actor.user_id,
            corrects_version=corrects_version,
            corrected_event=corrected_event,
            previous_amount=previous_amount,
            amount=amount,
            previous_reference=previous_reference,
            reference=reference,
        )

    def _pending(self) -> MoneyCorrection:
        if self.pending_correction is None:
            raise NoPendingCorrection("no correction of this entitlement awaits approval")
        return self.pending_correction

    def approve_correction(self, *, provenance: Provenance) -> None:
        """Approve the pending correction (a second person: FOUR_EYES_REQUIRED otherwise)."""
        pending = self._pending()
        if provenance.actor.user_id == pending.requested_by:
            raise FourEyesRequired("the person who requested a correction cannot approve it")
        self._correction_approved(
            corrects_version=pending.corrects_version,
            request_version=pending.request_version,
            corrected_event=pending.corrected_event,
            previous_amount=pending.previous_amount,
            amount=pending.amount,
            previous_reference=pending.previous_reference,
            reference=pending.reference,
            **provenance.event_fields(),
        )

    @event(MoneyCorrectionApproved)
    def _correction_approved(
        self,
        corrects_version: int,
        request_version: int,
        corrected_event: str,
        previous_amount: int,
        amount: int,
        previous_reference: str,
        reference: str,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        if corrected_event == "CreditedToAccount":
            self.credited_amount = amount
            self.bank_reference = reference
        else:
            self.returned_amount = amount
            self.treasury_reference = reference
        self.pending_correction = None

    def reject_correction(self, *, provenance: Provenance) -> None:
        """Reject the pending correction, with a reason; nothing it asked for changes."""
        pending = self._pending()
        require_reason(provenance)
        self._correction_rejected(
            corrects_version=pending.corrects_version,
            request_version=pending.request_version,
            **provenance.event_fields(),
        )

    @event(MoneyCorrectionRejected)
    def _correction_rejected(
        self,
        corrects_version: int,
        request_version: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.pending_correction = None
