"""The declared lifecycles of the money ledger: commitments, decrees, entitlements and batches.

Domain notes section 5.1: one entitlement per aid component (and JADUP tranche) per person,
planned by a decree, funded from a fiscal year's commitment, ordered in a payment batch,
settled by the bank's result and the recipient's receipt.
"""

from __future__ import annotations

from domain.corrections import CORRECTION_GUARDS
from domain.lifecycle import (
    SUPERVISOR_ONLY,
    Correction,
    Deadline,
    Lifecycle,
    StateSpec,
    Transition,
)
from domain.recording import DocumentKind

COMMITMENT_LIFECYCLE = Lifecycle(
    aggregate="FundingCommitment",
    states=(
        StateSpec(
            "OPEN",
            "Funds committed for the fiscal year; allocations may be made until it closes",
            next_action="close_fiscal_year",
        ),
        StateSpec(
            "CLOSED",
            "Fiscal year closed; whatever was not spent lapsed",
            terminal=True,
        ),
    ),
    transitions=(
        Transition(
            "commit_funds",
            "FundsCommitted",
            None,
            "OPEN",
            roles=SUPERVISOR_ONLY,
            guards=("DOCUMENT_REQUIRED: the DIPA or DPA as the document",),
            documents=(DocumentKind.DIPA, DocumentKind.DPA),
        ),
        Transition(
            "allocate",
            "AllocationRecorded",
            ("OPEN",),
            None,
            roles=SUPERVISOR_ONLY,
            guards=(
                "COMMITMENT_EXCEEDED: allocations never exceed the commitment",
                "OUTSIDE_FISCAL_YEAR: dated within the commitment's fiscal year",
            ),
        ),
        Transition("release_allocation", "AllocationReleased", ("OPEN",), None),
        Transition(
            "close_fiscal_year",
            "FiscalYearClosed",
            ("OPEN",),
            "CLOSED",
            roles=SUPERVISOR_ONLY,
            guards=("OUTSIDE_FISCAL_YEAR: not before 31 December of the fiscal year",),
        ),
    ),
)

DECREE_LIFECYCLE = Lifecycle(
    aggregate="Decree",
    states=(StateSpec("IN_FORCE", "Issued; amendments are recorded as new events", standing=True),),
    transitions=(
        Transition(
            "issue_decree",
            "DecreeIssued",
            None,
            "IN_FORCE",
            roles=SUPERVISOR_ONLY,
            guards=(
                "IDENTITY_NOT_VERIFIED: every person named has a verified identity",
                "COURT_DECISION_REQUIRED: compensation rests on a court decision",
                "COMPONENT_NOT_ALLOWED: worker aid and compensation never mix (A21)",
                "ENTITLEMENT_ALREADY_DECREED: each component at most once per person",
            ),
        ),
        Transition(
            "amend_decree",
            "DecreeAmended",
            ("IN_FORCE",),
            None,
            roles=SUPERVISOR_ONLY,
            guards=("ENTITLEMENT_NOT_READY: changed lines not yet ordered",),
        ),
    ),
)

SETTLED_ENTITLEMENT_STATES = ("ACKNOWLEDGED", "USED", "RETURNED", "CANCELLED")

