"""Request and response bodies of the HTTP API (pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator
from pydantic_core import PydanticCustomError

from domain.beneficiary import PHONE, ExclusionReason, ReintegrationPath
from domain.identity import Sex
from domain.recording import DocumentKind, DocumentRef, Provenance, RegionRef
from domain.site import FundingStatus, InspectionOutcome
from service.api.inputs import BirthDate, BusinessDate, FromJson, Line, Text, Version
from service.provenance import provenance, today_wita
from service.security.accounts import Account

# The registration's phone rule, published in the OpenAPI as the domain checks it.
PHONE_PATTERN = f"^{PHONE.pattern}$"

Rupiah = Annotated[StrictInt, Field(gt=0, le=10**12, description="whole rupiah")]
ShortText = Annotated[Line, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    """Unknown fields are refused rather than silently dropped, and no value is coerced: a
    number sent as a string is refused as an amount is (ADR 0033). Dates come as ISO strings
    and enums and UUIDs as their JSON strings, by the types that say so."""

    model_config = ConfigDict(extra="forbid", strict=True)


class DocumentIn(Strict):
    """A supporting document: its kind (from the programme's one list; a step whose rule
    names a kind requires it), number, date and issuer."""

    kind: Annotated[DocumentKind, FromJson]
    number: ShortText
    issued_on: BusinessDate
    issuer: ShortText
    sha256: Line | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    def to_domain(self) -> DocumentRef:
        """The domain's document reference."""
        return DocumentRef(self.kind.value, self.number, self.issued_on, self.issuer, self.sha256)


class RegionIn(Strict):
    """A region code with its scheme (kemendagri or bps)."""

    scheme: Line = Field(default="kemendagri", pattern=r"^(kemendagri|bps)$")
    code: Line = Field(pattern=r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")

    def to_domain(self) -> RegionRef:
        """The domain's region reference."""
        return RegionRef(self.scheme, self.code)


def not_in_future(value: date) -> date:
    """A business date, refused (422) when it is after today in WITA."""
    if value > today_wita():
        raise PydanticCustomError(
            "date_in_future", "the business date must not be in the future (WITA)"
        )
    return value


class CommandIn(Strict):
    """Fields every command takes: the business date (WITA), the document, a reason, and
    optionally the version the client based its decision on (optimistic concurrency)."""

    occurred_on: BusinessDate
    document: DocumentIn | None = None
    reason: Text | None = Field(default=None, max_length=1000)
    expected_version: Version | None = None

    @field_validator("occurred_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        return not_in_future(value)

    def provenance_for(self, user: Account) -> Provenance:
        """Provenance attributing the command to `user`."""
        return provenance(
            user,
            self.occurred_on,
            self.document.to_domain() if self.document else None,
            self.reason,
        )


class RegisterSiteIn(CommandIn):
    """Register a site; `occurred_on` is the pendataan date."""

    code: Line = Field(pattern=r"^[A-Z]{2,4}-[A-Z]{2,4}$", examples=["TRK-JP"])
    name: ShortText
    aliases: list[ShortText] = Field(default_factory=list, max_length=20)
    kelurahan: RegionIn
    headcount_at_pendataan: int = Field(ge=0, le=100_000)


class SosialisasiIn(CommandIn):
    """A sosialisasi; `document` is its minutes."""

    venue: ShortText
    attendance: int = Field(ge=0, le=100_000)
    facilitators: list[ShortText] = Field(default_factory=list, max_length=50)


class ClosureDecreeIn(CommandIn):
    """The closure decree; `document` is the decree itself."""

    decree_number: ShortText
    signing_authority: ShortText


class ClosureIn(CommandIn):
    """The closure; `document` is the berita acara."""

    declared_headcount: int = Field(ge=0, le=100_000)
    # `unknown` when the berita acara does not say whether the funds were in place.
    funding_status: Annotated[FundingStatus, FromJson]


class InspectionIn(CommandIn):
    """A post-closure inspection."""

    outcome: Annotated[InspectionOutcome, FromJson]


class RegisterBeneficiaryIn(CommandIn):
    """Register a person at the site; `occurred_on` is the pendataan date."""

    case_number: Line = Field(pattern=r"^[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{4}$", examples=["TRK-JP-0001"])
    name: ShortText
    phone: Line | None = Field(default=None, pattern=PHONE_PATTERN)


class RosterRowIn(Strict):
    """One person on a pendataan roster."""

    case_number: Line = Field(pattern=r"^[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{4}$")
    name: ShortText
    phone: Line | None = Field(default=None, pattern=PHONE_PATTERN)


class RosterIn(CommandIn):
    """A whole pendataan roster, registered atomically."""

    people: list[RosterRowIn] = Field(min_length=1, max_length=20_000)


class VerifyIdentityIn(CommandIn):
    """Identity as presented (KTP, KK); sealed on arrival, never stored in plaintext."""

    nik: Line = Field(min_length=1, max_length=32)
    birth_date: BirthDate
    sex: Annotated[Sex, FromJson]
    kk: Line | None = Field(default=None, max_length=32)


class ExclusionIn(CommandIn):
    """Exclusion; `reason` is required."""

    exclusion: Annotated[ExclusionReason, FromJson]


class ChildProtectionIn(CommandIn):
    """Referral of a minor."""

    birth_date: BirthDate


class AssessmentIn(CommandIn):
    """The assessment; `document` evidences the home region."""

    home_region: RegionIn
    path: Annotated[ReintegrationPath, FromJson]
    notes: Text | None = Field(default=None, max_length=5000)


class TrainingDepartureIn(CommandIn):
    """Departure for training at a registered facility."""

    facility_id: Line = Field(default="KTM-PSKW-HM", max_length=32)


class TrainingCompletionIn(CommandIn):
    """Completed training; `document` is the certificate."""

    skill: ShortText


class ReturnHomeIn(CommandIn):
    """Arrival confirmed by the home kelurahan; `document` is the stamped confirmation."""

    confirming_kelurahan: RegionIn


class RevealIn(Strict):
    """The reveal act (ADR 0046): one field of her case, and why it is needed in clear."""

    field: Line = Field(
        max_length=40,
        description="name, nik, kk, birth_date, phone, bank_account or bank_account_holder",
        examples=["nik"],
    )
    reason: Line | None = Field(
        default=None,
        max_length=1000,
        description="why the value is needed in clear (required; at most 120 characters, no "
        "identifiers); the access log and her case's history keep it",
        examples=["Pencocokan KTP dengan berita acara serah terima"],
    )


class RevealOut(BaseModel):
    """One field of her case in clear: `[erased]` when her data was erased, null when the case
    holds no such value."""

    field: str
    value: str | None


class CommandOut(BaseModel):
    """What a command did: the aggregate, its new version and state, and the log position
    that queries can wait for (`?after=`)."""

    id: UUID
    version: int
    state: str
    position: int
