"""Reports "as at" a business date and "as known at" a log position, replayed from the log; the
two differ when something is entered late."""

from __future__ import annotations

from datetime import date

import pytest

from domain.recording import DocumentRef, Provenance
from domain.site import InspectionOutcome
from service.system import Jejak
from service.time_travel import Cut, aggregate_at, read_model_at
from tests.contract.journey import OPERATOR, closed_site, run_journey


def test_a_late_entry_shows_as_at_its_date_but_not_as_known_before_it_was_entered(
    jejak: Jejak,
) -> None:
    app = jejak.app
    site = closed_site(app)
    before_entry = app.position()
    # An inspection of 15 January 2019, entered only now.
    app.record_inspection(
        site,
        outcome=InspectionOutcome.ACTIVITY_FOUND,
        provenance=Provenance(
            OPERATOR,
            date(2019, 1, 15),
            DocumentRef("laporan", "LP/1", date(2019, 1, 15), "Dinsos"),
        ),
    )

    as_at = read_model_at(jejak, "site_status", Cut(as_at=date(2019, 1, 31)))
    as_known = read_model_at(jejak, "site_status", Cut(known_at=before_entry))

    (then_by_date,) = as_at
    (then_as_known,) = as_known
    assert then_by_date["state"] == "MONITORED"
    assert then_as_known["state"] == "CLOSED"
    assert then_by_date["last_position"] > before_entry >= then_as_known["last_position"]


def test_the_present_cut_equals_the_live_read_model(jejak: Jejak) -> None:
    run_journey(jejak.app)
    jejak.runner.catch_up()
    now = read_model_at(jejak, "beneficiary_status", Cut(known_at=jejak.app.position()))
    with jejak.engine.connect() as conn:
        live = conn.exec_driver_sql(
            "SELECT beneficiary_id, state, version FROM beneficiary_status ORDER BY beneficiary_id"
        ).all()
    assert [(r["beneficiary_id"], r["state"], r["version"]) for r in now] == [
        tuple(r) for r in live
    ]
    assert all("name_sealed" not in r for r in now), "sealed columns stay out of a replay"


def test_one_aggregate_at_a_past_version_or_date(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    first = aggregate_at(jejak, journey.beneficiary_id, version=1, as_at=None)
    trained = aggregate_at(jejak, journey.beneficiary_id, version=None, as_at=date(2019, 6, 30))

    assert (first.state, first.version) == ("REGISTERED", 1)
    assert trained.state == "TRAINED"
    with pytest.raises(LookupError):
        aggregate_at(jejak, journey.beneficiary_id, version=None, as_at=date(2000, 1, 1))
    with pytest.raises(LookupError):
        read_model_at(jejak, "event_chain", Cut(known_at=1))
