"""The Site aggregate: given its events, when a command runs, then new events or an error."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from domain.errors import DocumentKindUnknown, DomainError, InvalidValue, TransitionNotAllowed
from domain.recording import Actor, DocumentRef, RegionRef, Role
from domain.site import (
    SITE_LIFECYCLE,
    ClosureBeforeDecree,
    ClosureNeedsBeritaAcara,
    ClosureNeedsSosialisasi,
    FundingStatus,
    InspectionOutcome,
    Site,
)
from tests.domain.givens import (
    NUNUKAN,
    NUNUKAN_CLOSURE,
    OPERATOR,
    PENDATAAN,
    SITE_STATES,
    SUPERVISOR,
    TARAKAN,
    TARAKAN_CLOSURE,
    berita_acara,
    by,
    decree,
    given_site,
    live_site,
    minutes,
    site_history,
    site_in,
    then_events,
    through_the_store,
)

KARANG_AGAS = "Karang Agas"


def register(**overrides: Any) -> Site:
    arguments: dict[str, Any] = {
        "code": "TRK-KA",
        "name": KARANG_AGAS,
        "aliases": ("Lingkas Ujung",),
        "kelurahan": TARAKAN.kelurahan,
        "headcount_at_pendataan": 18,
        "provenance": by(OPERATOR, PENDATAAN),
    }
    arguments.update(overrides)
    return Site.register(**arguments)


def hold_sosialisasi(site: Site, on: date, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "venue": "Aula Kelurahan Juata Permai",
        "attendance": 40,
        "facilitators": ("Dinsos", "Satpol PP"),
        "provenance": by(OPERATOR, on, minutes(on)),
    }
    arguments.update(overrides)
    site.hold_sosialisasi(**arguments)


def close(site: Site, on: date = TARAKAN_CLOSURE, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "declared_headcount": 58,
        "funding_status": FundingStatus.NOT_IN_PLACE,
        "provenance": by(OPERATOR, on, berita_acara(on)),
    }
    arguments.update(overrides)
    site.close(**arguments)


def decree_closure(site: Site, on: date = TARAKAN.decreed_on, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "decree_number": "SK/TRK-JP/2018",
        "signing_authority": "Wali Kota Tarakan",
        "provenance": by(SUPERVISOR, on, decree()),
    }
    arguments.update(overrides)
    site.decree_closure(**arguments)


def inspect(site: Site, on: date, outcome: InspectionOutcome = InspectionOutcome.QUIET) -> None:
    site.record_inspection(outcome=outcome, provenance=by(OPERATOR, on))


# --- registration (pendataan) ---------------------------------------------------------------------


def test_a_site_is_registered_at_pendataan_with_its_headcount_and_aliases() -> None:
    site = register(name="  Karang Agas ", aliases=(" Lingkas Ujung ", " "))

    assert then_events(site) == ["SiteRegistered"]
    assert site.state == "REGISTERED"
    assert (site.code, site.name, site.aliases) == ("TRK-KA", KARANG_AGAS, ("Lingkas Ujung",))
    assert site.headcount_at_pendataan == 18
    assert site.pendataan_on == PENDATAAN
    assert site.milestones == {"SiteRegistered": PENDATAAN}


def test_a_site_code_always_names_the_same_site() -> None:
    assert register().id == register().id == Site.create_id("TRK-KA")
    assert Site.create_id("TRK-KA") != Site.create_id("TRK-JP")


@pytest.mark.parametrize("code", ["trk-ka", "TRKKA", "TRK-KA-1", "T-KA", "TRKXX-KA", "", "TRK_KA"])
def test_a_site_code_must_be_letters_with_one_hyphen(code: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        register(code=code)

    assert (raised.value.code, raised.value.field) == ("INVALID_VALUE", "code")


@pytest.mark.parametrize("code", ["TRK-KA\n", "TRK-KA\r\n"])
def test_a_site_code_with_trailing_whitespace_is_refused(code: str) -> None:
    # The id is derived from the code, so "TRK-KA\n" would register a second Karang Agas that
    # the registered-once rule cannot see. `re.match` with `$` accepts a trailing newline.
    with pytest.raises(InvalidValue) as raised:
        register(code=code)

    assert raised.value.field == "code"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "   "}, "name"),
        ({"headcount_at_pendataan": -1}, "headcount_at_pendataan"),
    ],
)
def test_a_site_needs_a_name_and_a_non_negative_headcount(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        register(**overrides)

    assert raised.value.field == field


# --- sosialisasi ----------------------------------------------------------------------------------


def test_the_first_sosialisasi_moves_a_registered_site_to_socialised() -> None:
    site = site_in("REGISTERED")

    hold_sosialisasi(site, TARAKAN.sosialisasi_on)

    assert then_events(site) == ["SosialisasiHeld"]
    assert site.state == "SOCIALISED"
    assert site.sosialisasi_dates == [TARAKAN.sosialisasi_on]


@pytest.mark.parametrize("state", ["SOCIALISED", "CLOSURE_DECREED"])
def test_a_further_sosialisasi_keeps_the_state(state: str) -> None:
    site = site_in(state)
    on = TARAKAN.decreed_on + timedelta(days=3)

    hold_sosialisasi(site, on)

    assert then_events(site) == ["SosialisasiHeld"]
    assert site.state == state
    assert site.sosialisasi_dates == [TARAKAN.sosialisasi_on, on]
    assert site.milestones["SosialisasiHeld"] == on


@pytest.mark.parametrize(
    ("overrides", "field"), [({"venue": " "}, "venue"), ({"attendance": -1}, "attendance")]
)
def test_a_sosialisasi_needs_a_venue_and_a_non_negative_attendance(
    overrides: dict[str, Any], field: str
) -> None:
    site = site_in("REGISTERED")

    with pytest.raises(InvalidValue) as raised:
        hold_sosialisasi(site, TARAKAN.sosialisasi_on, **overrides)

    assert raised.value.field == field
    assert then_events(site) == []


@pytest.mark.parametrize("state", ["CLOSED", "MONITORED"])
def test_a_closed_site_takes_no_more_sosialisasi_or_decrees(state: str) -> None:
    site = site_in(state)

    with pytest.raises(TransitionNotAllowed):
        hold_sosialisasi(site, date(2019, 3, 1))
    with pytest.raises(TransitionNotAllowed):
        decree_closure(site, date(2019, 3, 1))
    assert then_events(site) == []


# --- the decree -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["REGISTERED", "SOCIALISED"])
def test_a_closure_can_be_decreed_with_or_without_a_prior_sosialisasi(state: str) -> None:
    site = site_in(state)

    decree_closure(site)

    assert then_events(site) == ["ClosureDecreed"]
    assert site.state == "CLOSURE_DECREED"
    assert (site.decreed_on, site.decree_number) == (TARAKAN.decreed_on, "SK/TRK-JP/2018")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"decree_number": " "}, "decree_number"), ({"signing_authority": ""}, "signing_authority")],
)
def test_a_decree_needs_its_number_and_signing_authority(
    overrides: dict[str, Any], field: str
) -> None:
    site = site_in("SOCIALISED")

    with pytest.raises(InvalidValue) as raised:
        decree_closure(site, **overrides)

    assert raised.value.field == field


def test_a_closure_cannot_be_decreed_twice() -> None:
    site = site_in("CLOSURE_DECREED")

    with pytest.raises(TransitionNotAllowed):
        decree_closure(site)


# --- closure --------------------------------------------------------------------------------------


def test_a_site_is_closed_on_its_berita_acara_even_before_funds_arrive() -> None:
    site = site_in("CLOSURE_DECREED")

    close(site, declared_headcount=58, funding_status=FundingStatus.NOT_IN_PLACE)

    assert then_events(site) == ["SiteClosed"]
    assert site.state == "CLOSED"
    assert site.is_closed
    assert (site.closed_on, site.declared_headcount, site.funding_status) == (
        TARAKAN_CLOSURE,
        58,
        FundingStatus.NOT_IN_PLACE,
    )


def test_nunukan_closed_on_10_january_2019_with_27_residents() -> None:
    site = site_in("CLOSED", NUNUKAN)

    assert (site.code, site.closed_on, site.declared_headcount) == ("NNK-PSM", NUNUKAN_CLOSURE, 27)
    assert site.headcount_at_pendataan == 39


@pytest.mark.parametrize("state", ["REGISTERED", "SOCIALISED"])
def test_a_site_cannot_be_closed_before_its_closure_is_decreed(state: str) -> None:
    site = site_in(state)

    with pytest.raises(TransitionNotAllowed) as raised:
        close(site)

    assert raised.value.code == "TRANSITION_NOT_ALLOWED"
    assert "CLOSURE_DECREED" in raised.value.message


def test_a_site_cannot_be_closed_before_the_decree_date() -> None:
    site = site_in("CLOSURE_DECREED")

    with pytest.raises(ClosureBeforeDecree) as raised:
        close(site, TARAKAN.decreed_on - timedelta(days=1))

    assert (raised.value.code, raised.value.field) == ("SITE_CLOSURE_BEFORE_DECREE", "occurred_on")
    assert then_events(site) == []


def test_a_site_can_be_closed_on_the_decree_date_itself() -> None:
    site = site_in("CLOSURE_DECREED")

    close(site, TARAKAN.decreed_on)

    assert site.state == "CLOSED"


def test_site_cannot_be_closed_without_a_sosialisasi_on_or_before_the_closure_date() -> None:
    site = site_in("REGISTERED")
    decree_closure(site)
    hold_sosialisasi(site, TARAKAN_CLOSURE + timedelta(days=1))

    with pytest.raises(ClosureNeedsSosialisasi) as raised:
        close(site, TARAKAN_CLOSURE)

    assert raised.value.code == "SITE_CLOSURE_NEEDS_SOSIALISASI"
    assert raised.value.field == "occurred_on"
    assert then_events(site) == ["ClosureDecreed", "SosialisasiHeld"]


def test_a_sosialisasi_on_the_closure_date_is_enough() -> None:
    site = site_in("REGISTERED")
    decree_closure(site)
    hold_sosialisasi(site, TARAKAN_CLOSURE)

    close(site, TARAKAN_CLOSURE)

    assert then_events(site) == ["ClosureDecreed", "SosialisasiHeld", "SiteClosed"]


def test_a_closure_needs_its_berita_acara() -> None:
    site = site_in("CLOSURE_DECREED")

    with pytest.raises(ClosureNeedsBeritaAcara) as raised:
        close(site, provenance=by(OPERATOR, TARAKAN_CLOSURE))

    assert (raised.value.code, raised.value.field) == (
        "SITE_CLOSURE_NEEDS_BERITA_ACARA",
        "document",
    )


def test_a_closure_on_a_document_of_another_kind_is_refused() -> None:
    site = site_in("CLOSURE_DECREED")

    with pytest.raises(ClosureNeedsBeritaAcara) as raised:
        close(site, provenance=by(OPERATOR, TARAKAN_CLOSURE, minutes(TARAKAN_CLOSURE)))

    assert raised.value.field == "document.kind"
    assert then_events(site) == []


def test_a_new_command_citing_a_kind_off_the_list_is_refused() -> None:
    unlisted = DocumentRef("surat sakti", "BA/1", TARAKAN_CLOSURE, "Dinsos")

    with pytest.raises(DocumentKindUnknown) as raised:
        by(OPERATOR, TARAKAN_CLOSURE, unlisted)

    assert (raised.value.code, raised.value.field) == ("DOCUMENT_KIND_UNKNOWN", "document.kind")


def test_stored_events_keep_the_kinds_they_were_recorded_with() -> None:
    history = site_history("CLOSED")
    closed = history[-1]
    assert type(closed).__name__ == "SiteClosed"
    older = dataclasses.replace(
        closed, document=DocumentRef("berita acara penutupan", "BA/1", closed.occurred_on, "X")
    )

    site = given_site(*history[:-1], older)

    assert site.state == "CLOSED"


def test_the_headcount_declared_at_closure_cannot_be_negative() -> None:
    site = site_in("CLOSURE_DECREED")

    with pytest.raises(InvalidValue) as raised:
        close(site, declared_headcount=-1)

    assert raised.value.field == "declared_headcount"


# --- post-closure monitoring ----------------------------------------------------------------------


@pytest.mark.parametrize("state", ["CLOSED", "MONITORED"])
def test_inspections_keep_a_closed_site_monitored(state: str) -> None:
    site = site_in(state)

    inspect(site, date(2019, 4, 1), InspectionOutcome.ACTIVITY_FOUND)

    assert then_events(site) == ["PostClosureInspected"]
    assert site.state == "MONITORED"
    assert site.last_inspection is InspectionOutcome.ACTIVITY_FOUND


def test_an_inspection_cannot_precede_the_closure() -> None:
    site = site_in("CLOSED")

    with pytest.raises(InvalidValue) as raised:
        inspect(site, TARAKAN_CLOSURE - timedelta(days=1))

    assert raised.value.field == "occurred_on"


@pytest.mark.parametrize("state", ["REGISTERED", "SOCIALISED", "CLOSURE_DECREED"])
def test_an_open_site_cannot_be_inspected(state: str) -> None:
    with pytest.raises(TransitionNotAllowed):
        inspect(site_in(state), date(2019, 4, 1))


# --- every declared transition, and the deadlines they start --------------------------------------

VALID: dict[str, Callable[[Site], None]] = {
    "hold_sosialisasi": lambda s: hold_sosialisasi(s, TARAKAN.decreed_on),
    "decree_closure": lambda s: decree_closure(s),
    "close_site": lambda s: close(s),
    "record_inspection": lambda s: inspect(s, date(2019, 3, 1)),
}


@pytest.mark.parametrize(
    ("command", "source", "event", "target"),
    [
        (t.command, s, t.event, t.target or s)
        for t in SITE_LIFECYCLE.transitions
        for s in t.sources or ()
    ],
)
def test_every_declared_site_transition_happens_as_declared(
    command: str, source: str, event: str, target: str
) -> None:
    site = site_in(source)

    VALID[command](site)

    assert then_events(site) == [event]
    assert site.state == target


@pytest.mark.parametrize(
    ("state", "setting", "due"),
    [
        ("REGISTERED", "site_sosialisasi_days", date(2017, 12, 1)),
        ("CLOSURE_DECREED", "site_closure_after_decree_days", date(2019, 1, 13)),
        ("CLOSED", "site_first_inspection_days", date(2019, 1, 27)),
        ("MONITORED", "site_inspection_interval_days", date(2019, 4, 27)),
    ],
)
def test_a_site_is_due_for_its_next_step_as_declared(state: str, setting: str, due: date) -> None:
    site = site_in(state)

    deadline = SITE_LIFECYCLE.due_on(site.state, site.milestones, {})

    assert deadline is not None
    assert (deadline[0].setting, deadline[1]) == (setting, due)


# --- provenance and replay ------------------------------------------------------------------------


def test_every_site_event_records_actor_role_unit_date_and_document() -> None:
    events = site_history("MONITORED")

    for e in events:
        assert isinstance(e.actor, Actor)
        assert e.actor.user_id and e.actor.org_unit
        assert isinstance(e.actor.role, Role)
        assert type(e.occurred_on) is date
    recorded = {type(e).__name__: e for e in events}
    assert recorded["ClosureDecreed"].actor.role is Role.SUPERVISOR
    assert recorded["ClosureDecreed"].document == decree()
    assert recorded["SiteClosed"].document == berita_acara(TARAKAN_CLOSURE)
    assert recorded["SosialisasiHeld"].document == minutes(TARAKAN.sosialisasi_on)
    assert all(isinstance(e.document, DocumentRef | None) for e in events)


@pytest.mark.parametrize("state", SITE_STATES)
def test_replaying_a_sites_events_rebuilds_the_same_site(state: str) -> None:
    live = live_site(state)
    events = live.collect_events()

    replayed = given_site(*events)

    assert replayed == live
    assert (replayed.state, replayed.milestones, replayed.version) == (
        live.state,
        live.milestones,
        len(events),
    )


def test_a_site_reloaded_from_the_event_store_equals_the_live_site() -> None:
    live = live_site("MONITORED")
    events = live.collect_events()

    reloaded = given_site(*through_the_store(events))

    assert vars(reloaded) == vars(live)
    assert {k: type(v) for k, v in vars(reloaded).items()} == {
        k: type(v) for k, v in vars(live).items()
    }


def test_a_refused_command_records_nothing_and_changes_nothing() -> None:
    site = site_in("CLOSURE_DECREED")
    before = copy.deepcopy(site)

    with pytest.raises(DomainError):
        close(site, TARAKAN.decreed_on - timedelta(days=1))

    assert then_events(site) == []
    assert site == before


@pytest.mark.parametrize(
    "kelurahan",
    [
        RegionRef("kemendagri", "99.99.99.9999"),  # in no Kemendagri list
        RegionRef("kemendagri", "65.71.04"),  # a kecamatan, not a kelurahan
        RegionRef("bps", "6571040002"),  # no BPS village list to find it in
    ],
)
def test_a_site_kelurahan_must_exist_in_the_region_tables(kelurahan: RegionRef) -> None:
    with pytest.raises(InvalidValue) as raised:
        register(kelurahan=kelurahan)

    assert raised.value.field == "kelurahan"


def test_a_site_anywhere_in_the_country_names_a_real_kelurahan() -> None:
    # Huta Barangan, Kota Sibolga: outside the programme's provinces, in the full list.
    site = register(kelurahan=RegionRef("kemendagri", "12.73.01.1001"))

    assert site.kelurahan.code == "12.73.01.1001"
