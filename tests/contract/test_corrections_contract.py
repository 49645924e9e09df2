"""Corrections as events on SQLite and PostgreSQL: the read models show the corrected view, the
history keeps the original beside its correction, a pending money correction changes nothing,
and a rebuild from the log gives the same tables (ADR 0022)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from domain.published_report import Period
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.sealed import sealed_from_json
from domain.units import EVERYTHING
from projections.base import PositionedEvent, RowProjection, fold_all
from projections.beneficiary_status import BeneficiaryStatus, beneficiary_status
from projections.budget_position import budget_allocations, budget_of_log, budget_position
from projections.entitlement_status import EntitlementStatus, entitlement_status
from projections.payment_ledger import ledger_of_log, ledger_totals, payment_ledger, totals_rows
from projections.report_figures import programme_figures
from projections.site_status import SiteStatus, site_status
from projections.worklist import Worklist
from service.commands.application import ProgrammeApplication
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.store.event_log import ApplicationEventSource
from service.system import Jejak
from tests.contract.journey import (
    OPERATOR,
    SECOND_SUPERVISOR,
    SUPERVISOR,
    TRANSPORT,
    UEP,
    Journey,
    by,
    run_journey,
)
from tests.contract.test_programme_contract import _all_tables, _ledger
from tests.projections.batches import comparable

CORRECTED_ON = date(2019, 10, 1)
CORRECT_NAME = "Zulaikha Contohwati Benar"


@dataclass(frozen=True)
class Corrected:
    """The journey with its corrections: which credit was corrected, which waits."""

    journey: Journey
    capital_credit: int
    transport_credit: int


def version_of(app: ProgrammeApplication, aggregate_id: UUID, event: str) -> int:
    """The version of the latest `event` of an aggregate, as its history shows it."""
    versions: list[int] = [
        e.originator_version for e in app.history(aggregate_id) if type(e).__name__ == event
    ]
    return versions[-1]


def correcting(reason: str, actor: Actor = OPERATOR) -> Provenance:
    return by(actor, CORRECTED_ON, "nota_dinas", reason=reason)


def correct_the_journey(app: ProgrammeApplication) -> Corrected:
    journey = run_journey(app)
    site, person = journey.site_id, journey.beneficiary_id
    capital, transport = journey.entitlements
    app.corrections.correct_site_details(
        site, name="Juata Permai Lama", provenance=correcting("name misspelt at pendataan")
    )
    app.corrections.correct_site_date(
        site,
        corrects_version=version_of(app, site, "SosialisasiHeld"),
        corrected_date=date(2017, 8, 12),
        provenance=correcting("the minutes are dated 12 August"),
    )
    app.corrections.correct_site_document(
        site,
        corrects_version=version_of(app, site, "ClosureDecreed"),
        corrected_document=DocumentRef("decree", "DEMO/SK/1-A", date(2018, 12, 20), "Wali Kota"),
        provenance=correcting("the decree number was typed wrongly", SUPERVISOR),
    )
    app.corrections.correct_beneficiary_details(
        person, name=CORRECT_NAME, provenance=correcting("her KTP spells it so")
    )
    app.corrections.correct_beneficiary_date(
        person,
        corrects_version=1,
        corrected_date=date(2016, 3, 21),
        provenance=correcting("counted the day after"),
    )
    capital_credit = version_of(app, capital, "CreditedToAccount")
    app.corrections.request_money_correction(
        capital,
        corrects_version=capital_credit,
        amount=UEP - 50_000,
        reference="KTT-CORRECTED-1",
        provenance=correcting("the bank's letter: Rp 50.000 was held back", SUPERVISOR),
    )
    app.corrections.approve_money_correction(
        capital, provenance=by(SECOND_SUPERVISOR, CORRECTED_ON)
    )
    transport_credit = version_of(app, transport, "CreditedToAccount")
    app.corrections.request_money_correction(
        transport,
        corrects_version=transport_credit,
        amount=TRANSPORT + 1,
        provenance=correcting("awaiting a second supervisor", SUPERVISOR),
    )
    return Corrected(journey, capital_credit, transport_credit)


def _rows(jejak: Jejak, table: Any, key: str) -> dict[str, dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return {r[key]: dict(r) for r in conn.execute(select(table)).mappings()}


def _events(jejak: Jejak) -> list[PositionedEvent]:
    return list(ApplicationEventSource(jejak.app).read_after(0, 100_000))


@pytest.fixture
def corrected(jejak: Jejak) -> Corrected:
    story = correct_the_journey(jejak.app)
    jejak.runner.catch_up()
    return story


def test_the_read_models_show_the_corrected_site_and_case(
    jejak: Jejak, corrected: Corrected
) -> None:
    journey = corrected.journey
    site = _rows(jejak, site_status, "site_id")[str(journey.site_id)]
    assert (site["name"], site["last_sosialisasi_on"], site["decree_number"]) == (
        "Juata Permai Lama",
        date(2017, 8, 12),
        "DEMO/SK/1-A",
    )
    case = _rows(jejak, beneficiary_status, "beneficiary_id")[str(journey.beneficiary_id)]
    assert case["pendataan_on"] == date(2016, 3, 21)
    assert jejak.vault.open(sealed_from_json(case["name_sealed"])) == CORRECT_NAME
    assert CORRECT_NAME not in str(case), "the corrected name is stored sealed"


def test_an_approved_money_correction_counts_and_a_pending_one_does_not(
    jejak: Jejak, corrected: Corrected
) -> None:
    capital, transport = corrected.journey.entitlements
    aid = _rows(jejak, entitlement_status, "entitlement_id")
    assert (aid[str(capital)]["credited_amount"], aid[str(capital)]["bank_reference"]) == (
        UEP - 50_000,
        "KTT-CORRECTED-1",
    )
    assert aid[str(transport)]["credited_amount"] == TRANSPORT, "pending: nothing changed"
    assert (
        aid[str(transport)]["correction_requested_by"],
        aid[str(transport)]["correction_of"],
        aid[str(transport)]["correction_amount"],
    ) == ("sup", "CreditedToAccount", TRANSPORT + 1), "pending: shown for the second supervisor"
    assert aid[str(capital)]["correction_requested_by"] is None, "approved: no longer pending"
    waiting = jejak_reads(jejak).money.entitlements(correction_pending=True, limit=10, offset=0)
    assert [r["entitlement_id"] for r in waiting.items] == [str(transport)]
    totals = {(r["dimension"], r["key"]): r["paid"] for r in _rows_list(jejak)}
    person = str(corrected.journey.beneficiary_id)
    assert totals[("beneficiary", person)] == UEP - 50_000 + TRANSPORT
    budget = _rows(jejak, budget_position, "commitment_id")[str(corrected.journey.commitment_id)]
    assert budget["credited"] == UEP - 50_000 + TRANSPORT
    ledger_events = [r["event"] for r in _ledger(jejak) if r["entitlement_id"] == str(transport)]
    assert "MoneyCorrectionRequested" not in ledger_events


def test_the_history_keeps_the_original_beside_its_correction(
    jejak: Jejak, corrected: Corrected
) -> None:
    capital = corrected.journey.entitlements[0]
    history = {e["version"]: e for e in jejak_reads(jejak).history.of(_supervisor(), capital)}
    credit = history[corrected.capital_credit]
    assert (credit["event"], credit["facts"]["amount"]) == ("CreditedToAccount", UEP)
    request, approval = (history[v] for v in credit["corrections"])
    assert request["event"] == "MoneyCorrectionRequested"
    assert request["facts"]["previous_amount"] == UEP
    assert request["facts"]["amount"] == UEP - 50_000
    assert request["reason"] == "the bank's letter: Rp 50.000 was held back"
    assert request["document"]["kind"] == "nota_dinas"
    assert (approval["event"], approval["actor"]["user_id"]) == ("MoneyCorrectionApproved", "sup2")


@pytest.mark.parametrize(
    "projection",
    [BeneficiaryStatus(), SiteStatus(), Worklist(), EntitlementStatus()],
    ids=lambda p: p.name,
)
def test_the_corrected_read_models_equal_a_fold_of_the_log(
    jejak: Jejak, corrected: Corrected, projection: RowProjection
) -> None:
    expected = fold_all(projection, _events(jejak))
    assert _rows(jejak, projection.table, projection.key_column) == expected


def test_the_corrected_ledger_and_budget_equal_a_fold_of_the_log(
    jejak: Jejak, corrected: Corrected
) -> None:
    events = _events(jejak)
    ledger, state = ledger_of_log(events)
    assert _ledger(jejak) == [comparable(r) for r in ledger]
    assert _rows_list(jejak) == totals_rows(state)
    budget = budget_of_log(events)
    assert _rows(jejak, budget_position, "commitment_id") == budget.budgets
    assert _rows(jejak, budget_allocations, "entitlement_id") == budget.allocations


def test_a_full_rebuild_gives_the_same_corrected_tables(jejak: Jejak, corrected: Corrected) -> None:
    before = _all_tables(jejak)
    jejak.runner.reset([p.name for p in jejak.runner.projections])
    jejak.runner.catch_up()
    assert _all_tables(jejak) == before


def _rows_list(jejak: Jejak) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        query = select(ledger_totals).order_by(ledger_totals.c.dimension, ledger_totals.c.key)
        return [dict(r) for r in conn.execute(query).mappings()]


def jejak_reads(jejak: Jejak) -> ReadModels:
    return ReadModels.of(jejak, EVERYTHING)


def _supervisor() -> Account:
    return Account("sup", Role.SUPERVISOR, "Dinsos", "Supervisor", True)


def test_the_report_figures_count_an_approved_credit_correction_by_its_difference(
    jejak: Jejak, corrected: Corrected
) -> None:
    # The correction is dated on its approval, as the ledger dates its line.
    october = Period(date(2019, 10, 1), date(2019, 10, 31))
    money = programme_figures(_events(jejak), october)["programme"]["money_in_period"]
    assert (money["credited"], money["returned"], money["net_paid"]) == (-50_000, 0, -50_000)
    whole = Period(date(2016, 1, 1), date(2030, 12, 31))
    money = programme_figures(_events(jejak), whole)["programme"]["money_in_period"]
    with jejak.engine.connect() as conn:
        paid = conn.execute(select(func.sum(payment_ledger.c.paid_effect))).scalar_one()
    assert money["credited"] - money["returned"] == money["net_paid"] == paid
    assert money["returned"] == 0, "no money went back to the treasury in this story"
