"""Within one record, a step may not be dated before the step it follows (ADR 0032).

The lifecycle declares which steps each one follows; the aggregate checks new commands and date
corrections against it, and replays whatever an older release stored.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.beneficiary import Beneficiary
from domain.errors import DatedBeforePreviousStep
from domain.lifecycle import Lifecycle, StateSpec, Transition
from domain.site import Site
from tests.domain.givens import (
    DEPARTED_ON,
    HOME_KELURAHAN,
    OPERATOR,
    OTHER_SUPERVISOR,
    PENDATAAN,
    TRAINED_ON,
    by,
    document,
    given_beneficiary,
    given_site,
    history_of,
    kelurahan_confirmation,
    live_beneficiary,
    minutes,
    older_release,
    site_history,
    site_in,
    then_events,
)
from tests.domain.test_beneficiary import refused
from tests.domain.test_corrections import DECREE, correcting
from tests.domain.test_money_ledger import batch, loaded

# Versions in a returned woman's history: registered, verified, assessed, departed, trained,
# returned.
DEPARTURE, TRAINING_DONE, RETURN = 4, 5, 6


def sosialisasi_on(site: Site, on: date) -> None:
    site.hold_sosialisasi(
        venue="Balai", attendance=5, facilitators=(), provenance=by(OPERATOR, on, minutes(on))
    )


def return_home_on(b: Beneficiary, on: date) -> None:
    b.confirm_return_home(
        confirming_kelurahan=HOME_KELURAHAN,
        provenance=by(OPERATOR, on, kelurahan_confirmation(on)),
    )


def test_a_sosialisasi_is_not_dated_before_the_sites_pendataan() -> None:
    site = site_in("REGISTERED")

    error = refused(lambda: sosialisasi_on(site, date(1900, 1, 1)), DatedBeforePreviousStep)

    assert (error.code, error.field) == ("DATED_BEFORE_PREVIOUS_STEP", "occurred_on")
    assert error.message == (
        f"SosialisasiHeld dated 1900-01-01 would be before SiteRegistered dated {PENDATAAN},"
        " the step it follows"
    )
    assert then_events(site) == [] and site.state == "REGISTERED"


def test_a_step_on_the_day_of_the_step_it_follows_is_in_order() -> None:
    site = site_in("REGISTERED")

    sosialisasi_on(site, PENDATAAN)

    assert then_events(site) == ["SosialisasiHeld"]


def test_a_further_sosialisasi_may_be_dated_before_the_decree_it_is_entered_after() -> None:
    site = site_in("CLOSURE_DECREED")

    sosialisasi_on(site, PENDATAAN)

    assert then_events(site) == ["SosialisasiHeld"]


def test_a_return_home_is_not_dated_before_her_training_ended() -> None:
    b = given_beneficiary(*history_of(live_beneficiary("TRAINED")))

    error = refused(lambda: return_home_on(b, DEPARTED_ON), DatedBeforePreviousStep)

    assert str(DEPARTED_ON) in error.message and str(TRAINED_ON) in error.message
    assert "TrainingCompleted" in error.message
    assert then_events(b) == [] and b.state == "TRAINED"


def test_a_batch_is_not_approved_the_day_before_it_was_prepared() -> None:
    prepared = loaded(batch())
    created_on = prepared.milestones["BatchCreated"]
    day_before = date.fromordinal(created_on.toordinal() - 1)

    error = refused(
        lambda: prepared.approve(provenance=by(OTHER_SUPERVISOR, day_before)),
        DatedBeforePreviousStep,
    )

    assert str(day_before) in error.message and str(created_on) in error.message
    assert then_events(prepared) == [] and prepared.state == "DRAFT"


def test_a_history_an_older_release_stored_out_of_order_still_replays() -> None:
    site = site_in("REGISTERED")
    with older_release():
        sosialisasi_on(site, date(1900, 1, 1))

    replayed = given_site(*site_history("REGISTERED"), *history_of(site))

    assert replayed.state == "SOCIALISED"
    assert replayed.sosialisasi_dates == [date(1900, 1, 1)]


def out_of_order_return() -> list[object]:
    """An older release's history: home on her departure day, before her training ended."""
    b = live_beneficiary("TRAINED")
    with older_release():
        return_home_on(b, DEPARTED_ON)
    return history_of(b)


