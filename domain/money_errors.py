"""The rules the money ledger can break, each an error with a stable code (guards G-B1 to G-B9)."""

from __future__ import annotations

from domain.errors import RuleViolation


class CommitmentExceeded(RuleViolation):
    """Raised when an allocation would take a funding commitment past its amount."""

    code = "COMMITMENT_EXCEEDED"


class OutsideFiscalYear(RuleViolation):
    """Raised when a money step is dated outside the fiscal year of the funds it uses."""

    code = "OUTSIDE_FISCAL_YEAR"


class IdentityNotVerified(RuleViolation):
    """Raised when a decree would name someone whose identity was never verified (G-B1)."""

    code = "IDENTITY_NOT_VERIFIED"


class CourtDecisionRequired(RuleViolation):
    """Raised when compensation to a building owner or pengelola lacks a court decision."""

    code = "COURT_DECISION_REQUIRED"


class ComponentNotAllowed(RuleViolation):
    """Raised when an aid component does not fit the decree's payment type (A21)."""

    code = "COMPONENT_NOT_ALLOWED"


class EntitlementAlreadyDecreed(RuleViolation):
    """Raised when a component (and tranche) is decreed twice for one person (G-B3, G-B5)."""

    code = "ENTITLEMENT_ALREADY_DECREED"


class ArrivalNotConfirmed(RuleViolation):
    """Raised when living allowance would be released before arrival or a local stay (G-B6)."""

    code = "ARRIVAL_NOT_CONFIRMED"


class BankAccountMissing(RuleViolation):
    """Raised when a transfer is ordered for someone with no bank account on record."""

    code = "BANK_ACCOUNT_MISSING"


class AccountHolderMismatch(RuleViolation):
    """Raised when the account is not in the beneficiary's own name (G-B4)."""

    code = "ACCOUNT_HOLDER_MISMATCH"


class BankAccountShared(RuleViolation):
    """Raised when the account already belongs to another case (G-B4, A07)."""

    code = "BANK_ACCOUNT_SHARED"


class EntitlementNotReady(RuleViolation):
    """Raised when a batch names an entitlement that cannot be ordered in its state."""

    code = "ENTITLEMENT_NOT_READY"


class BatchLineConflict(RuleViolation):
    """Raised when a bank result contradicts what is already recorded for a line."""

    code = "BATCH_LINE_CONFLICT"


class AidStillDue(RuleViolation):
    """Raised when a case would be closed while some of her aid is still in progress."""

    code = "AID_STILL_DUE"


class FourEyesRequired(RuleViolation):
    """Raised when the person who prepared something also approves it."""

    code = "FOUR_EYES_REQUIRED"


class PaymentAfterExit(RuleViolation):
    """Raised when money would be ordered after her death or withdrawal (G-B9)."""

    code = "PAYMENT_AFTER_EXIT"


class AccountChangeWhileOrdered(RuleViolation):
    """Raised when her account would change while a transfer to it is at the bank (G-B8)."""

    code = "ACCOUNT_CHANGE_WHILE_ORDERED"
