"""FundingCommitment: money committed for one fiscal year from one budget line.

A commitment is the ceiling every allocation is checked against. The allocation is recorded
here and on the entitlement in one save, so two concurrent allocations that together exceed
the ceiling meet on this aggregate's version and one of them is refused, never lost.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LifecycleAggregate
from domain.errors import InvalidValue
from domain.free_text import require_no_personal_data
from domain.guards import require_amount, require_document
from domain.money import format_rupiah
from domain.money_errors import CommitmentExceeded, OutsideFiscalYear
from domain.money_lifecycles import COMMITMENT_LIFECYCLE
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance

FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2000, 2100


class FundingSource(StrEnum):
    """Who pays: the state budget through a DIPA line, or a regional budget through a DPA."""

    APBN = "apbn"
    APBD = "apbd"

    @property
    def budget_document(self) -> DocumentKind:
        """The paper that commits this source's money: a DIPA (APBN) or a DPA (APBD)."""
        return DocumentKind.DIPA if self is FundingSource.APBN else DocumentKind.DPA


def fiscal_year_of(day: date) -> int:
    """The fiscal year a business date falls in (1 January to 31 December, UU 17/2003)."""
    return day.year


class FundingCommitment(LifecycleAggregate):
    """The funds of one budget line in one fiscal year and what has been allocated from them."""

    lifecycle = COMMITMENT_LIFECYCLE

    class FundsCommitted(LifecycleAggregate.Created):
        """Funds were committed; `document` is the DIPA or DPA."""

        fiscal_year: int
        source: FundingSource
        budget_line: str
        funder: str
        amount: int
        rebudgeted_from: UUID | None

    class AllocationRecorded(LifecycleAggregate.Event):
        """Part of the commitment was allocated to one entitlement."""

        entitlement_id: UUID
        amount: int

    class AllocationReleased(LifecycleAggregate.Event):
        """An allocation came back: its entitlement was cancelled, reduced or lapsed."""

        entitlement_id: UUID
        amount: int
        lapsed: bool

    class FiscalYearClosed(LifecycleAggregate.Event):
        """The fiscal year closed; `lapsed_amount` was never spent and can be re-budgeted."""

        lapsed_amount: int

    @staticmethod
    def create_id(fiscal_year: int, source: FundingSource, budget_line: str) -> UUID:
        """Deterministic id: one commitment per budget line per fiscal year."""
        return uuid5(NAMESPACE_URL, f"jejak:commitment:{fiscal_year}:{source}:{budget_line}")

    @classmethod
    def commit(
        cls,
        *,
        fiscal_year: int,
        source: FundingSource,
        budget_line: str,
        funder: str,
        amount: int,
        provenance: Provenance,
        rebudgeted_from: UUID | None = None,
    ) -> FundingCommitment:
        """Commit funds of `budget_line` for `fiscal_year`; the document is the DIPA or DPA."""
        if not FIRST_FISCAL_YEAR <= fiscal_year <= LAST_FISCAL_YEAR:
            raise InvalidValue(
                f"must be between {FIRST_FISCAL_YEAR} and {LAST_FISCAL_YEAR}", field="fiscal_year"
            )
        if not budget_line.strip():
            raise InvalidValue("the DIPA or DPA line must be named", field="budget_line")
        if not funder.strip():
            raise InvalidValue("the funder must be named", field="funder")
        require_no_personal_data(funder, field="funder")  # kept in clear (ADR 0041)
        require_amount(amount)
        require_document(
            provenance, "the DIPA or DPA", COMMITMENT_LIFECYCLE.documents_for("commit_funds")
        )
        return cls(
            fiscal_year=fiscal_year,
            source=FundingSource(source),
            budget_line=budget_line.strip(),
            funder=funder.strip(),
            amount=amount,
            rebudgeted_from=rebudgeted_from,
            **provenance.event_fields(),
        )

    @event(FundsCommitted)
    def __init__(
        self,
        fiscal_year: int,
        source: FundingSource,
        budget_line: str,
        funder: str,
        amount: int,
        rebudgeted_from: UUID | None,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.fiscal_year = fiscal_year
        self.source = FundingSource(source)
        self.budget_line = budget_line
        self.funder = funder
        self.amount = amount
        self.rebudgeted_from = rebudgeted_from
        self.allocations: dict[UUID, int] = {}
        # The sum of `allocations`, kept as they change: one allocation of 40,000 lines
        # checks the ceiling 40,000 times, and summing each time made it quadratic.
        self.allocated = 0
        self.lapsed_amount = 0

    @property
    def available(self) -> int:
        """What can still be allocated."""
        return self.amount - self.allocated

    def check_in_fiscal_year(self, day: date, field: str = "occurred_on") -> None:
        """Money from this commitment moves only within its fiscal year (A12)."""
        if fiscal_year_of(day) != self.fiscal_year:
            raise OutsideFiscalYear(
                f"dated outside fiscal year {self.fiscal_year} of these funds", field=field
            )

    def allocate(self, *, entitlement_id: UUID, amount: int, provenance: Provenance) -> None:
        """Allocate `amount` to one entitlement; refused past the commitment."""
        self._allowed("allocate")
        require_amount(amount)
        self.check_in_fiscal_year(provenance.occurred_on)
        already = self.allocations.get(entitlement_id, 0)
        if amount > self.available + already:
            raise CommitmentExceeded(
                f"only {format_rupiah(self.available + already)} of this commitment is unallocated",
                field="amount",
            )
        self._allocation_recorded(
            entitlement_id=entitlement_id, amount=amount, **provenance.event_fields()
        )

    @event(AllocationRecorded)
    def _allocation_recorded(
        self,
        entitlement_id: UUID,
        amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.allocated += amount - self.allocations.get(entitlement_id, 0)
        self.allocations[entitlement_id] = amount

    def release(self, *, entitlement_id: UUID, lapsed: bool, provenance: Provenance) -> int:
        """Release an entitlement's allocation; returns the amount released."""
        self._allowed("release_allocation")
        amount = self.allocations.get(entitlement_id)
        if amount is None:
            raise InvalidValue("nothing is allocated to this entitlement", field="entitlement_id")
        self._allocation_released(
            entitlement_id=entitlement_id, amount=amount, lapsed=lapsed, **provenance.event_fields()
        )
        return amount

    @event(AllocationReleased)
    def _allocation_released(
        self,
        entitlement_id: UUID,
        amount: int,
        lapsed: bool,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        self.allocated -= self.allocations.pop(entitlement_id)

    def close_fiscal_year(self, *, provenance: Provenance) -> int:
        """Close the year: everything not spent lapses. Returns the lapsed amount.

        The caller lapses the entitlements still waiting for payment first (releasing their
        allocations), so what remains allocated here was ordered or paid.
        """
        self._allowed("close_fiscal_year")
        if provenance.occurred_on < date(self.fiscal_year, 12, 31):
            raise OutsideFiscalYear(
                f"fiscal year {self.fiscal_year} closes on 31 December", field="occurred_on"
            )
        unspent = self.available
        self._fiscal_year_closed(lapsed_amount=unspent, **provenance.event_fields())
        return unspent

    @event(FiscalYearClosed)
    def _fiscal_year_closed(
        self,
        lapsed_amount: int,
        actor: Actor,
        occurred_on: date,
        document: DocumentRef | None,
        reason: str | None,
    ) -> None:
        # Released allocations of lapsed entitlements are part of what was unallocated.
        self.lapsed_amount = lapsed_amount
