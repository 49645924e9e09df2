"""Reconciliation reports per batch and per period, read from the read models.

The ledger side is `entitlement_status` (each entitlement's credit, its bank reference, value
date, funding and any return); the bank side is `statement_movements`. The matching itself is
the pure `domain.reconciliation.reconcile`; this module only chooses what each report covers
and adds the totals per budget line. `ReconciliationsAt` reads both sides at a past cut.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select

from domain.bank_statement import BankStatement, Movement, MovementKind
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE, WITHDRAWN_STATE
from domain.reconciliation import LedgerCredit, Reconciliation, reconcile
from projections.base import Row
from projections.entitlement_status import entitlement_status
from projections.statement_movements import movement_rows, statement_movements
from service.queries.time_travel import (
    Cut,
    OneOf,
    Where,
    Within,
    filter_holds,
    filter_sql,
    read_model_at,
    replay_read_model_at,
)
from service.store.event_log import decode_stored, log_events, topics_of
from service.system import Jejak

# Larger than any credit: "credited" is a credited amount in [1, MAX_AMOUNT].
MAX_AMOUNT = 2**62


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
        credits = self._credits({"batch_id": str(batch_id)})
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
        credits = self._credits({"credited_on": Within(start, end)})
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

    # --- the two sides: entitlement_status and statement_movements ---------------------------

    def entitlements(self, where: Where) -> list[Row]:
        """entitlement_status's rows matching `where`."""
        c = entitlement_status.c
        query = select(entitlement_status).where(
            *(filter_sql(c[column], wanted) for column, wanted in where.items())
        )
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def movement_rows(self, where: Where) -> list[Row]:
        """statement_movements' rows matching `where`."""
        c = statement_movements.c
        query = select(statement_movements).where(
            *(filter_sql(c[column], wanted) for column, wanted in where.items())
        )
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def _credits(self, where: Where) -> list[LedgerCredit]:
        rows = self.entitlements({**where, "credited_amount": Within(1, MAX_AMOUNT)})
        rows.sort(key=lambda r: (r["credited_on"], r["bank_reference"]))
        return [
            LedgerCredit(
                entitlement_id=UUID(row["entitlement_id"]),
                batch_id=UUID(row["batch_id"]),
                bank_reference=row["bank_reference"],
                amount=row["credited_amount"],
                value_date=row["credited_on"],
                commitment_id=UUID(row["commitment_id"]) if row["commitment_id"] else None,
                returned_amount=row["returned_amount"],
                withdrawal_recorded=row["state"] == WITHDRAWN_STATE,
            )
            for row in rows
        ]

    def _movements(self, start: date, end: date) -> list[Movement]:
        return self._movements_where({"value_date": Within(start, end)})

    def _movements_of(self, references: Iterable[str]) -> list[Movement]:
        wanted = sorted(references)
        found: list[Movement] = []
        for offset in range(0, len(wanted), 500):
            chunk = frozenset(wanted[offset : offset + 500])
            found += self._movements_where({"bank_reference": OneOf(chunk)})
        return found

    def _movements_where(self, where: Where) -> list[Movement]:
        rows = self.movement_rows(where)
        rows.sort(key=lambda r: (r["value_date"], r["statement_id"], r["line_no"]))
        # The same line in two overlapping statements is one movement.
        unique = dict.fromkeys(
            Movement(r["value_date"], r["bank_reference"], r["amount"], MovementKind(r["kind"]))
            for r in rows
        )
        return list(unique)

    def _known_references(self, references: set[str]) -> set[str]:
        wanted = sorted(references)
        known: set[str] = set()
        for offset in range(0, len(wanted), 500):
            chunk = frozenset(wanted[offset : offset + 500])
            rows = self.entitlements({"bank_reference": OneOf(chunk)})
            known |= {r["bank_reference"] for r in rows}
        return known


class ReconciliationsAt(Reconciliations):
    """The same reports at a cut of the log (ADR 0028): entitlement_status from its version
    history (or, with `replay`, a replay of the log: the reference), and the lines of the
    statements whose import the cut keeps (imported by its position, dated by its date)."""

    def __init__(
        self, jejak: Jejak, deadline_days: Mapping[str, int], cut: Cut, *, replay: bool = False
    ) -> None:
        super().__init__(jejak.engine, deadline_days)
        self.jejak = jejak
        self.cut = cut
        self.replay = replay
        self._statements: list[Row] | None = None

    def entitlements(self, where: Where) -> list[Row]:
        read = replay_read_model_at if self.replay else read_model_at
        return read(self.jejak, "entitlement_status", self.cut, where)

    def movement_rows(self, where: Where) -> list[Row]:
        if self._statements is None:
            self._statements = self._statements_in_the_cut()
        return [
            r
            for r in self._statements
            if all(filter_holds(r[column], wanted) for column, wanted in where.items())
        ]

    def _statements_in_the_cut(self) -> list[Row]:
        """Every line of the statements whose import the cut keeps: few rows, a statement per
        account and month, so they are read once and filtered in memory."""
        if self.replay:
            imports = topics_of([BankStatement], ["StatementImported"])
            events = log_events(self.jejak.app, self.cut.known_at, imports)
            return [row for e in events if self.cut.keeps(e) for row in movement_rows(e)]
        c = statement_movements.c
        with self._engine.connect() as conn:
            query = select(c.position).distinct()
            if self.cut.known_at is not None:
                query = query.where(c.position <= self.cut.known_at)
            positions = sorted(conn.execute(query).scalars())
            if self.cut.as_at is not None:
                stored = self.jejak.raw_log().read_positions(positions)
                positions = [
                    e.position for e in decode_stored(self.jejak.app, stored) if self.cut.keeps(e)
                ]
            rows = conn.execute(select(statement_movements).where(c.position.in_(positions)))
            return [dict(r) for r in rows.mappings()]


def reconciliations_at(jejak: Jejak, cut: Cut | None) -> Reconciliations:
    """The reports of today's read models, or at `cut`."""
    days = jejak.settings.deadline_days
    return (
        Reconciliations(jejak.engine, days) if cut is None else ReconciliationsAt(jejak, days, cut)
    )


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
