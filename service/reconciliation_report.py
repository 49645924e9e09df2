"""Reconciliation reports per batch and per period, read from the read models.

The ledger side is `entitlement_status` (each entitlement's credit, its bank reference, value
date, funding and any return); the bank side is `statement_movements`. The matching itself is
the pure `domain.reconciliation.reconcile`; this module only chooses what each report covers
and adds the totals per budget line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select

from domain.bank_statement import Movement, MovementKind
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from domain.reconciliation import LedgerCredit, Reconciliation, reconcile
from projections.base import key_in
from projections.tables import entitlement_status, statement_movements


@dataclass(frozen=True)
class BudgetLineTotals:
    """One commitment's money as the ledger and as the bank statement show it."""

    commitment_id: str
    ledger_net: int
    bank_net: int

    @property
    def agrees(self) -> bool:
        """True when both sides show the same net amount."""
        return self.ledger_net == self.bank_net


@dataclass(frozen=True)
class ReconciliationReport:
    """What a report covers, its findings and its totals."""

    scope: str
    start: date | None
    end: date | None
    as_of: date
    result: Reconciliation
    budget_lines: tuple[BudgetLineTotals, ...]

    @property
    def clean(self) -> bool:
        """True when every line matched and every budget line agrees."""
        return self.result.clean and all(b.agrees for b in self.budget_lines)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary with every finding listed."""
        r = self.result
        return {
            "scope": self.scope,
            "start": self.start,
            "end": self.end,
            "as_of": self.as_of,
            "clean": self.clean,
            "counts": {
                "matched": len(r.matched),
                "not_on_statement": len(r.not_on_statement),
                "unknown_to_system": len(r.unknown_to_system),
                "amount_mismatches": len(r.amount_mismatches),
                "not_withdrawn": len(r.not_withdrawn),
                "returns_unmatched": len(r.returns_unmatched),
            },
            "system_total": r.system_total,
            "bank_total": r.bank_total,
            "not_on_statement": [_credit(c) for c in r.not_on_statement],
            "unknown_to_system": [_movement(m) for m in r.unknown_to_system],
            "amount_mismatches": [
                {**_credit(m.credit), "bank_amount": m.movement.amount} for m in r.amount_mismatches
            ],
            "not_withdrawn": [_credit(c) for c in r.not_withdrawn],
            "returns_unmatched": [_movement(m) for m in r.returns_unmatched],
            "budget_lines": [
                {
                    "commitment_id": b.commitment_id,
                    "ledger_net": b.ledger_net,
                    "bank_net": b.bank_net,
                    "agrees": b.agrees,
                }
                for b in self.budget_lines
            ],
        }


class Reconciliations:
    """Builds reconciliation reports; `withdrawal_days` is the A14 threshold."""

    def __init__(self, engine: Engine, deadline_days: Mapping[str, int]) -> None:
        self._engine = engine
        # The same setting as the entitlement's withdrawal deadline on the worklist.
        default = next(d for d in ENTITLEMENT_LIFECYCLE.deadlines if d.setting == "withdrawal_days")
        self.withdrawal_days = deadline_days.get(default.setting, default.default_days)

    def for_batch(self, batch_id: UUID, as_of: date) -> ReconciliationReport:
        """One batch's credits against the statement lines of the dates they were credited.

        A transfer on those dates that matches no credit of any batch is reported here as
        unknown to the system; one that belongs to another batch is left to that batch.
        """
        credits = self._credits(entitlement_status.c.batch_id == str(batch_id))
        dates = [c.value_date for c in credits]
        if not dates:
            return self._report(f"batch {batch_id}", None, None, as_of, [], [])
        start, end = min(dates), max(dates)
        window = self._movements(start, end)
        known = self._known_references({m.bank_reference for m in window})
        ours = {c.bank_reference for c in credits}
        movements = [
            m
            for m in window
            if m.bank_reference in ours
            or (m.kind is MovementKind.TRANSFER_OUT and m.bank_reference not in known)
        ]
        # Withdrawals and returns of these credits may come after the window.
        movements += _not_in(self._movements_of(ours), movements)
        return self._report(f"batch {batch_id}", start, end, as_of, credits, movements)

    def for_period(self, start: date, end: date, as_of: date) -> ReconciliationReport:
        """Every credit with a value date in [start, end] against the statement's lines."""
        c = entitlement_status.c
        credits = self._credits(c.credited_on >= start, c.credited_on <= end)
        movements = self._movements(start, end)
        references = {credit.bank_reference for credit in credits}
        movements += _not_in(self._movements_of(references), movements)
        return self._report(f"{start} to {end}", start, end, as_of, credits, movements)

    def _report(
        self,
        scope: str,
        start: date | None,
        end: date | None,
        as_of: date,
        credits: Sequence[LedgerCredit],
        movements: Sequence[Movement],
    ) -> ReconciliationReport:
        result = reconcile(credits, movements, as_of=as_of, withdrawal_days=self.withdrawal_days)
        return ReconciliationReport(scope, start, end, as_of, result, _budget_lines(result))

    def _credits(self, *conditions: Any) -> list[LedgerCredit]:
        c = entitlement_status.c
        query = (
            select(entitlement_status)
            .where(c.credited_amount > 0, *conditions)
            .order_by(c.credited_on, c.bank_reference)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            LedgerCredit(
                entitlement_id=UUID(row["entitlement_id"]),
                batch_id=UUID(row["batch_id"]),
                bank_reference=row["bank_reference"],
                amount=row["credited_amount"],
                value_date=row["credited_on"],
                commitment_id=UUID(row["commitment_id"]) if row["commitment_id"] else None,
                returned_amount=row["returned_amount"],
                withdrawal_recorded=row["state"] == "USED",
            )
            for row in rows
        ]

    def _movements(self, start: date, end: date) -> list[Movement]:
        c = statement_movements.c
        return self._movement_rows(c.value_date >= start, c.value_date <= end)

    def _movements_of(self, references: Iterable[str]) -> list[Movement]:
        wanted = sorted(references)
        found: list[Movement] = []
        for offset in range(0, len(wanted), 500):
            chunk = wanted[offset : offset + 500]
            with self._engine.connect() as conn:
                condition = key_in(conn, statement_movements.c.bank_reference, chunk)
            found += self._movement_rows(condition)
        return found

    def _movement_rows(self, *conditions: Any) -> list[Movement]:
        c = statement_movements.c
        query = (
            select(c.value_date, c.bank_reference, c.amount, c.kind)
            .where(*conditions)
            .order_by(c.value_date, c.statement_id, c.line_no)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        # The same line in two overlapping statements is one movement.
        unique = dict.fromkeys(
            Movement(day, reference, amount, MovementKind(kind))
            for day, reference, amount, kind in rows
        )
        return list(unique)

    def _known_references(self, references: set[str]) -> set[str]:
        wanted = sorted(references)
        known: set[str] = set()
        c = entitlement_status.c
        for offset in range(0, len(wanted), 500):
            chunk = wanted[offset : offset + 500]
            with self._engine.connect() as conn:
                query = select(c.bank_reference).where(key_in(conn, c.bank_reference, chunk))
                known |= {r for (r,) in conn.execute(query)}
        return known


def _not_in(found: Sequence[Movement], movements: Sequence[Movement]) -> list[Movement]:
    """The movements of `found` not already in `movements`, by a set: a batch of 40,000
    transfers brings 80,000 movements, and a list scan per movement was quadratic."""
    seen = set(movements)
    return [m for m in found if m not in seen]


def _budget_lines(result: Reconciliation) -> tuple[BudgetLineTotals, ...]:
    """Net money per commitment on each side: credits less returns, transfers less returns."""
    ledger: dict[str, int] = defaultdict(int)
    bank: dict[str, int] = defaultdict(int)
    returned = {m.bank_reference: m.amount for m in result.returns_matched}
    credits = [c for c, _ in result.matched] + result.not_on_statement
    credits += [m.credit for m in result.amount_mismatches]
    transferred = {c.bank_reference: m.amount for c, m in result.matched}
    transferred |= {m.credit.bank_reference: m.movement.amount for m in result.amount_mismatches}
    for credit in credits:
        key = str(credit.commitment_id) if credit.commitment_id else "unfunded"
        ledger[key] += credit.amount - credit.returned_amount
        reference = credit.bank_reference
        bank[key] += transferred.get(reference, 0) - returned.get(reference, 0)
    return tuple(
        BudgetLineTotals(key, ledger[key], bank[key]) for key in sorted(ledger.keys() | bank.keys())
    )


def _credit(credit: LedgerCredit) -> dict[str, Any]:
    return {
        "entitlement_id": str(credit.entitlement_id),
        "batch_id": str(credit.batch_id),
        "bank_reference": credit.bank_reference,
        "amount": credit.amount,
        "value_date": credit.value_date,
    }


def _movement(movement: Movement) -> dict[str, Any]:
    return {
        "bank_reference": movement.bank_reference,
        "amount": movement.amount,
        "value_date": movement.value_date,
        "kind": str(movement.kind),
    }
