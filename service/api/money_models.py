"""Request bodies of the money ledger's command endpoints (pydantic)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictInt, model_validator

from domain.decree import MAX_TRANCHE, AidComponent, PaymentType
from domain.entitlement import PaymentChannel
from domain.funding import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, FundingSource
from service.api.inputs import FromJson, Line
from service.api.models import CommandIn, DocumentIn, Rupiah, ShortText, Strict
from service.commands.money import LineKey, NewDecreeLine

FiscalYear = Annotated[StrictInt, Field(ge=FIRST_FISCAL_YEAR, le=LAST_FISCAL_YEAR)]
Tranche = Annotated[StrictInt, Field(ge=1, le=MAX_TRANCHE)]
# A batch of a national programme can be large; each id is checked by the ledger.
Id = Annotated[UUID, FromJson]
EntitlementIds = Annotated[list[Id], Field(min_length=1, max_length=100_000)]


class CommitFundsIn(CommandIn):
    """A fiscal year's commitment of one DIPA (APBN) or DPA (APBD) line; `document` is it."""

    fiscal_year: FiscalYear
    source: Annotated[FundingSource, FromJson]
    budget_line: ShortText
    funder: ShortText
    amount: Rupiah
    rebudgeted_from: Id | None = None


class AllocateIn(CommandIn):
    """Entitlements to fund from the commitment, all or none."""

    entitlement_ids: EntitlementIds


class DecreeLineIn(Strict):
    """One line: a beneficiary (aid) or a payee's name (compensation), component and amount."""

    component: Annotated[AidComponent, FromJson]
    amount: Rupiah
    tranche: Tranche = 1
    beneficiary_id: Id | None = None
    payee_name: ShortText | None = None

    @model_validator(mode="after")
    def _one_recipient(self) -> DecreeLineIn:
        if (self.beneficiary_id is None) == (self.payee_name is None):
            raise ValueError("give either beneficiary_id or payee_name")
        return self

    def to_line(self) -> NewDecreeLine:
        """The ledger's form."""
        return NewDecreeLine(
            self.component, self.amount, self.tranche, self.beneficiary_id, self.payee_name
        )


class IssueDecreeIn(CommandIn):
    """A decree (SK): authority, number, legal basis, lines; `document` is the SK itself."""

    authority: ShortText
    number: ShortText
    legal_basis: ShortText
    payment_type: Annotated[PaymentType, FromJson] = PaymentType.BENEFICIARY_AID
    lines: Annotated[list[DecreeLineIn], Field(min_length=1, max_length=100_000)]
    court_decision: DocumentIn | None = None
    jadup_requires_arrival: bool = True


class LineKeyIn(Strict):
    """Names an existing decree line."""

    subject_id: Id
    component: Annotated[AidComponent, FromJson]
    tranche: Tranche = 1

    def to_key(self) -> LineKey:
        """The ledger's form."""
        return LineKey(self.subject_id, self.component, self.tranche)


class ChangedLineIn(LineKeyIn):
    """An existing line with its new amount."""

    amount: Rupiah


class AmendDecreeIn(CommandIn):
    """An amending decree: added lines, changed amounts, removed lines."""

    amendment_number: ShortText
    added: list[DecreeLineIn] = Field(default_factory=list, max_length=100_000)
    changed: list[ChangedLineIn] = Field(default_factory=list, max_length=100_000)
    removed: list[LineKeyIn] = Field(default_factory=list, max_length=100_000)


class BankAccountIn(CommandIn):
    """Her account: bank code, number and the holder's name as the passbook prints it."""

    bank_code: Line = Field(pattern=r"^[0-9]{3}$")
    account_number: Line = Field(pattern=r"^[0-9]{6,20}$")
    holder_name: ShortText


class CreateBatchIn(CommandIn):
    """A payment batch of entitlements ready to pay."""

    batch_number: Line = Field(min_length=1, max_length=32)
    entitlement_ids: EntitlementIds
    channel: Annotated[PaymentChannel, FromJson] = PaymentChannel.BANK_TRANSFER


class WithdrawalIn(CommandIn):
    """A withdrawal seen on a bank statement (`document`); the statement line's reference."""

    bank_reference: ShortText


class TreasuryReturnIn(CommandIn):
    """Unclaimed money deposited back to the treasury; `document` is the deposit slip."""

    treasury_reference: ShortText
