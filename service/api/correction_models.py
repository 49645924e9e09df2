"""Request bodies of the correction endpoints (ADR 0022)."""

from __future__ import annotations

from pydantic import Field, field_validator

from service.api.inputs import BusinessDate, Line, Text, Version
from service.api.models import (
    PHONE_PATTERN,
    CommandIn,
    DocumentIn,
    RegionIn,
    Rupiah,
    ShortText,
    not_in_future,
)

# Not blank: a reason of spaces alone is no reason.
Reason = Field(min_length=1, max_length=1000, pattern=r"\S")


class CorrectionIn(CommandIn):
    """What every correction takes: the reason and the document that shows the correct value
    are required; `occurred_on` is the day the correction is made."""

    document: DocumentIn
    reason: Text = Reason


class SiteDetailsCorrectionIn(CorrectionIn):
    """Correct a site's registration details; a field left out stays as recorded."""

    name: ShortText | None = None
    aliases: list[ShortText] | None = Field(default=None, max_length=20)
    kelurahan: RegionIn | None = None
    headcount_at_pendataan: int | None = Field(default=None, ge=0, le=100_000)


class BeneficiaryDetailsCorrectionIn(CorrectionIn):
    """Correct her name or phone (sealed with her keys); a field left out stays as recorded."""

    name: ShortText | None = None
    phone: Line | None = Field(default=None, pattern=PHONE_PATTERN)


class DateCorrectionIn(CorrectionIn):
    """Correct the business date of the event at `corrects_version` (see the history)."""

    corrects_version: Version
    corrected_date: BusinessDate

    @field_validator("corrected_date")
    @classmethod
    def _corrected_not_in_future(cls, value: BusinessDate) -> BusinessDate:
        return not_in_future(value)


class DocumentCorrectionIn(CorrectionIn):
    """Correct the document reference of the event at `corrects_version`."""

    corrects_version: Version
    corrected_document: DocumentIn


class MoneyCorrectionIn(CorrectionIn):
    """Request a correction of the credit or return at `corrects_version`: its amount, its
    bank (or treasury) reference, or both. It counts once a second supervisor approves it."""

    corrects_version: Version
    amount: Rupiah | None = None
    reference: ShortText | None = None


class RejectionIn(CommandIn):
    """Reject a pending correction; the reason is required."""

    reason: Text = Reason