def correct_her_date(b: Beneficiary, version: int, corrected: date) -> None:
    b.correct_date(
        corrects_version=version,
        corrected_date=corrected,
        site=site_in("CLOSED"),
        provenance=correcting(),
    )


def test_a_correction_that_repairs_an_out_of_order_history_is_accepted() -> None:
    b = given_beneficiary(*out_of_order_return())

    correct_her_date(b, RETURN, date(2019, 6, 14))

    assert then_events(b) == ["BeneficiaryDateCorrected"]


def test_a_correction_elsewhere_is_accepted_while_another_step_stays_out_of_order() -> None:
    b = given_beneficiary(*out_of_order_return())

    # Her departure moves a day earlier; the return before her training's end stays to be
    # corrected in turn.
    correct_her_date(b, DEPARTURE, date.fromordinal(DEPARTED_ON.toordinal() - 1))

    assert then_events(b) == ["BeneficiaryDateCorrected"]


def test_a_correction_may_not_leave_the_redated_step_out_of_order() -> None:
    b = given_beneficiary(*out_of_order_return())

    error = refused(lambda: correct_her_date(b, RETURN, date(2019, 5, 1)), DatedBeforePreviousStep)

    assert error.field == "corrected_date"
    assert "2019-05-01" in error.message and str(TRAINED_ON) in error.message


def test_a_correction_may_not_move_a_step_past_the_one_that_follows_it() -> None:
    b = given_beneficiary(*history_of(live_beneficiary("RETURNED")))

    error = refused(
        lambda: correct_her_date(b, TRAINING_DONE, date(2019, 12, 1)), DatedBeforePreviousStep
    )

    assert "ReturnedHome" in error.message and "2019-12-01" in error.message
    assert then_events(b) == []


def test_a_site_correction_obeys_the_same_order() -> None:
    site = site_in("CLOSED")
    (held_on,) = site.sosialisasi_dates
    day_before = date.fromordinal(held_on.toordinal() - 1)

    error = refused(
        lambda: site.correct_date(
            corrects_version=DECREE, corrected_date=day_before, provenance=correcting()
        ),
        DatedBeforePreviousStep,
    )

    assert error.message == (
        f"ClosureDecreed dated {day_before} would be before SosialisasiHeld dated {held_on},"
        " the step it follows"
    )
    assert then_events(site) == []


def test_the_steps_a_transition_follows_default_to_those_that_lead_into_its_sources() -> None:
    lifecycle = Lifecycle(
        "Thing",
        (StateSpec("A", "a", next_action="move"), StateSpec("B", "b", terminal=True)),
        (
            Transition("make", "Made", None, "A"),
            Transition("note", "Noted", ("A",), None),
            Transition("move", "Moved", ("A",), "B"),
        ),
    )

    assert lifecycle.steps_followed(lifecycle.transition("move", "A")) == ("Made",)
    assert lifecycle.follows_of("Noted") == ("Made",)


def test_a_declaration_naming_an_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="follows unknown"):
        Lifecycle(
            "Thing",
            (StateSpec("A", "a", terminal=True),),
            (
                Transition("make", "Made", None, "A"),
                Transition("note", "Noted", ("A",), None, follows=("Nothing",)),
            ),
        )


def test_a_fold_finds_a_state_for_a_step_whose_source_a_cut_left_out() -> None:
    lifecycle = Site.lifecycle

    assert lifecycle.folded_target("SiteClosed", "REGISTERED") == "CLOSED"
    assert lifecycle.folded_target("SosialisasiHeld", "CLOSED") == "CLOSED"
    assert lifecycle.folded_target("PostClosureInspected", "MONITORED") == "MONITORED"


def test_a_document_date_is_not_the_step_date() -> None:
    # Only the business date of the step is ordered; its paper may be older.
    site = site_in("REGISTERED")
    site.hold_sosialisasi(
        venue="Balai",
        attendance=5,
        facilitators=(),
        provenance=by(OPERATOR, PENDATAAN, document("notulen", "N/1", date(2000, 1, 1))),
    )

    assert then_events(site) == ["SosialisasiHeld"]
