"""The bank reconciliation at a cut, on SQLite and PostgreSQL: the ledger side from
entitlement_status's version history and the statements whose import the cut keeps must give
the report a replay of the log gives, and a statement entered late shows in the reconciliation
as at its date but not as known before it was entered (ADR 0028)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from domain.payment_batch import PaymentBatch
from projections.entitlement_status import entitlement_status
from service.queries.reconciliation import Reconciliations, ReconciliationsAt
from service.queries.time_travel import Cut
from service.system import Jejak
from tests.contract.journey import SUPERVISOR, by, run_money_story

AUGUST = (date(2019, 8, 1), date(2019, 8, 31))
JUDGED_ON = date(2019, 12, 31)


def statement_entered_late(jejak: Jejak) -> int:
    """The money story, then the August statement (dated 31 August) entered after everything
    else, with every credit on it: returns the position before it was entered."""
    run_money_story(jejak.app)
    jejak.runner.catch_up()
    c = entitlement_status.c
    with jejak.engine.connect() as conn:
        credits = conn.execute(
            select(c.credited_on, c.bank_reference, c.credited_amount).where(c.credited_amount > 0)
        ).all()
    lines = [f"{day},{reference},{amount},TRANSFER_OUT" for day, reference, amount in credits]
    before = jejak.app.position()
    jejak.app.money.import_bank_statement(
        content=("value_date,bank_reference,amount,kind\n" + "\n".join(lines) + "\n").encode(),
        account_label="Bank Kaltimtara",
        provenance=by(SUPERVISOR, date(2019, 8, 31), "bank_statement"),
    )
    jejak.runner.catch_up()
    return before


def counts(report: Reconciliations, cut_as_of: date = JUDGED_ON) -> dict[str, int]:
    found: dict[str, int] = report.for_period(*AUGUST, cut_as_of).as_dict()["counts"]
    return found


def test_a_statement_entered_late_is_in_the_reconciliation_as_at_its_date_only(
    jejak: Jejak,
) -> None:
    before = statement_entered_late(jejak)

    def at(cut: Cut) -> dict[str, int]:
        fast = ReconciliationsAt(jejak, {}, cut)
        assert counts(fast) == counts(ReconciliationsAt(jejak, {}, cut, replay=True))
        return counts(fast)

    now = counts(Reconciliations(jejak.engine, {}))
    assert now["matched"] == 4 and now["not_on_statement"] == 0
    assert at(Cut(known_at=jejak.app.position())) == now
    assert at(Cut(known_at=before)) == now | {"matched": 0, "not_on_statement": 4}
    # By 30 September the statement was in; the unclaimed transport went back only in December.
    autumn = now | {"not_withdrawn": now["not_withdrawn"] + 1}
    assert at(Cut(as_at=date(2019, 9, 30))) == autumn
    # Credited on 5 August, but the statement of the 31st is not in yet on the 15th.
    assert at(Cut(as_at=date(2019, 8, 15))) == autumn | {"matched": 0, "not_on_statement": 4}
    assert at(Cut(as_at=date(2019, 7, 31))) == dict.fromkeys(now, 0)


def test_the_reconciliation_at_random_cuts_equals_the_replays(jejak: Jejak) -> None:
    statement_entered_late(jejak)
    batch = PaymentBatch.create_id("LU-2019-01")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        known_at=st.none() | st.integers(0, jejak.app.position()),
        as_at=st.none() | st.dates(date(2019, 1, 1), date(2020, 1, 1)),
    )
    def same_report(known_at: int | None, as_at: date | None) -> None:
        cut = Cut(known_at=known_at, as_at=as_at)
        fast, replayed = (
            ReconciliationsAt(jejak, {}, cut),
            ReconciliationsAt(jejak, {}, cut, replay=True),
        )
        assert fast.for_period(*AUGUST, JUDGED_ON) == replayed.for_period(*AUGUST, JUDGED_ON)
        assert fast.for_batch(batch, JUDGED_ON) == replayed.for_batch(batch, JUDGED_ON)

    same_report()
