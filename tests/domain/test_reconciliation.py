"""Reconciliation sorts every credit and every movement into exactly one bucket (A13, A14)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.bank_statement import Movement, MovementKind
from domain.reconciliation import LedgerCredit, reconcile

BATCH = UUID("00000000-0000-4000-8000-0000000000bb")
CREDITED = date(2019, 8, 5)
LATER = date(2019, 12, 31)


def credit(reference: str, amount: int = 5_500_000, **extra: object) -> LedgerCredit:
    return LedgerCredit(uuid4(), BATCH, reference, amount, CREDITED, **extra)  # type: ignore[arg-type]


def out(reference: str, amount: int = 5_500_000) -> Movement:
    return Movement(CREDITED, reference, amount, MovementKind.TRANSFER_OUT)


def withdrawal(reference: str) -> Movement:
    return Movement(date(2019, 8, 20), reference, 5_500_000, MovementKind.WITHDRAWAL)


def back(reference: str, amount: int = 5_500_000) -> Movement:
    return Movement(date(2019, 12, 10), reference, amount, MovementKind.RETURNED)


def test_a_clean_batch_matches_line_for_line() -> None:
    result = reconcile(
        [credit("K1"), credit("K2")],
        [out("K1"), out("K2"), withdrawal("K1"), withdrawal("K2")],
        as_of=LATER,
        withdrawal_days=90,
    )
    assert result.clean and len(result.matched) == 2
    assert result.system_total == result.bank_total == 11_000_000


def test_each_kind_of_finding_is_reported() -> None:
    result = reconcile(
        [credit("K1"), credit("K2"), credit("K3", amount=5_000_000), credit("K4")],
        [out("K1"), out("K3", amount=4_993_500), out("K9"), withdrawal("K1"), withdrawal("K3")],
        as_of=LATER,
        withdrawal_days=90,
    )
    assert [c.bank_reference for c in result.not_on_statement] == ["K2", "K4"]
    assert [m.bank_reference for m in result.unknown_to_system] == ["K9"]
    assert [m.credit.bank_reference for m in result.amount_mismatches] == ["K3"]
    assert [c.bank_reference for c in result.not_withdrawn] == ["K2", "K4"]
    assert not result.clean


def test_money_returned_to_the_treasury_is_neither_unwithdrawn_nor_unknown() -> None:
    result = reconcile(
        [credit("K1", returned_amount=5_500_000)],
        [out("K1"), back("K1")],
        as_of=LATER,
        withdrawal_days=90,
    )
    assert result.clean
    assert result.system_total == result.bank_total == 0
    stray = reconcile(
        [credit("K1")], [out("K1"), withdrawal("K1"), back("K7")], as_of=LATER, withdrawal_days=90
    )
    assert [m.bank_reference for m in stray.returns_unmatched] == ["K7"]


def test_withdrawal_is_not_expected_before_its_deadline() -> None:
    result = reconcile([credit("K1")], [out("K1")], as_of=date(2019, 9, 1), withdrawal_days=90)
    assert result.clean


references = st.lists(st.sampled_from([f"K{i}" for i in range(8)]), unique=True, max_size=8)


@for_all(ledger=references, bank=references)
def test_every_credit_and_every_transfer_lands_in_exactly_one_bucket(
    ledger: list[str], bank: list[str]
) -> None:
    result = reconcile(
        [credit(r) for r in ledger], [out(r) for r in bank], as_of=LATER, withdrawal_days=9999
    )
    credits_seen = (
        [c.bank_reference for c, _ in result.matched]
        + [c.bank_reference for c in result.not_on_statement]
        + [m.credit.bank_reference for m in result.amount_mismatches]
    )
    transfers_seen = (
        [m.bank_reference for _, m in result.matched]
        + [m.bank_reference for m in result.unknown_to_system]
        + [m.movement.bank_reference for m in result.amount_mismatches]
    )
    assert sorted(credits_seen) == sorted(ledger)
    assert sorted(transfers_seen) == sorted(bank)
    assert result.clean == (set(ledger) == set(bank))
