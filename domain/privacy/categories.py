"""The categories of personal data Jejak keeps, and how long each is kept by default.

The two categories follow the two data keys of every person (ADR 0005): what a destroyed key
makes unreadable is exactly one category. Each category's period is counted from a basis
event of her case; a period set by the programme (`domain.privacy.retention`) replaces the
default, which applies until one is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.sealed import KeyPurpose


class RetentionCategory(StrEnum):
    """A category of personal data with its own retention period."""

    # Name, NIK, KK, birth date, sex and bank account: the identity minimum kept as payment
    # evidence (domain research 8.3 (a)), sealed under the identity key.
    IDENTITY_MINIMUM = "identity_minimum"
    # Contact details and the assessment: the rest of her case file (8.3 (b)), sealed under
    # the case-file key.
    CASE_FILE = "case_file"


class RetentionBasis(StrEnum):
    """The event of her case a retention period is counted from."""

    # Her last payment (a money movement on one of her entitlements), and never before her
    # case ended: a case still open is still in use.
    LAST_PAYMENT = "last_payment"
    # The step that ended her case (closure, exclusion, withdrawal, death, referral).
    CASE_END = "case_end"


@dataclass(frozen=True)
class RetentionDefault:
    """A category's period until the programme sets one, and the shortest it may be set to."""

    years: int
    basis: RetentionBasis
    floor_years: int
    grounds: str


DEFAULTS: dict[RetentionCategory, RetentionDefault] = {
    RetentionCategory.IDENTITY_MINIMUM: RetentionDefault(
        years=10,
        basis=RetentionBasis.LAST_PAYMENT,
        # A claim for state loss lapses 8 years after it occurred (UU 1/2004 Pasal 65,
        # PP 38/2016 Pasal 48): the payment evidence must outlive it.
        floor_years=8,
        grounds=(
            "Payment evidence: JRA for financial records (Perka ANRI 6/2013); at least 8 years"
            " after the last payment (UU 1/2004 Pasal 65)"
        ),
    ),
    RetentionCategory.CASE_FILE: RetentionDefault(
        years=5,
        basis=RetentionBasis.CASE_END,
        floor_years=1,
        grounds=(
            "The case file serves the rehabilitation and its aftercare; kept 5 years after the"
            " case ends for complaints and the loss-claim discovery limit of 5 years"
        ),
    ),
}

KEY_OF: dict[RetentionCategory, KeyPurpose] = {
    RetentionCategory.IDENTITY_MINIMUM: KeyPurpose.IDENTITY,
    RetentionCategory.CASE_FILE: KeyPurpose.CASEFILE,
}
"""The data key whose destruction destroys each category."""
