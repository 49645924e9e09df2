"""payment_ledger: every rupiah movement of every entitlement, in log order, with running totals.

One append-only row per Entitlement event. A row carries the entitlement's dimensions as they
stood after the event (whose case, which site, component, fiscal year, source, batch), what the
event did to the money paid out (`paid_effect`), who recorded it on what document, and the net
paid so far per beneficiary, site, component, source and fiscal year.

The dimensions an entitlement stood on before a batch are its latest ledger row, so the ledger
needs no other read model's state beyond case numbers (see `projections.cases`). The running
totals live in `ledger_totals`, one row per (dimension, key), so a batch loads and rewrites only
the totals it touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    select,
)

from domain.decree import AidComponent
from domain.entitlement import Entitlement
from projections.base import PositionedEvent, Projection, Row, key_in
from projections.cases import CaseNumbers, case_numbers
from projections.entitlement_status import ENTITLEMENT_EVENTS
from projections.schema import metadata

payment_ledger = Table(
    "payment_ledger",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("entitlement_id", String(36), nullable=False, index=True),
    # Null for a compensation payee, who is not a case.
    Column("beneficiary_id", String(36), index=True),
    Column("case_number", String(20)),
    Column("site_id", String(36), index=True),
    Column("component", String(16), nullable=False),
    Column("tranche", Integer, nullable=False),
    # The allocation the entitlement stood on after this event (null before funding).
    Column("fiscal_year", Integer),
    Column("source", String(8)),
    Column("budget_line", String(100)),
    Column("batch_id", String(36)),
    Column("event", String(64), nullable=False),
    # The rupiah the event names (null for events without an amount).
    Column("amount", BigInteger),
    # What the event did to the money paid out: +credited, -returned to the treasury, else 0.
    Column("paid_effect", BigInteger, nullable=False),
    Column("occurred_on", Date, nullable=False),
    # The bank's reference of a credit or withdrawal, or the treasury's of a return.
    Column("bank_reference", String(100)),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_org_unit", String(200), nullable=False),
    Column("document_kind", String(64)),
    Column("document_number", String(100)),
    Column("document_sha256", String(64)),
    Column("reason", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # Net paid (sum of paid_effect) after this row, per dimension; null where the row has no
    # key in that dimension (a payee has no beneficiary, an unfunded entitlement no year).
    Column("paid_total_beneficiary", BigInteger),
    Column("paid_total_site", BigInteger),
    Column("paid_total_component", BigInteger, nullable=False),
    Column("paid_total_source", BigInteger),
    Column("paid_total_fiscal_year", BigInteger),
)


ledger_totals = Table(
    "ledger_totals",
    metadata,
    # beneficiary, site, component, source or fiscal_year.
    Column("dimension", String(16), primary_key=True),
    Column("key", String(36), primary_key=True),
    Column("paid", BigInteger, nullable=False),
    Column("last_position", BigInteger, nullable=False),
)

# (dimension in ledger_totals, the ledger column that keys it)
DIMENSIONS = (
    ("beneficiary", "beneficiary_id"),
    ("site", "site_id"),
    ("component", "component"),
    ("source", "source"),
    ("fiscal_year", "fiscal_year"),
)
# The dimensions an entitlement carries from one of its ledger rows to the next.
CARRIED = (
    "entitlement_id",
    "beneficiary_id",
    "case_number",
    "site_id",
    "component",
    "tranche",
    "fiscal_year",
    "source",
    "budget_line",
    "batch_id",
)
TotalKey = tuple[str, str]
# A correction that waits for approval, or was rejected, moves no money and is no ledger line.

LEDGER_EVENTS = ENTITLEMENT_EVENTS - {"MoneyCorrectionRequested", "MoneyCorrectionRejected"}


@dataclass
class LedgerState:
    """What folding the ledger needs besides the events: each entitlement's latest row and the
    running totals touched so far (key -> (paid, last position))."""

    latest: dict[str, Row] = field(default_factory=dict)
    totals: dict[TotalKey, tuple[int, int]] = field(default_factory=dict)


def paid_effect(event: PositionedEvent) -> int:
    """What an event does to the money paid out: a credit adds, a return to the treasury
    takes away, an approved correction of either moves the total by the difference, everything
    else (orders included: they are not yet money received) is 0."""
    match event.event:
        case Entitlement.CreditedToAccount(amount=amount):
            return amount
        case Entitlement.FundsReturned(amount=returned):
            return -returned
        case Entitlement.MoneyCorrectionApproved(corrected_event=corrected) as e:
            difference = e.amount - e.previous_amount
            return difference if corrected == "CreditedToAccount" else -difference
    return 0


def fold_ledger(
    state: LedgerState, events: Iterable[PositionedEvent], cases: CaseNumbers
) -> list[Row]:
    """The ledger rows of `events` (pure apart from advancing `state`)."""
    rows = []
    for event in events:
        if event.name not in LEDGER_EVENTS:
            continue
        entitlement = str(event.event.originator_id)
        was = state.latest.get(entitlement)
        if was is None and not isinstance(event.event, Entitlement.EntitlementPlanned):
            continue  # a step of an entitlement not planned in what is folded: no line to carry
        row = _entry(was, event, cases)
        for dimension, column in DIMENSIONS:
            total_column = f"paid_total_{dimension}"
            if row[column] is None:
                row[total_column] = None
                continue
            key = (dimension, str(row[column]))
            paid = state.totals.get(key, (0, 0))[0] + row["paid_effect"]
            state.totals[key] = (paid, event.position)
            row[total_column] = paid
        state.latest[entitlement] = row
        rows.append(row)
    return rows


def ledger_of_log(events: Sequence[PositionedEvent]) -> tuple[list[Row], LedgerState]:
    """The whole ledger and its totals from the whole log, in memory: what the tables hold."""
    state = LedgerState()
    return fold_ledger(state, events, case_numbers(None, events)), state


def _entry(was: Row | None, event: PositionedEvent, cases: CaseNumbers) -> Row:
    e = event.event
    if isinstance(e, Entitlement.EntitlementPlanned):
        payee = AidComponent(e.component) is AidComponent.COMPENSATION
        dims: Row = {
            "entitlement_id": str(e.originator_id),
            "beneficiary_id": None if payee else str(e.subject_id),
            "case_number": None if payee else cases.get(str(e.subject_id)),
            "site_id": str(e.site_id) if e.site_id else None,
            "component": str(e.component),
            "tranche": e.tranche,
            "fiscal_year": None,
            "source": None,
            "budget_line": None,
            "batch_id": None,
        }
    else:
        assert was is not None, "only a planned entitlement has steps to enter"
        dims = {k: was[k] for k in CARRIED}
    if isinstance(e, Entitlement.FundsAllocated):
        dims |= {
            "fiscal_year": e.fiscal_year,
            "source": str(e.source),
            "budget_line": e.budget_line,
        }
    batch = getattr(e, "batch_id", None)
    if batch is not None:
        dims["batch_id"] = str(batch)
    document = e.document
    return dims | {
        "position": event.position,
        "event": event.name,
        "amount": _amount(event),
        "paid_effect": paid_effect(event),
        "occurred_on": e.occurred_on,
        "bank_reference": getattr(e, "bank_reference", None)
        or getattr(e, "treasury_reference", None)
        or getattr(e, "reference", None),
        "actor_id": e.actor.user_id,
        "actor_role": str(e.actor.role),
        "actor_org_unit": e.actor.org_unit,
        "document_kind": document.kind if document else None,
        "document_number": document.number if document else None,
        "document_sha256": document.sha256 if document else None,
        "reason": e.reason,
        "recorded_at": event.recorded_at,
    }


def _amount(event: PositionedEvent) -> int | None:
    if isinstance(event.event, Entitlement.EntitlementCancelled):
        return event.event.released_amount
    amount: int | None = getattr(event.event, "amount", None)
    return amount


class PaymentLedger(Projection):
    """Append-only ledger rows plus the running totals they end on."""

    name = "payment_ledger"
    ledger = payment_ledger
    totals = ledger_totals
    tables = (payment_ledger, ledger_totals)

    def apply(self, conn: Connection, events: Sequence[PositionedEvent]) -> None:
        money = [e for e in events if e.name in LEDGER_EVENTS]
        if not money:
            return
        # Folded from zero totals first: the keys touched are known only after the fold, and
        # each running total is then the stored total plus the batch's own running sum.
        state = LedgerState(latest=self._latest_rows(conn, money))
        rows = fold_ledger(state, money, case_numbers(conn, events))
        stored = self._totals(conn, set(state.totals))
        for row in rows:
            for dimension, column in DIMENSIONS:
                if row[column] is not None:
                    row[f"paid_total_{dimension}"] += stored.get((dimension, str(row[column])), 0)
        for key, (paid, position) in state.totals.items():
            state.totals[key] = (paid + stored.get(key, 0), position)
        conn.execute(self.ledger.insert(), rows)
        self._write_totals(conn, state)

    def _latest_rows(self, conn: Connection, money: Sequence[PositionedEvent]) -> dict[str, Row]:
        ids = sorted(
            {
                str(e.event.originator_id)
                for e in money
                if not isinstance(e.event, Entitlement.EntitlementPlanned)
            }
        )
        latest: dict[str, Row] = {}
        ledger = self.ledger.c
        for start in range(0, len(ids), 500):
            newest = (
                select(func.max(ledger.position))
                .where(key_in(conn, ledger.entitlement_id, ids[start : start + 500]))
                .group_by(ledger.entitlement_id)
            )
            query = select(self.ledger).where(ledger.position.in_(newest.scalar_subquery()))
            for found in conn.execute(query).mappings():
                latest[found["entitlement_id"]] = dict(found)
        return latest

    def _totals(self, conn: Connection, keys: set[TotalKey]) -> dict[TotalKey, int]:
        totals: dict[TotalKey, int] = {}
        for dimension, wanted in _by_dimension(keys).items():
            query = select(self.totals).where(
                and_(
                    self.totals.c.dimension == dimension,
                    key_in(conn, self.totals.c.key, wanted),
                )
            )
            for found in conn.execute(query).mappings():
                totals[(dimension, found["key"])] = found["paid"]
        return totals

    def _write_totals(self, conn: Connection, state: LedgerState) -> None:
        for dimension, wanted in _by_dimension(state.totals).items():
            conn.execute(
                delete(self.totals).where(
                    and_(
                        self.totals.c.dimension == dimension,
                        key_in(conn, self.totals.c.key, wanted),
                    )
                )
            )
        conn.execute(self.totals.insert(), totals_rows(state))


def totals_rows(state: LedgerState) -> list[dict[str, Any]]:
    """The ledger_totals rows of `state`, in key order."""
    return [
        {"dimension": dimension, "key": key, "paid": paid, "last_position": position}
        for (dimension, key), (paid, position) in sorted(state.totals.items())
    ]


def _by_dimension(keys: Iterable[TotalKey]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for dimension, key in sorted(keys):
        grouped.setdefault(dimension, []).append(key)
    return grouped
