"""Published reports on SQLite and PostgreSQL: the third quarter of 2019 is published, a
withdrawal of August and an inspection of September are entered after it, and the comparison
shows the figures they changed and names them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.published_report import (
    Period,
    PublishedReport,
    ReportAlreadyPublished,
    ReportKind,
    figures_sha256,
)
from domain.recording import DocumentRef, Provenance
from domain.site import InspectionOutcome
from projections import report_figures
from service.commands.base import VersionConflict
from service.commands.reports import Publication
from service.errors import NotFound
from service.queries import reports as published_reports
from service.queries.reports import PublishedReports
from service.system import Jejak
from tests.contract.journey import OPERATOR, SUPERVISOR, by, run_journey, version_of

KIND = ReportKind.PROGRAMME_FIGURES
Q3 = Period.quarter(2019, 3)
SENT_ON = date(2019, 10, 7)
KEMENSOS = "Direktorat Rehabilitasi Sosial Tuna Sosial, Kementerian Sosial RI"


def letter(number: str, on: date) -> Provenance:
    paper = DocumentRef("surat_pengantar", number, on, "Dinas Sosial Provinsi Kalimantan Utara")
    return Provenance(SUPERVISOR, on, paper)


def publish(jejak: Jejak) -> Publication:
    return jejak.app.reports.publish(
        kind=KIND,
        period=Q3,
        addressee=KEMENSOS,
        provenance=letter("400/7/2019", SENT_ON),
    )


def site_figures(content: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = content["sites"]["TRK-JP"]
    return found


def test_a_late_entry_shows_beside_the_published_figures_with_the_event_that_made_it(
    jejak: Jejak,
) -> None:
    journey = run_journey(jejak.app)
    done = publish(jejak)
    report_id = done.result.aggregate_id
    published = PublishedReports(jejak).one(report_id)["content"]
    assert site_figures(published)["in_period"]["returned_home"] == 1
    assert site_figures(published)["money_in_period"]["credited"] == 3_250_000
    assert site_figures(published)["cases_at_end"]["REGISTERED"] == 2
    # Entered after the publication: a withdrawal of 15 August and an inspection of 1 September.
    withdrawn = jejak.app.beneficiaries.withdraw(
        journey.others[0], provenance=by(OPERATOR, date(2019, 8, 15), reason="Moved away")
    )
    inspected = jejak.app.sites.record_inspection(
        journey.site_id,
        outcome=InspectionOutcome.QUIET,
        provenance=by(OPERATOR, date(2019, 9, 1), "laporan"),
    )
    # Entered after it too, but dated after the quarter: it changes none of its figures.
    jejak.app.beneficiaries.withdraw(
        journey.others[1], provenance=by(OPERATOR, date(2019, 11, 4), reason="Moved away")
    )

    compared = PublishedReports(jejak).compare(report_id, changed_only=True)

    assert compared["published"]["content_intact"] is True
    assert compared["reproducible"] is True and compared["unexplained"] == []
    changed = {
        r["figure"]: (r["published"], r["today"], r["difference"]) for r in compared["figures"]
    }
    assert changed["sites.TRK-JP.in_period.withdrew"] == (0, 1, 1)
    assert changed["sites.TRK-JP.cases_at_end.REGISTERED"] == (2, 1, -1)
    assert changed["sites.TRK-JP.cases_at_end.WITHDRAWN"] == (0, 1, 1)
    assert changed["programme.in_programme_at_end"] == (3, 2, -1)
    assert changed["sites.TRK-JP.site_state_at_end"] == ("CLOSED", "MONITORED", None)
    assert changed["sites.TRK-JP.in_period.inspections"] == (0, 1, 1)
    assert "sites.TRK-JP.money_in_period.credited" not in changed
    events = {e["position"]: e for e in compared["events"]}
    assert sorted(events) == [withdrawn.position, inspected.position]
    late = events[withdrawn.position]
    assert (late["event"], late["aggregate_type"], late["subject"]) == (
        "BeneficiaryWithdrew",
        "Beneficiary",
        "TRK-JP-0002",
    )
    assert late["occurred_on"] == date(2019, 8, 15) and late["dated_in_period"] is True
    assert late["actor"] == {"user_id": "opi", "role": "operator", "org_unit": OPERATOR.org_unit}
    assert late["recorded_at"] is not None
    assert "sites.TRK-JP.in_period.withdrew" in late["figures"]
    rows = {r["figure"]: r for r in compared["figures"]}
    assert rows["sites.TRK-JP.in_period.withdrew"]["positions"] == [withdrawn.position]
    assert compared["today"]["log_position"] > compared["published"]["log_position"]


def test_a_comparison_read_again_after_later_entries_is_the_fresh_replays(
    jejak: Jejak,
) -> None:
    journey = run_journey(jejak.app)
    report_id = publish(jejak).result.aggregate_id
    reports = PublishedReports(jejak)
    assert reports.compare(report_id, changed_only=True)["figures_changed"] == 0
    jejak.app.beneficiaries.withdraw(
        journey.others[0], provenance=by(OPERATOR, date(2019, 8, 15), reason="Moved away")
    )

    # The second comparison folds only what was recorded since the first.
    again = reports.compare(report_id)
    published_reports._REPLAYS.clear()
    fresh = reports.compare(report_id)

    assert again == fresh
    assert again["figures_changed"] > 0 and len(again["events"]) == 1


def test_a_correction_after_the_publication_shows_with_the_figures_it_moved(
    jejak: Jejak,
) -> None:
    journey = run_journey(jejak.app)
    done = publish(jejak)
    her = journey.beneficiary_id
    # Found after the publication: her case was closed on 3 October, not 10 September, and
    # the site's name was misspelt at pendataan.
    redated = jejak.app.corrections.correct_beneficiary_date(
        her,
        corrects_version=version_of(jejak.app, her, "CaseClosed"),
        corrected_date=date(2019, 10, 3),
        provenance=by(SUPERVISOR, date(2019, 10, 21), "berita_acara", "dated in the minutes"),
    )
    renamed = jejak.app.corrections.correct_site_details(
        journey.site_id,
        name="Juata Permai Ujung",
        provenance=by(OPERATOR, date(2019, 10, 22), "daftar_pendataan", "the register's spelling"),
    )
    # A correction of a fact the quarter does not show moves none of its figures.
    jejak.app.corrections.correct_site_details(
        journey.site_id,
        aliases=["Juwata"],
        provenance=by(OPERATOR, date(2019, 10, 23), "daftar_pendataan", "the register's alias"),
    )

    compared = PublishedReports(jejak).compare(done.result.aggregate_id, changed_only=True)

    assert compared["reproducible"] is True and compared["unexplained"] == []
    changed = {
        r["figure"]: (r["published"], r["today"], r["positions"]) for r in compared["figures"]
    }
    assert changed == {
        "sites.TRK-JP.site_name": ("Juata Permai", "Juata Permai Ujung", [renamed.position]),
        "sites.TRK-JP.cases_at_end.CLOSED": (1, 0, [redated.position]),
        "sites.TRK-JP.cases_at_end.RETURNED": (0, 1, [redated.position]),
        "sites.TRK-JP.in_period.cases_closed": (1, 0, [redated.position]),
        "programme.cases_at_end.CLOSED": (1, 0, [redated.position]),
        "programme.cases_at_end.RETURNED": (0, 1, [redated.position]),
        "programme.in_period.cases_closed": (1, 0, [redated.position]),
    }
    events = {e["position"]: e for e in compared["events"]}
    assert sorted(events) == [redated.position, renamed.position]
    late = events[redated.position]
    assert (late["event"], late["aggregate_type"], late["subject"]) == (
        "BeneficiaryDateCorrected",
        "Beneficiary",
        "TRK-JP-0001",
    )
    assert late["corrects"] == {
        "version": version_of(jejak.app, her, "CaseClosed"),
        "event": "CaseClosed",
        "previous_date": date(2019, 9, 10),
        "corrected_date": date(2019, 10, 3),
    }
    assert events[renamed.position]["corrects"] == {"version": 1, "event": "SiteRegistered"}
    # Published again, the quarter shows the corrected facts.
    again = published_reports.figures(jejak.app, KIND, Q3, jejak.app.position())
    assert site_figures(again)["site_name"] == "Juata Permai Ujung"
    assert site_figures(again)["in_period"]["cases_closed"] == 0


def test_the_same_events_give_the_same_figures_and_hash(jejak: Jejak) -> None:
    run_journey(jejak.app)
    done = publish(jejak)

    again = published_reports.figures(jejak.app, KIND, Q3, done.log_position)

    assert figures_sha256(again) == done.content_sha256
    recorded = jejak.app.published_report(done.result.aggregate_id)
    assert recorded.content_sha256 == done.content_sha256
    assert recorded.log_position == done.log_position == done.result.position - 1


def test_a_second_publication_is_refused_and_a_correction_is_a_new_version(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    done = publish(jejak)
    report_id = done.result.aggregate_id
    with pytest.raises(ReportAlreadyPublished):
        publish(jejak)
    jejak.app.beneficiaries.withdraw(
        journey.others[0], provenance=by(OPERATOR, date(2019, 8, 15), reason="Moved away")
    )
    correction = Provenance(
        SUPERVISOR,
        date(2019, 10, 21),
        DocumentRef("surat_pengantar", "400/9/2019", date(2019, 10, 21), "Dinas Sosial"),
        "A withdrawal of August was entered late",
    )
    with pytest.raises(VersionConflict):
        jejak.app.reports.republish(
            report_id, replaces_version=2, addressee=None, provenance=correction
        )

    again = jejak.app.reports.republish(
        report_id, replaces_version=1, addressee=None, provenance=correction
    )

    assert again.result.version == 2 and again.content_sha256 != done.content_sha256
    one = PublishedReports(jejak).one(report_id)
    assert [v["version"] for v in one["versions"]] == [1, 2]
    assert one["versions"][1]["replaces_sha256"] == done.content_sha256
    assert one["versions"][1]["replaces_intact"] is True
    assert one["versions"][1]["addressee"] == KEMENSOS
    assert one["shown_version"] == 2 and one["content_intact"] is True
    assert PublishedReports(jejak).compare(report_id)["figures_changed"] == 0
    assert PublishedReports(jejak).compare(report_id, version=1)["figures_changed"] > 0
    jejak.runner.catch_up()
    (listed,) = PublishedReports(jejak).list(kind=KIND, limit=10, offset=0).items
    assert (listed["version"], listed["content_sha256"]) == (2, again.content_sha256)
    assert [v["event_position"] for v in listed["versions"]] == [
        done.result.position,
        again.result.position,
    ]
    assert listed["reason"] == "A withdrawal of August was entered late"


def test_an_unknown_report_or_version_is_not_found(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    done = publish(jejak)
    reports = PublishedReports(jejak)

    with pytest.raises(NotFound):
        reports.one(PublishedReport.create_id(KIND, Period.quarter(2019, 2)))
    with pytest.raises(NotFound):
        reports.compare(journey.site_id)
    with pytest.raises(NotFound):
        reports.one(done.result.aggregate_id, version=2)


def test_a_difference_no_later_event_explains_is_put_down_to_how_figures_are_computed(
    jejak: Jejak, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_journey(jejak.app)
    done = publish(jejak)
    # A later release also counts the bank accounts recorded in the period.
    monkeypatch.setitem(report_figures.STEPS, "BankAccountRecorded", "bank_accounts_recorded")

    compared = PublishedReports(jejak).compare(done.result.aggregate_id, changed_only=True)

    assert compared["published"]["content_intact"] is True
    assert compared["reproducible"] is False and compared["events"] == []
    figure = "sites.TRK-JP.in_period.bank_accounts_recorded"
    assert figure in compared["unexplained"]
    (row,) = [r for r in compared["figures"] if r["figure"] == figure]
    assert (row["published"], row["recomputed_at_published_position"], row["today"]) == (
        None,
        1,
        1,
    )
