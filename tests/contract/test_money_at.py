"""The money reports at a cut, on SQLite and PostgreSQL: the payment ledger and the budget
position "as at" a business date and "as known at" a log position, each held to a replay of the
log through the read model's own fold, and a late entry telling the two cuts apart."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select

from domain.decree import AidComponent, PaymentType
from domain.entitlement import PaymentChannel
from domain.recording import DocumentRef
from projections.budget_position import budget_of_log, budget_position
from projections.payment_ledger import ledger_of_log, payment_ledger
from service.commands.money import NewDecreeLine
from service.queries.money import LedgerFilter, budget_at
from service.queries.time_travel import Cut
from service.store.event_log import log_events
from service.system import Jejak
from tests.contract.journey import (
    AUTHORITY,
    SUPERVISOR,
    MoneyStory,
    by,
    paid_batch,
    run_money_story,
)

LATE_COMPENSATION = 4_000_000


def _ledger(jejak: Jejak, cut: Cut, **filters: Any) -> list[dict[str, Any]]:
    query = LedgerFilter(known_at=cut.known_at, as_at=cut.as_at, **filters).query()
    with jejak.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _replayed_ledger(jejak: Jejak, cut: Cut) -> list[dict[str, Any]]:
    kept = [e for e in log_events(jejak.app, cut.known_at) if cut.keeps(e)]
    rows, _ = ledger_of_log(kept)
    return rows


def _replayed_budget(jejak: Jejak, cut: Cut) -> list[dict[str, Any]]:
    kept = [e for e in log_events(jejak.app, cut.known_at) if cut.keeps(e)]
    rows = budget_of_log(kept).budgets.values()
    columns = budget_position.c.keys()
    shown = [{c: r.get(c) for c in columns} for r in rows]
    return sorted(shown, key=lambda r: (r["fiscal_year"], r["source"], r["budget_line"]))


def _comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Recording times come back from SQLite without their zone; the positions order them.
    return [{k: v for k, v in r.items() if k != "recorded_at"} for r in rows]


def _late_compensation(jejak: Jejak) -> int:
    """A second owner's compensation, decreed and paid in 2019 but entered after everything
    else: returns the position before it was entered."""
    app = jejak.app
    before = app.position()
    decree = app.money.issue_decree(
        authority=AUTHORITY,
        number="DEMO/SK/2019/GR-2",
        legal_basis="Putusan PN Tarakan (demo)",
        payment_type=PaymentType.COMPENSATION,
        lines=[NewDecreeLine(AidComponent.COMPENSATION, LATE_COMPENSATION, payee_name="Pemilik")],
        court_decision=DocumentRef("court_decision", "DEMO/PN/2", date(2019, 3, 5), "PN Tarakan"),
        provenance=by(SUPERVISOR, date(2019, 3, 6), "decree"),
    )
    (owed,) = app.decree(decree.aggregate_id).lines
    funds = UUID(_commitment(jejak, 2019))
    app.money.allocate_funds(
        funds, entitlement_ids=[owed], provenance=by(SUPERVISOR, date(2019, 3, 7))
    )
    paid_batch(app, "LU-2019-PO2", [owed], date(2019, 8, 1), channel=PaymentChannel.POST_OFFICE)
    jejak.runner.catch_up()
    return before


def _commitment(jejak: Jejak, fiscal_year: int) -> str:
    with jejak.engine.connect() as conn:
        found: str = conn.execute(
            select(budget_position.c.commitment_id).where(
                budget_position.c.fiscal_year == fiscal_year
            )
        ).scalar_one()
    return found


def test_the_ledger_at_the_present_is_the_live_ledger_with_its_running_totals(
    jejak: Jejak,
) -> None:
    run_money_story(jejak.app)
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        live = [dict(r) for r in conn.execute(select(payment_ledger)).mappings()]

    head = jejak.app.position()
    assert _ledger(jejak, Cut(known_at=head)) == live
    assert _ledger(jejak, Cut(as_at=date(2100, 1, 1))) == live
    assert _ledger(jejak, Cut(known_at=head, as_at=date(2100, 1, 1))) == live


def test_a_late_payment_is_in_the_ledger_as_at_its_date_but_not_as_known_before_it(
    jejak: Jejak,
) -> None:
    story: MoneyStory = run_money_story(jejak.app)
    jejak.runner.catch_up()
    before_late = _late_compensation(jejak)

    known_before = Cut(known_at=before_late)
    as_at_autumn = Cut(as_at=date(2019, 9, 30))
    compensation = {"component": AidComponent.COMPENSATION.value}
    credited = [r for r in _ledger(jejak, as_at_autumn, **compensation) if r["paid_effect"]]
    assert [r["paid_effect"] for r in credited] == [10_000_000, LATE_COMPENSATION]
    # Running totals are those of the cut: the later return to the treasury is left out.
    assert credited[-1]["paid_total_component"] == 10_000_000 + LATE_COMPENSATION
    assert not any(r["event"] == "FundsReturned" for r in _ledger(jejak, as_at_autumn))
    known = [r for r in _ledger(jejak, known_before, **compensation) if r["paid_effect"]]
    assert [r["paid_effect"] for r in known] == [10_000_000]
    # Her running total at the cut, filtered to her rows, still counts only hers.
    site = _ledger(jejak, as_at_autumn, site_id=story.site_id)
    assert site and site[-1]["paid_total_site"] == sum(r["paid_effect"] for r in site)
    # Whole rupiah, as integers, on both stores (PostgreSQL would sum into NUMERIC).
    totals = [v for r in site for k, v in r.items() if k.startswith("paid_total_")]
    assert totals and all(type(v) is int for v in totals if v is not None)

    for cut in (
        known_before,
        as_at_autumn,
        Cut(as_at=date(2018, 12, 31)),
        Cut(known_at=before_late, as_at=date(2019, 8, 31)),
        Cut(known_at=1),
    ):
        assert _comparable(_ledger(jejak, cut)) == _comparable(_replayed_ledger(jejak, cut)), cut


def test_the_budget_at_a_cut_is_the_replay_of_the_money_events_up_to_it(jejak: Jejak) -> None:
    run_money_story(jejak.app)
    jejak.runner.catch_up()
    before_late = _late_compensation(jejak)
    with jejak.engine.connect() as conn:
        live = [
            dict(r)
            for r in conn.execute(
                select(budget_position).order_by(
                    budget_position.c.fiscal_year,
                    budget_position.c.source,
                    budget_position.c.budget_line,
                )
            ).mappings()
        ]
    assert budget_at(jejak.app, Cut(known_at=jejak.app.position())).items == live

    end_of_2018 = budget_at(jejak.app, Cut(as_at=date(2018, 12, 30))).items
    assert [(r["fiscal_year"], r["state"]) for r in end_of_2018] == [(2018, "OPEN")]
    closed = budget_at(jejak.app, Cut(as_at=date(2018, 12, 31)), fiscal_year=2018).items
    assert [r["state"] for r in closed] == ["CLOSED"]
    autumn = budget_at(jejak.app, Cut(as_at=date(2019, 9, 30)), fiscal_year=2019).items
    known = budget_at(jejak.app, Cut(known_at=before_late), fiscal_year=2019).items
    assert autumn[0]["credited"] - known[0]["credited"] == LATE_COMPENSATION

    for cut in (
        Cut(as_at=date(2018, 12, 30)),
        Cut(as_at=date(2019, 9, 30)),
        Cut(known_at=before_late),
        Cut(known_at=before_late, as_at=date(2019, 3, 31)),
    ):
        assert budget_at(jejak.app, cut).items == _replayed_budget(jejak, cut), cut
    page = budget_at(jejak.app, Cut(as_at=date(2019, 12, 31)), limit=1, offset=1)
    assert (page.total, len(page.items), page.items[0]["fiscal_year"]) == (2, 1, 2019)
