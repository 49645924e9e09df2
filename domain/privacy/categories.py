"""The categories of her data that are kept and destroyed apart, and how long each is kept
unless a recorded retention setting says otherwise.

The split follows the two data keys every person has (ADR 0005): what the identity key seals
is the identity minimum a payment's evidence needs (name, NIK, KK, birth date, sex, bank
account); what the case-file key seals is everything else about her (phone, assessment notes).
Destroying a category destroys its key, so every copy of the events loses it at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.sealed import KeyPurpose


class RetentionCategory(StrEnum):
    """A category of personal data with its own retention period and its own key."""

    IDENTITY_MINIMUM = "identity_minimum"
    CASE_FILE = "case_file"


class CountedFrom(StrEnum):
    """The fact a retention period runs from."""

    # Her last grant payment: the payment evidence must outlive the loss-recovery limitation
    # and the archive schedule (domain research §8.3).
    LAST_PAYMENT = "last_payment"
    # The day her case left the programme (closed, exited or referred).
    CASE_ENDED = "case_ended"


@dataclass(frozen=True)
class RetentionDefault:
    """How long a category is kept when no retention setting has been recorded."""

    category: RetentionCategory
    key_purpose: KeyPurpose
    years: int
    counted_from: CountedFrom
    basis: str


DEFAULT_RETENTION: Mapping[RetentionCategory, RetentionDefault] = MappingProxyType(
    {
        RetentionCategory.IDENTITY_MINIMUM: RetentionDefault(
            RetentionCategory.IDENTITY_MINIMUM,
            KeyPurpose.IDENTITY,
            # At least 8 years after the last payment (domain research §8.3): the JRA keeps
            # financial evidence for 10.
            years=10,
            counted_from=CountedFrom.LAST_PAYMENT,
            basis="JRA arsip keuangan; UU 15/2004 Pasal 10; batas waktu tuntutan ganti rugi",
        ),
        RetentionCategory.CASE_FILE: RetentionDefault(
            RetentionCategory.CASE_FILE,
            KeyPurpose.CASEFILE,
            years=5,
            counted_from=CountedFrom.CASE_ENDED,
            basis="JRA arsip kasus rehabilitasi sosial; UU 27/2022 Pasal 43 (tujuan tercapai)",
        ),
    }
)

RETENTION_FLOOR_YEARS: Mapping[RetentionCategory, int] = MappingProxyType(
    {
        # A claim for state or regional loss lapses 8 years after the loss occurred (UU 1/2004
        # Pasal 65; PP 38/2016 Pasal 48): the payment evidence must outlive it, whatever a
        # setting says (domain research 6.5).
        RetentionCategory.IDENTITY_MINIMUM: 8,
        # No statute keeps the case file; a setting may shorten it to a year after the case.
        RetentionCategory.CASE_FILE: 1,
    }
)
"""The shortest period a retention setting may give each category."""
