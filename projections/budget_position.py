"""budget_position: for each fiscal year's commitment, how much is committed, allocated,
ordered, credited, returned and lapsed?

The figures of one commitment (whole rupiah) move like this:

- `committed`: set by FundsCommitted (the DIPA or DPA amount); never moves after.
- `allocated`: what is allocated now. AllocationRecorded adds its amount, or, when the same
  entitlement was already allocated here (an amending decree changed its amount), replaces the
  earlier amount; AllocationReleased (cancellation, or a lapse at the year's close) subtracts
  it. The commitment refuses allocations past `committed`, so allocated <= committed always.
- `ordered`: what approved batches ordered and the bank has not failed. PaymentOrdered adds
  the ordered amount, PaymentFailed takes that amount off again (a re-order adds it anew).
  A credited order stays ordered.
- `credited`: CreditedToAccount adds the amount the bank credited.
- `returned`: FundsReturned adds the unclaimed money deposited back into the treasury.
- An approved correction of a credit or a return (MoneyCorrectionApproved) moves `credited` or
  `returned` by the difference between the corrected amount and the recorded one.
- `lapsed`: set by FiscalYearClosed to what was never allocated or was released by the lapse.
- `state`: OPEN, then CLOSED by FiscalYearClosed (the commitment's declared lifecycle).

Bank events name the entitlement, not the commitment, so the projection keeps its own memory
of which commitment funds each entitlement (`budget_allocations`), folded from the
commitment's AllocationRecorded and AllocationReleased events.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, Column, Connection, Integer, String, Table

from domain.entitlement import Entitlement
from domain.funding import FundingCommitment
from domain.money_lifecycles import COMMITMENT_LIFECYCLE
from projections.base import PositionedEvent, Projection, Row, load_rows, replace_rows
from projections.provenance import stamp
from projections.schema import metadata, provenance_columns

budget_position = Table(
    "budget_position",
    metadata,
    Column("commitment_id", String(36), primary_key=True),
    Column("fiscal_year", Integer, nullable=False, index=True),
    Column("source", String(8), nullable=False),
    Column("budget_line", String(100), nullable=False),
    Column("funder", String(200), nullable=False),
    Column("committed", BigInteger, nullable=False),
    Column("allocated", BigInteger, nullable=False),
    Column("ordered", BigInteger, nullable=False),
    Column("credited", BigInteger, nullable=False),
    Column("returned", BigInteger, nullable=False),
    Column("lapsed", BigInteger, nullable=False),
    Column("state", String(32), nullable=False),
    Column("rebudgeted_from", String(36)),
    *provenance_columns(),
)


# budget_position's own memory of which commitment funds each entitlement, and how much is
# allocated and ordered on it, so that bank events (which name no commitment) land on the
# right budget line.
budget_allocations = Table(
    "budget_allocations",
    metadata,
    Column("entitlement_id", String(36), primary_key=True),
    Column("commitment_id", String(36), nullable=False, index=True),
    Column("allocated", BigInteger, nullable=False),
    Column("ordered", BigInteger, nullable=False),
)

COMMITMENT_EVENTS = frozenset(t.event for t in COMMITMENT_LIFECYCLE.transitions)
ALLOCATION_EVENTS = (FundingCommitment.AllocationRecorded, FundingCommitment.AllocationReleased)
# Entitlement events that move money on the commitment funding the entitlement.
BANK_EVENTS = (
    Entitlement.PaymentOrdered,
    Entitlement.PaymentFailed,
    Entitlement.CreditedToAccount,
    Entitlement.FundsReturned,
    Entitlement.MoneyCorrectionApproved,
)


@dataclass
class BudgetState:
    """The budget rows (by commitment) and allocations (by entitlement) folded so far."""

    budgets: dict[Hashable, Row] = field(default_factory=dict)
    allocations: dict[Hashable, Row] = field(default_factory=dict)


def fold_budget(state: BudgetState, event: PositionedEvent) -> tuple[str, str | None] | None:
    """Fold one event into `state` (pure apart from that); returns the (commitment,
    entitlement) it changed, or None when it is not a budget event."""
    e = event.event
    if event.name in COMMITMENT_EVENTS:
        commitment = str(e.originator_id)
        entitlement = str(e.entitlement_id) if isinstance(e, ALLOCATION_EVENTS) else None
    elif isinstance(e, BANK_EVENTS):
        entitlement = str(e.originator_id)
        allocation = state.allocations.get(entitlement)
        if allocation is None:
            return None  # money moved on an allocation not in what is folded (a cut's edge)
        commitment = allocation["commitment_id"]
    else:
        return None
    if isinstance(e, FundingCommitment.FundsCommitted):
        row: Row = {
            "commitment_id": commitment,
            "fiscal_year": e.fiscal_year,
            "source": str(e.source),
            "budget_line": e.budget_line,
            "funder": e.funder,
            "committed": e.amount,
            "allocated": 0,
            "ordered": 0,
            "credited": 0,
            "returned": 0,
            "lapsed": 0,
            "rebudgeted_from": str(e.rebudgeted_from) if e.rebudgeted_from else None,
        }
    elif commitment not in state.budgets:
        return None  # a step of a commitment not made in what is folded
    else:
        row = dict(state.budgets[commitment])
    if event.name in COMMITMENT_EVENTS:
        row["state"] = COMMITMENT_LIFECYCLE.folded_target(event.name, row.get("state"))
    if entitlement is not None:
        _move(row, state, commitment, entitlement, event)
    elif isinstance(e, FundingCommitment.FiscalYearClosed):
        row["lapsed"] = e.lapsed_amount
    state.budgets[commitment] = stamp(row, event)
    return commitment, entitlement


def _move(
    row: Row, state: BudgetState, commitment: str, entitlement: str, event: PositionedEvent
) -> None:
    held = state.allocations.get(entitlement)
    if held is not None and held["commitment_id"] != commitment:
        held = None  # allocated before from another year's commitment, since released
    allocation = dict(held or {"entitlement_id": entitlement, "commitment_id": commitment})
    allocation.setdefault("allocated", 0)
    allocation.setdefault("ordered", 0)
    match event.event:
        case FundingCommitment.AllocationRecorded(amount=amount):
            row["allocated"] += amount - allocation["allocated"]
            allocation["allocated"] = amount
        case FundingCommitment.AllocationReleased(amount=amount):
            row["allocated"] -= amount
            allocation["allocated"] = 0
        case Entitlement.PaymentOrdered(amount=amount):
            row["ordered"] += amount
            allocation["ordered"] = amount
        case Entitlement.PaymentFailed():
            row["ordered"] -= allocation["ordered"]
            allocation["ordered"] = 0
        case Entitlement.CreditedToAccount(amount=amount):
            row["credited"] += amount
        case Entitlement.FundsReturned(amount=amount):
            row["returned"] += amount
        case Entitlement.MoneyCorrectionApproved() as e:
            # The corrected amount replaces the recorded one (ADR 0022).
            column = "credited" if e.corrected_event == "CreditedToAccount" else "returned"
            row[column] += e.amount - e.previous_amount
    state.allocations[entitlement] = allocation


def budget_of_log(events: Iterable[PositionedEvent]) -> BudgetState:
    """Both tables' rows from the whole log, in memory: what the tables must hold."""
    state = BudgetState()
    for event in events:
        fold_budget(state, event)
    return state


