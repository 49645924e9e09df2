"""Property: the money read models hold exactly what a pure fold of a log with every money
path gives (lapse, re-budget, amendment, failure and re-order, return, compensation), however
the log is cut into batches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from sqlalchemy import select

from projections.base import PositionedEvent, fold_all
from projections.budget_position import budget_allocations, budget_of_log, budget_position
from projections.payment_ledger import ledger_of_log, ledger_totals, totals_rows
from service.store.event_log import ApplicationEventSource
from service.system import Jejak
from tests.conftest import settings_for
from tests.contract.journey import run_journey, run_money_story
from tests.projections.batches import CUTS, comparable, in_batches, stored_ledger, table_rows


@pytest.fixture(scope="module")
def money_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[PositionedEvent]]:
    """The contract journey and the money story, every money path, as one log."""
    folder = tmp_path_factory.mktemp("money")
    jejak = Jejak.start(settings_for(f"sqlite:///{folder}/money.db", Path(folder)))
    try:
        run_journey(jejak.app)
        run_money_story(jejak.app)
        yield list(ApplicationEventSource(jejak.app).read_after(0, 100_000))
    finally:
        jejak.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(cuts=CUTS)
def test_money_read_models_are_the_same_however_the_log_is_cut(
    money_log: list[PositionedEvent], cuts: list[int]
) -> None:
    engine, rows = in_batches(money_log, cuts)
    ledger, totals = ledger_of_log(money_log)
    budget = budget_of_log(money_log)
    with engine.connect() as conn:
        for projection in rows:
            stored = table_rows(conn, projection.table, projection.key_column)
            assert stored == fold_all(projection, money_log), projection.name
        assert stored_ledger(conn) == [comparable(row) for row in ledger]
        by_key = select(ledger_totals).order_by(ledger_totals.c.dimension, ledger_totals.c.key)
        assert [dict(r) for r in conn.execute(by_key).mappings()] == totals_rows(totals)
        assert table_rows(conn, budget_position, "commitment_id") == budget.budgets
        assert table_rows(conn, budget_allocations, "entitlement_id") == budget.allocations
        for row in budget.budgets.values():
            assert 0 <= row["allocated"] <= row["committed"]