ENTITLEMENT_LIFECYCLE = Lifecycle(
    aggregate="Entitlement",
    states=(
        StateSpec("PLANNED", "Decreed; awaiting funds", next_action="allocate_funds"),
        StateSpec("ALLOCATED", "Funded; awaiting a payment batch", next_action="order_payment"),
        StateSpec(
            "ORDERED",
            "In an approved batch; awaiting the bank's result",
            next_action="record_credit",
        ),
        StateSpec(
            "CREDITED",
            "Credited to her account; awaiting her signed receipt",
            next_action="acknowledge_receipt",
        ),
        StateSpec(
            "ACKNOWLEDGED",
            "Receipt signed; withdrawal not yet seen on a statement",
            next_action="observe_withdrawal",
        ),
        StateSpec("USED", "Withdrawn by the recipient", terminal=True),
        StateSpec(
            "FAILED", "The transfer failed; awaiting a new batch", next_action="order_payment"
        ),
        StateSpec(
            "UNCLAIMED",
            "Not claimed by the deadline; awaiting return to the treasury",
            next_action="return_funds",
        ),
        StateSpec("RETURNED", "Returned to the treasury (kas negara or daerah)", terminal=True),
        StateSpec(
            "LAPSED",
            "Fiscal year closed before payment; awaiting funds of a later year",
            next_action="allocate_funds",
        ),
        StateSpec(
            "CANCELLED", "Cancelled by a decree amendment, death or withdrawal", terminal=True
        ),
    ),
    transitions=(
        Transition(
            "plan_entitlement",
            "EntitlementPlanned",
            None,
            "PLANNED",
            roles=SUPERVISOR_ONLY,
            guards=("the amount comes from the decree",),
        ),
        Transition(
            "allocate_funds",
            "FundsAllocated",
            ("PLANNED", "LAPSED"),
            "ALLOCATED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "COMMITMENT_EXCEEDED: within the commitment, saved with it atomically",
                "OUTSIDE_FISCAL_YEAR: dated within the commitment's fiscal year",
            ),
        ),
        Transition(
            "amend_amount",
            "EntitlementAmended",
            ("PLANNED", "ALLOCATED"),
            None,
            roles=SUPERVISOR_ONLY,
            guards=("COMMITMENT_EXCEEDED: a larger amount still fits the commitment",),
        ),
        Transition(
            "order_payment",
            "PaymentOrdered",
            ("ALLOCATED", "FAILED"),
            "ORDERED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "PAYMENT_AFTER_EXIT: never after death or withdrawal",
                "ARRIVAL_NOT_CONFIRMED: living allowance only after arrival or a local stay",
                "GRANT_NEEDS_COMPLETED_TRAINING: business capital after completed training "
                "unless drop-outs keep it",
                "BANK_ACCOUNT_MISSING: an account on record for a transfer",
                "ACCOUNT_HOLDER_MISMATCH: the account is in her own name",
                "OUTSIDE_FISCAL_YEAR: ordered within the allocation's fiscal year",
            ),
        ),
        Transition(
            "record_credit",
            "CreditedToAccount",
            ("ORDERED",),
            "CREDITED",
            roles=SUPERVISOR_ONLY,
            guards=("BATCH_LINE_CONFLICT: the bank's amount equals the ordered amount",),
        ),
        Transition(
            "record_failure",
            "PaymentFailed",
            ("ORDERED",),
            "FAILED",
            roles=SUPERVISOR_ONLY,
            guards=("REASON_REQUIRED: the bank's reason",),
        ),
        Transition(
            "acknowledge_receipt",
            "ReceiptSigned",
            ("CREDITED",),
            "ACKNOWLEDGED",
            guards=("DOCUMENT_REQUIRED: the signed receipt (BAST)",),
        ),
        Transition(
            "observe_withdrawal",
            "WithdrawalObserved",
            ("CREDITED", "ACKNOWLEDGED"),
            "USED",
            guards=("DOCUMENT_REQUIRED: the bank statement",),
            # She may withdraw before she signs the receipt that is entered first.
            follows=("CreditedToAccount",),
        ),
        Transition(
            "mark_unclaimed",
            "NotClaimedByDeadline",
            ("ORDERED", "CREDITED"),
            "UNCLAIMED",
            roles=SUPERVISOR_ONLY,
        ),
        Transition(
            "return_funds",
            "FundsReturned",
            ("UNCLAIMED",),
            "RETURNED",
            roles=SUPERVISOR_ONLY,
            guards=("DOCUMENT_REQUIRED: the treasury deposit reference",),
        ),
        Transition(
            "lapse",
            "AllocationLapsed",
            ("ALLOCATED", "FAILED"),
            "LAPSED",
            roles=SUPERVISOR_ONLY,
        ),
        Transition(
            "cancel_entitlement",
            "EntitlementCancelled",
            ("PLANNED", "ALLOCATED", "LAPSED", "FAILED"),
            "CANCELLED",
            roles=SUPERVISOR_ONLY,
            guards=("REASON_REQUIRED: the amendment, death or withdrawal",),
            # Dated by the death, withdrawal or amendment that causes it, facts of other records
            # that may be entered after this one's steps (an audit question, not a refusal).
            follows=(),
        ),
    ),
    deadlines=(
        Deadline(
            "allocation_days",
            ("PLANNED",),
            ("EntitlementPlanned",),
            90,
            "Fund a decreed entitlement within this many days of the decree",
        ),
        Deadline(
            "ordering_days",
            ("ALLOCATED", "FAILED"),
            ("FundsAllocated", "PaymentFailed"),
            30,
            "Order a funded (or failed) payment within this many days",
        ),
        Deadline(
            "bank_result_days",
            ("ORDERED",),
            ("PaymentOrdered",),
            14,
            "Expect the bank's result within this many days of ordering",
        ),
        Deadline(
            "receipt_days",
            ("CREDITED",),
            ("CreditedToAccount",),
            30,
            "Collect her signed receipt within this many days of the credit",
        ),
        Deadline(
            "withdrawal_days",
            ("CREDITED", "ACKNOWLEDGED"),
            ("CreditedToAccount",),
            90,
            "Expect a withdrawal within this many days of the credit (A14)",
        ),
        Deadline(
            "return_to_treasury_days",
            ("UNCLAIMED",),
            ("NotClaimedByDeadline",),
            30,
            "Return unclaimed money to the treasury within this many days (G-B7)",
        ),
        Deadline(
            "rebudget_days",
            ("LAPSED",),
            ("AllocationLapsed",),
            365,
            "Re-budget lapsed funds within this many days of the fiscal-year close",
        ),
    ),
    corrections=(
        Correction(
            "request_money_correction",
            "MoneyCorrectionRequested",
            roles=SUPERVISOR_ONLY,
            guards=(
                *CORRECTION_GUARDS,
                "CORRECTION_PENDING: one request at a time",
                "of a credit (amount, bank reference) or a return (amount, treasury reference)",
            ),
        ),
        Correction(
            "approve_money_correction",
            "MoneyCorrectionApproved",
            roles=SUPERVISOR_ONLY,
            guards=(
                "NO_PENDING_CORRECTION: a request awaits approval",
                "FOUR_EYES_REQUIRED: the approver did not request it",
            ),
        ),
        Correction(
            "reject_money_correction",
            "MoneyCorrectionRejected",
            roles=SUPERVISOR_ONLY,
            guards=(
                "NO_PENDING_CORRECTION: a request awaits approval",
                "REASON_REQUIRED: why it was rejected",
            ),
        ),
    ),
)