class BudgetPosition(Projection):
    """Loads the commitments and allocations a batch touches, folds, rewrites them."""

    name = "budget_position"
    budgets = budget_position
    allocations = budget_allocations
    tables = (budget_allocations, budget_position)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        relevant = [
            e for e in events if e.name in COMMITMENT_EVENTS or isinstance(e.event, BANK_EVENTS)
        ]
        if not relevant:
            return
        moved = [e.event for e in relevant]
        entitlements = sorted(
            {str(e.entitlement_id) for e in moved if isinstance(e, ALLOCATION_EVENTS)}
            | {str(e.originator_id) for e in moved if isinstance(e, BANK_EVENTS)}
        )
        state = BudgetState()
        state.allocations = load_rows(conn, self.allocations, "entitlement_id", entitlements)
        commitments = sorted(
            {str(e.event.originator_id) for e in relevant if e.name in COMMITMENT_EVENTS}
            | {a["commitment_id"] for a in state.allocations.values()}
        )
        state.budgets = load_rows(conn, self.budgets, "commitment_id", commitments)
        stored_budgets, stored_allocations = list(state.budgets), list(state.allocations)
        changed_budgets: dict[Hashable, None] = {}
        changed_allocations: dict[Hashable, None] = {}
        for event in relevant:
            changed = fold_budget(state, event)
            assert changed is not None
            changed_budgets[changed[0]] = None
            if changed[1] is not None:
                changed_allocations[changed[1]] = None
        replace_rows(
            conn,
            self.budgets,
            "commitment_id",
            list(changed_budgets),
            state.budgets,
            [k for k in stored_budgets if k in changed_budgets],
        )
        replace_rows(
            conn,
            self.allocations,
            "entitlement_id",
            list(changed_allocations),
            state.allocations,
            [k for k in stored_allocations if k in changed_allocations],
        )
