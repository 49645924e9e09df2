"""Reconciliation: the system's credits set against the bank's statement, line by line.

BPK's recurring findings (domain research 6.3, checks A13, A14) are payments the system
recorded but the bank never made, transfers the bank made that the system does not know,
amounts that differ, and money credited but never withdrawn. This module is pure: it takes the
credits and returns as the ledger knows them and the statement's movements, and sorts every
one of them into exactly one bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from domain.bank_statement import Movement, MovementKind


@dataclass(frozen=True)
class LedgerCredit:
    """A credit the ledger recorded (CreditedToAccount), and whether the money came back."""

    entitlement_id: UUID
    batch_id: UUID
    bank_reference: str
    amount: int
    value_date: date
    commitment_id: UUID | None = None
    returned_amount: int = 0
    withdrawal_recorded: bool = False


@dataclass(frozen=True)
class Mismatch:
    """The same bank reference on both sides with different amounts."""

    credit: LedgerCredit
    movement: Movement


@dataclass
class Reconciliation:
    """Every credit and every transfer movement, each in exactly one list."""

    matched: list[tuple[LedgerCredit, Movement]] = field(default_factory=list)
    not_on_statement: list[LedgerCredit] = field(default_factory=list)
    unknown_to_system: list[Movement] = field(default_factory=list)
    amount_mismatches: list[Mismatch] = field(default_factory=list)
    not_withdrawn: list[LedgerCredit] = field(default_factory=list)
    returns_matched: list[Movement] = field(default_factory=list)
    returns_unmatched: list[Movement] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing needs an auditor's attention."""
        return not (
            self.not_on_statement
            or self.unknown_to_system
            or self.amount_mismatches
            or self.not_withdrawn
            or self.returns_unmatched
        )

    @property
    def system_total(self) -> int:
        """Rupiah credited according to the ledger, net of money that came back."""
        credits = [c for c, _ in self.matched] + self.not_on_statement
        credits += [m.credit for m in self.amount_mismatches]
        return sum(c.amount - c.returned_amount for c in credits)

    @property
    def bank_total(self) -> int:
        """Rupiah transferred according to the statement, net of money that came back."""
        out = [m for _, m in self.matched] + self.unknown_to_system
        out += [m.movement for m in self.amount_mismatches]
        back = self.returns_matched + self.returns_unmatched
        return sum(m.amount for m in out) - sum(m.amount for m in back)


def reconcile(
    credits: Iterable[LedgerCredit],
    movements: Iterable[Movement],
    *,
    as_of: date,
    withdrawal_days: int,
) -> Reconciliation:
    """Match the ledger's credits with the statement's movements by bank reference.

    A credit is "not withdrawn" when neither a WITHDRAWAL movement with its reference nor a
    recorded withdrawal exists `withdrawal_days` after its value date, and the money did not
    come back. A RETURNED movement must match a credit whose money the ledger shows returned.
    """
    by_reference: dict[str, list[Movement]] = {}
    withdrawn: set[str] = set()
    returns: list[Movement] = []
    for movement in movements:
        if movement.kind is MovementKind.TRANSFER_OUT:
            by_reference.setdefault(movement.bank_reference, []).append(movement)
        elif movement.kind is MovementKind.WITHDRAWAL:
            withdrawn.add(movement.bank_reference)
        else:
            returns.append(movement)

    result = Reconciliation()
    returned_references: set[str] = set()
    deadline = timedelta(days=withdrawal_days)
    for credit in credits:
        candidates = by_reference.get(credit.bank_reference, [])
        if not candidates:
            result.not_on_statement.append(credit)
        else:
            movement = candidates.pop(0)
            if movement.amount == credit.amount:
                result.matched.append((credit, movement))
            else:
                result.amount_mismatches.append(Mismatch(credit, movement))
        if credit.returned_amount:
            returned_references.add(credit.bank_reference)
        elif (
            credit.bank_reference not in withdrawn
            and not credit.withdrawal_recorded
            and as_of - credit.value_date > deadline
        ):
            result.not_withdrawn.append(credit)
    result.unknown_to_system = [m for left in by_reference.values() for m in left]
    for movement in returns:
        known = movement.bank_reference in returned_references
        (result.returns_matched if known else result.returns_unmatched).append(movement)
    return result


def in_period(credits: Sequence[LedgerCredit], start: date, end: date) -> list[LedgerCredit]:
    """The credits whose value date falls in [start, end]."""
    return [c for c in credits if start <= c.value_date <= end]
