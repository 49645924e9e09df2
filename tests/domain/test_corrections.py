"""Corrections as events: given a history, when a correction runs, then a correction event that
names the corrected event with the old and new value, or the rule it breaks (ADR 0022)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from domain.beneficiary import Beneficiary, IdentityEvidence
from domain.beneficiary_errors import (
    BeneficiaryIsMinor,
    BirthDateErased,
    DocumentRequired,
    NotAMinor,
    ReasonRequired,
    SiteNotClosed,
)
from domain.corrections import (
    CorrectedEventUnknown,
    CorrectionPending,
    NoPendingCorrection,
    NothingToCorrect,
)
from domain.entitlement import Entitlement
from domain.errors import DomainError, InvalidValue
from domain.identity import Sex, make_nik
from domain.money_errors import FourEyesRequired
from domain.recording import Actor, Provenance, RegionRef
from domain.site import ClosureBeforeDecree, ClosureNeedsSosialisasi, Site, SiteDetails
from projections.base import PositionedEvent, fold_all
from projections.entitlement_status import EntitlementStatus
from tests.domain.givens import (
    BORN,
    DEPARTED_ON,
    MINOR_BORN,
    NAME,
    OPERATOR,
    OTHER_SUPERVISOR,
    PENDATAAN,
    PHONE,
    SUPERVISOR,
    TARAKAN,
    TARAKAN_CLOSURE,
    VERIFIED_ON,
    beneficiary_history,
    beneficiary_in,
    by,
    document,
    given,
    given_beneficiary,
    given_site,
    history_of,
    sealer_for,
    seals,
    site_history,
    site_in,
    then_event,
    then_events,
    through_the_store,
)
from tests.domain.test_money_ledger import GRANT, entitlement_in, live_entitlement

CORRECTED_ON = date(2020, 2, 3)
# Versions in the Tarakan site's history: registered, socialised, decreed, closed, inspected.
SOSIALISASI, DECREE, CLOSURE, INSPECTION = 2, 3, 4, 5
# Versions in a credited entitlement's history: planned, allocated, ordered, credited.
CREDIT = 4


def correcting(actor: Actor = OPERATOR, reason: str | None = "typed wrongly") -> Provenance:
    return by(actor, CORRECTED_ON, document("nota_dinas", "ND/2020/7", CORRECTED_ON), reason)


def refused(command: Callable[[], object], error: type[DomainError]) -> DomainError:
    with pytest.raises(error) as raised:
        command()
    return raised.value


def reloaded(aggregate: Site | Beneficiary | Entitlement, history: list[object]) -> object:
    """The aggregate its stored events and the new ones rebuild, as the repository would."""
    return given(*through_the_store([*history, *history_of(aggregate)]))


# --- site registration details -------------------------------------------------------------------


def test_wrong_registration_details_are_corrected_by_an_event_with_old_and_new_values() -> None:
    history = site_history("CLOSED")
    site = given_site(*history)

    site.correct_details(
        name=" Sungai Bengawan Hulu ", headcount_at_pendataan=72, provenance=correcting()
    )

    corrected = then_event(site, Site.SiteDetailsCorrected)
    assert corrected.corrects_version == 1
    assert corrected.previous == SiteDetails(TARAKAN.name, TARAKAN.aliases, TARAKAN.kelurahan, 70)
    assert corrected.corrected == SiteDetails(
        "Sungai Bengawan Hulu", TARAKAN.aliases, TARAKAN.kelurahan, 72
    )
    replayed = reloaded(site, history)
    assert isinstance(replayed, Site)
    assert (replayed.name, replayed.headcount_at_pendataan) == ("Sungai Bengawan Hulu", 72)
    assert replayed.state == "CLOSED", "a correction moves no state"


def test_a_corrected_kelurahan_must_exist_in_the_region_tables() -> None:
    site = site_in("CLOSED")

    error = refused(
        lambda: site.correct_details(
            kelurahan=RegionRef("kemendagri", "99.99.99.9999"), provenance=correcting()
        ),
        InvalidValue,
    )

    assert error.field == "kelurahan"
    assert then_events(site) == []


def test_a_correction_that_changes_nothing_is_refused() -> None:
    site = site_in("CLOSED")

    error = refused(
        lambda: site.correct_details(name=TARAKAN.name, provenance=correcting()), NothingToCorrect
    )

    assert error.code == "NOTHING_TO_CORRECT"
    assert then_events(site) == []


@pytest.mark.parametrize(
    ("provenance", "error"),
    [
        (correcting(reason=None), ReasonRequired),
        (by(OPERATOR, CORRECTED_ON, reason="typed wrongly"), DocumentRequired),
    ],
)
def test_a_correction_needs_its_reason_and_its_document(
    provenance: Provenance, error: type[DomainError]
) -> None:
    site = site_in("CLOSED")

    refused(lambda: site.correct_details(name="Hulu", provenance=provenance), error)

    assert then_events(site) == []


# --- dates ----------------------------------------------------------------------------------------


def test_the_date_of_a_sosialisasi_is_corrected_and_the_closure_guards_still_hold() -> None:
    history = site_history("MONITORED")
    site = given_site(*history)

    site.correct_date(
        corrects_version=SOSIALISASI, corrected_date=date(2018, 12, 5), provenance=correcting()
    )

    corrected = then_event(site, Site.SiteDateCorrected)
    assert (corrected.corrected_event, corrected.previous_date, corrected.corrected_date) == (
        "SosialisasiHeld",
        TARAKAN.sosialisasi_on,
        date(2018, 12, 5),
    )
    replayed = reloaded(site, history)
    assert isinstance(replayed, Site)
    assert replayed.sosialisasi_dates == [date(2018, 12, 5)]


def test_a_corrected_closure_date_still_needs_a_sosialisasi_on_or_before_it() -> None:
    site = site_in("CLOSED")

    error = refused(
        lambda: site.correct_date(
            corrects_version=SOSIALISASI,
            corrected_date=TARAKAN_CLOSURE.replace(day=29),
            provenance=correcting(),
        ),
        ClosureNeedsSosialisasi,
    )

    assert (error.code, error.field) == ("SITE_CLOSURE_NEEDS_SOSIALISASI", "corrected_date")
    assert then_events(site) == []


def test_a_corrected_closure_date_cannot_fall_before_the_decree() -> None:
    site = site_in("CLOSED")

    error = refused(
        lambda: site.correct_date(
            corrects_version=CLOSURE, corrected_date=date(2018, 12, 10), provenance=correcting()
        ),
        ClosureBeforeDecree,
    )

    assert error.code == "SITE_CLOSURE_BEFORE_DECREE"


def test_a_corrected_closure_date_cannot_follow_an_inspection() -> None:
    site = site_in("MONITORED")

    refused(
        lambda: site.correct_date(
            corrects_version=CLOSURE, corrected_date=date(2019, 2, 1), provenance=correcting()
        ),
        InvalidValue,
    )


def test_a_corrected_closure_date_moves_the_inspection_deadline_clock() -> None:
    history = site_history("CLOSED")
    site = given_site(*history)

    site.correct_date(
        corrects_version=CLOSURE, corrected_date=date(2018, 12, 29), provenance=correcting()
    )

    replayed = reloaded(site, history)
    assert isinstance(replayed, Site)
    assert (replayed.closed_on, replayed.milestones["SiteClosed"]) == (date(2018, 12, 29),) * 2


@pytest.mark.parametrize("version", [0, 6, 99])
def test_an_event_that_does_not_exist_cannot_be_corrected(version: int) -> None:
    site = site_in("MONITORED")

    error = refused(
        lambda: site.correct_date(
            corrects_version=version, corrected_date=PENDATAAN, provenance=correcting()
        ),
        CorrectedEventUnknown,
    )

    assert (error.code, error.field) == ("CORRECTED_EVENT_UNKNOWN", "corrects_version")


def test_a_correction_itself_is_not_corrected_by_another_date_correction() -> None:
    history = site_history("CLOSED")
    site = given_site(*history)
    site.correct_date(corrects_version=1, corrected_date=date(2016, 12, 2), provenance=correcting())
    site = given_site(*through_the_store([*history, *history_of(site)]))

    refused(
        lambda: site.correct_date(
            corrects_version=5, corrected_date=date(2020, 1, 1), provenance=correcting()
        ),
        CorrectedEventUnknown,
    )


def test_the_date_of_her_departure_must_still_follow_the_closure_of_her_site() -> None:
    beneficiary = beneficiary_in("IN_TRAINING")
    departure = next(v for v, f in beneficiary.facts.items() if f.event == "SentToTraining")

    error = refused(
        lambda: beneficiary.correct_date(
            corrects_version=departure,
            corrected_date=date(2018, 12, 27),
            site=site_in("CLOSED"),
            provenance=correcting(),
        ),
        SiteNotClosed,
    )

    assert (error.code, error.field) == ("SITE_NOT_CLOSED", "corrected_date")


def test_her_pendataan_date_is_corrected_even_after_her_case_is_closed() -> None:
    beneficiary = beneficiary_in("CLOSED")

    beneficiary.correct_date(
        corrects_version=1,
        corrected_date=date(2016, 12, 2),
        site=site_in("CLOSED"),
        provenance=correcting(),
        birth_date=BORN,
    )

    assert then_events(beneficiary) == ["BeneficiaryDateCorrected"]
    assert (beneficiary.pendataan_on, beneficiary.state) == (date(2016, 12, 2), "CLOSED")
    assert DEPARTED_ON in beneficiary.dates_of("SentToTraining")


# Eighteen on 20 November 2016, eleven days before the pendataan of 1 December.
JUST_ADULT_BORN = date(1998, 11, 20)


def verified_just_adult() -> Beneficiary:
    """A woman verified as an adult who turned 18 shortly before pendataan."""
    history = beneficiary_history("REGISTERED")
    beneficiary = given_beneficiary(*history)
    beneficiary.verify_identity(
        evidence=IdentityEvidence(
            make_nik("65.71.04", JUST_ADULT_BORN, Sex.FEMALE, 9003), JUST_ADULT_BORN, Sex.FEMALE
        ),
        duplicate_in_programme=False,
        sealer=sealer_for(beneficiary),
        provenance=by(OPERATOR, VERIFIED_ON, document("ktp", "KTP/0003", VERIFIED_ON)),
    )
    return given_beneficiary(*through_the_store([*history, *history_of(beneficiary)]))


def correcting_pendataan(
    beneficiary: Beneficiary, corrected: date, born: date | None
) -> Callable[[], None]:
    return lambda: beneficiary.correct_date(
        corrects_version=1,
        corrected_date=corrected,
        site=site_in("CLOSED"),
        provenance=correcting(),
        birth_date=born,
    )


def test_a_corrected_pendataan_date_on_which_she_was_a_minor_is_refused() -> None:
    beneficiary = verified_just_adult()

    error = refused(
        correcting_pendataan(beneficiary, date(2016, 11, 15), JUST_ADULT_BORN), BeneficiaryIsMinor
    )

    assert (error.code, error.field) == ("BENEFICIARY_IS_MINOR", "corrected_date")
    assert then_events(beneficiary) == []


def test_a_corrected_pendataan_date_on_which_she_was_already_18_is_recorded() -> None:
    beneficiary = verified_just_adult()

    correcting_pendataan(beneficiary, date(2016, 11, 21), JUST_ADULT_BORN)()

    assert then_events(beneficiary) == ["BeneficiaryDateCorrected"]
    assert beneficiary.pendataan_on == date(2016, 11, 21)


def test_a_referred_girl_cannot_have_her_pendataan_moved_to_when_she_was_18() -> None:
    beneficiary = beneficiary_in("REFERRED_CHILD_PROTECTION")

    error = refused(
        correcting_pendataan(beneficiary, MINOR_BORN.replace(year=2017), MINOR_BORN), NotAMinor
    )

    assert (error.code, error.field) == ("NOT_A_MINOR", "corrected_date")


def test_a_pendataan_date_cannot_be_corrected_once_her_birth_date_is_erased() -> None:
    beneficiary = beneficiary_in("VERIFIED")

    error = refused(correcting_pendataan(beneficiary, date(2016, 12, 2), None), BirthDateErased)

    assert (error.code, error.field) == ("BIRTH_DATE_ERASED", "corrected_date")


def test_before_verification_her_age_is_checked_on_the_corrected_pendataan_date() -> None:
    history = beneficiary_history("REGISTERED")
    beneficiary = given_beneficiary(*history)
    correcting_pendataan(beneficiary, date(2016, 11, 15), None)()
    beneficiary = given_beneficiary(*through_the_store([*history, *history_of(beneficiary)]))

    refused(
        lambda: beneficiary.verify_identity(
            evidence=IdentityEvidence(
                make_nik("65.71.04", JUST_ADULT_BORN, Sex.FEMALE, 9003),
                JUST_ADULT_BORN,
                Sex.FEMALE,
            ),
            duplicate_in_programme=False,
            sealer=sealer_for(beneficiary),
            provenance=by(OPERATOR, VERIFIED_ON),
        ),
        BeneficiaryIsMinor,
    )


# --- documents ------------------------------------------------------------------------------------


def test_a_wrong_decree_number_is_corrected_by_its_document() -> None:
    site = site_in("CLOSED")
    right = document("decree", "SK/TRK-JP/2018/B", TARAKAN.decreed_on, "Wali Kota Tarakan")

    site.correct_document(
        corrects_version=DECREE, corrected_document=right, provenance=correcting(SUPERVISOR)
    )

    corrected = then_event(site, Site.SiteDocumentCorrected)
    assert corrected.previous_document is not None
    assert corrected.previous_document.number == "SK/TRK-JP/2018"
    assert (site.decree_number, site.facts[DECREE].document) == ("SK/TRK-JP/2018/B", right)


# --- her name, sealed -----------------------------------------------------------------------------


def test_her_corrected_name_is_sealed_with_her_keys_like_the_original() -> None:
    beneficiary = beneficiary_in("VERIFIED")

    beneficiary.correct_details(
        name="Siti Rahmawaty",
        phone=None,
        recorded_name=NAME,
        recorded_phone=None,
        sealer=sealer_for(beneficiary),
        provenance=correcting(),
    )

    corrected = then_event(beneficiary, Beneficiary.BeneficiaryDetailsCorrected)
    assert seals(corrected.previous.name, NAME)
    assert seals(corrected.corrected.name, "Siti Rahmawaty")
    assert corrected.corrected.name.subject_id == beneficiary.id
    assert "Rahmawaty" not in repr(corrected)


def correcting_her_name(
    beneficiary: Beneficiary, shared: bool | None = None, *, phone: str | None = None
) -> None:
    """Her name corrected from NAME to Siti Rahmawaty (or, given `phone`, her phone only)."""
    beneficiary.correct_details(
        name=None if phone else "Siti Rahmawaty",
        phone=phone,
        recorded_name=NAME,
        recorded_phone=PHONE,
        sealer=sealer_for(beneficiary),
        provenance=correcting(),
        name_and_birth_date_shared=shared,
    )


def test_her_corrected_name_carries_what_the_duplicate_index_found_for_it() -> None:
    beneficiary = beneficiary_in("VERIFIED")

    correcting_her_name(beneficiary, shared=True)
    correcting_her_name(beneficiary, shared=True, phone="081253467782")

    named, phoned = beneficiary.pending_events
    assert isinstance(named, Beneficiary.BeneficiaryDetailsCorrected)
    assert isinstance(phoned, Beneficiary.BeneficiaryDetailsCorrected)
    assert (named.name_and_birth_date_shared, phoned.name_and_birth_date_shared) == (True, None)


def test_a_details_correction_stored_without_the_index_outcome_still_replays() -> None:
    history = beneficiary_history("VERIFIED")
    beneficiary = given_beneficiary(*history)
    correcting_her_name(beneficiary)
    (stored,) = through_the_store(history_of(beneficiary))
    # As a correction recorded before the field existed was stored.
    del stored.__dict__["name_and_birth_date_shared"]

    replayed = given_beneficiary(*through_the_store(history), stored)

    assert seals(replayed.name, "Siti Rahmawaty")
    assert stored.name_and_birth_date_shared is None


def test_her_name_given_as_recorded_is_no_correction() -> None:
    beneficiary = beneficiary_in("VERIFIED")

    refused(
        lambda: beneficiary.correct_details(
            name=f" {NAME} ",
            phone=None,
            recorded_name=NAME,
            recorded_phone=None,
            sealer=sealer_for(beneficiary),
            provenance=correcting(),
        ),
        NothingToCorrect,
    )


# --- money: four eyes -----------------------------------------------------------------------------


def test_a_money_correction_counts_only_once_a_second_person_approves_it() -> None:
    entitlement = entitlement_in("CREDITED")

    entitlement.request_correction(
        corrects_version=CREDIT,
        amount=GRANT - 100_000,
        reference="BRI-0717-0001-R",
        provenance=correcting(SUPERVISOR, "the bank's letter of 2 Feb"),
    )
    requested = then_event(entitlement, Entitlement.MoneyCorrectionRequested)
    assert (requested.previous_amount, requested.amount) == (GRANT, GRANT - 100_000)
    assert entitlement.credited_amount == GRANT, "pending: nothing changed yet"

    entitlement.approve_correction(provenance=by(OTHER_SUPERVISOR, CORRECTED_ON))

    assert then_events(entitlement) == ["MoneyCorrectionRequested", "MoneyCorrectionApproved"]
    assert (entitlement.credited_amount, entitlement.bank_reference) == (
        GRANT - 100_000,
        "BRI-0717-0001-R",
    )
    assert entitlement.pending_correction is None


def test_the_person_who_requested_a_money_correction_cannot_approve_it() -> None:
    entitlement = entitlement_in("CREDITED")
    entitlement.request_correction(
        corrects_version=CREDIT, amount=GRANT - 1, reference=None, provenance=correcting(SUPERVISOR)
    )

    error = refused(
        lambda: entitlement.approve_correction(provenance=by(SUPERVISOR, CORRECTED_ON)),
        FourEyesRequired,
    )

    assert error.code == "FOUR_EYES_REQUIRED"
    assert entitlement.credited_amount == GRANT


def test_a_rejected_money_correction_changes_nothing() -> None:
    entitlement = entitlement_in("CREDITED")
    entitlement.request_correction(
        corrects_version=CREDIT, amount=None, reference="X-1", provenance=correcting(SUPERVISOR)
    )

    entitlement.reject_correction(provenance=by(OTHER_SUPERVISOR, CORRECTED_ON, reason="wrong"))

    assert then_events(entitlement)[-1] == "MoneyCorrectionRejected"
    assert (entitlement.bank_reference, entitlement.pending_correction) == ("BRI-0717-0001", None)
    refused(
        lambda: entitlement.approve_correction(provenance=by(OTHER_SUPERVISOR, CORRECTED_ON)),
        NoPendingCorrection,
    )


def test_one_money_correction_at_a_time_and_only_of_a_credit_or_return() -> None:
    entitlement = entitlement_in("CREDITED")
    refused(
        lambda: entitlement.request_correction(
            corrects_version=3, amount=1, reference=None, provenance=correcting(SUPERVISOR)
        ),
        CorrectedEventUnknown,
    )
    entitlement.request_correction(
        corrects_version=CREDIT, amount=1, reference=None, provenance=correcting(SUPERVISOR)
    )

    refused(
        lambda: entitlement.request_correction(
            corrects_version=CREDIT, amount=2, reference=None, provenance=correcting(SUPERVISOR)
        ),
        CorrectionPending,
    )


def test_an_approved_money_correction_survives_the_store() -> None:
    live, _ = live_entitlement("CREDITED")
    history = history_of(live)
    entitlement = given(*through_the_store(history))
    assert isinstance(entitlement, Entitlement)
    entitlement.request_correction(
        corrects_version=CREDIT, amount=GRANT - 5, reference=None, provenance=correcting(SUPERVISOR)
    )
    entitlement.approve_correction(provenance=by(OTHER_SUPERVISOR, CORRECTED_ON))

    replayed = reloaded(entitlement, history)

    assert isinstance(replayed, Entitlement)
    assert replayed.credited_amount == GRANT - 5


def test_a_pending_money_correction_shows_in_entitlement_status_until_it_is_decided() -> None:
    live, _ = live_entitlement("CREDITED")
    history = history_of(live)
    entitlement = given(*through_the_store(history))
    assert isinstance(entitlement, Entitlement)
    entitlement.request_correction(
        corrects_version=CREDIT,
        amount=None,
        reference="BRI-0717-0001-R",
        provenance=correcting(SUPERVISOR, "the bank's letter"),
    )
    requested = history_of(entitlement)

    def status(events: list[object]) -> dict[str, object]:
        rows = fold_all(
            EntitlementStatus(), [PositionedEvent(n, e) for n, e in enumerate(events, 1)]
        )
        (row,) = rows.values()
        return row

    pending = status([*history, *requested])
    assert {k: v for k, v in pending.items() if k.startswith("correction_")} == {
        "correction_requested_by": SUPERVISOR.user_id,
        "correction_requested_on": CORRECTED_ON,
        "correction_of": "CreditedToAccount",
        "correction_amount": GRANT,
        "correction_reference": "BRI-0717-0001-R",
    }
    assert pending["bank_reference"] == "BRI-0717-0001", "pending: the credit stands as recorded"

    entitlement.approve_correction(provenance=by(OTHER_SUPERVISOR, CORRECTED_ON))
    approved = status([*history, *requested, *history_of(entitlement)])
    assert approved["correction_requested_by"] is None
    assert approved["bank_reference"] == "BRI-0717-0001-R"