# The states a command may take an entitlement from, asked of the declaration above: funds are
# allocated to those awaiting them, and a batch orders those ready to be paid.
FUNDABLE_ENTITLEMENT_STATES = tuple(
    s for t in ENTITLEMENT_LIFECYCLE.transitions_for("allocate_funds") for s in t.sources or ()
)
ORDERABLE_ENTITLEMENT_STATES = tuple(
    s for t in ENTITLEMENT_LIFECYCLE.transitions_for("order_payment") for s in t.sources or ()
)

BATCH_LIFECYCLE = Lifecycle(
    aggregate="PaymentBatch",
    states=(
        StateSpec("DRAFT", "Prepared; awaiting a second supervisor", next_action="approve_batch"),
        StateSpec(
            "APPROVED", "Approved; awaiting the transfer file", next_action="export_transfer_file"
        ),
        StateSpec(
            "SENT", "Sent to the bank; awaiting its result", next_action="import_bank_result"
        ),
        StateSpec("SETTLED", "Every line credited or failed", terminal=True),
        StateSpec("CANCELLED", "Withdrawn before approval", terminal=True),
    ),
    transitions=(
        Transition("create_batch", "BatchCreated", None, "DRAFT", roles=SUPERVISOR_ONLY),
        Transition(
            "approve_batch",
            "BatchApproved",
            ("DRAFT",),
            "APPROVED",
            roles=SUPERVISOR_ONLY,
            guards=(
                "FOUR_EYES_REQUIRED: the approver did not create the batch",
                "ENTITLEMENT_NOT_READY: every line can still be ordered",
            ),
        ),
        Transition(
            "cancel_batch",
            "BatchCancelled",
            ("DRAFT",),
            "CANCELLED",
            roles=SUPERVISOR_ONLY,
            guards=("REASON_REQUIRED: why it was withdrawn",),
        ),
        Transition(
            "export_transfer_file",
            "TransferFileExported",
            ("APPROVED",),
            "SENT",
            roles=SUPERVISOR_ONLY,
        ),
        Transition(
            "export_transfer_file",
            "TransferFileExported",
            ("SENT",),
            None,
            roles=SUPERVISOR_ONLY,
        ),
        Transition(
            "import_bank_result",
            "BankResultImported",
            ("SENT",),
            None,
            roles=SUPERVISOR_ONLY,
            guards=(
                "BANK_FILE_REJECTED: every line known, amounts equal, no duplicates",
                "BATCH_LINE_CONFLICT: no line contradicts an earlier result",
            ),
        ),
        Transition("settle_batch", "BatchSettled", ("SENT",), "SETTLED", roles=SUPERVISOR_ONLY),
    ),
    deadlines=(
        Deadline(
            "batch_approval_days",
            ("DRAFT",),
            ("BatchCreated",),
            7,
            "Approve or cancel a prepared batch within this many days",
        ),
        Deadline(
            "batch_result_days",
            ("SENT",),
            ("TransferFileExported",),
            14,
            "Import the bank's result within this many days of sending",
        ),
    ),
)

WITHDRAWN_STATE = next(
    t.target for t in ENTITLEMENT_LIFECYCLE.transitions if t.event == "WithdrawalObserved"
)
"""Where an entitlement stands once the bank shows her withdrawal of the credit."""
