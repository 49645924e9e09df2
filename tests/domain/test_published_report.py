"""Published reports: given events, when a command, then events (or a refusal).

The story: the provincial Dinas Sosial sends the second quarter of 2019 to the Ministry of
Social Affairs on 8 July 2019 under its letter 400/512/DINSOS; a training completion of June is
entered late, so on 2 August it sends a corrected version under a second letter.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.errors import InvalidValue
from domain.free_text import PersonalDataInText
from domain.published_report import (
    FiguresInvalid,
    Period,
    PeriodInvalid,
    PublishedReport,
    ReportKind,
    ReportUnchanged,
    canonical_json,
    figures_sha256,
    intact,
)
from domain.recording import DocumentRef
from tests.domain.givens import (
    SUPERVISOR,
    by,
    document,
    given,
    then_event,
    then_events,
    through_the_store,
)

KIND = ReportKind.PROGRAMME_FIGURES
Q2 = Period(date(2019, 4, 1), date(2019, 6, 30))
SENT_ON = date(2019, 7, 8)
CORRECTED_ON = date(2019, 8, 2)
KEMENSOS = "Direktorat Rehabilitasi Sosial Tuna Sosial, Kementerian Sosial RI"


def letter(number: str = "400/512/DINSOS", on: date = SENT_ON) -> DocumentRef:
    return document("surat_pengantar", number, on, "Dinas Sosial Provinsi Kalimantan Utara")


def figures(trained: int = 27, position: int = 4962, period: Period = Q2) -> dict[str, Any]:
    return {
        "report_kind": KIND.value,
        "period": period.as_dict(),
        "known_at_position": position,
        "sites": {"TRK-JP": {"site_name": "Juata Permai", "in_period": {"trained": trained}}},
        "programme": {"in_period": {"trained": trained}, "declared_headcount_at_closure": None},
    }


def publish(content: dict[str, Any] | None = None, **changes: Any) -> PublishedReport:
    fields: dict[str, Any] = {
        "kind": KIND,
        "period": Q2,
        "content": figures() if content is None else content,
        "log_position": 4962,
        "addressee": KEMENSOS,
        "code_version": "0.1.0",
        "commit": "unknown",
        "provenance": by(SUPERVISOR, SENT_ON, letter()),
    }
    return PublishedReport.publish(**(fields | changes))


def published() -> PublishedReport:
    return given(*publish().collect_events())  # type: ignore[return-value]


def republish(report: PublishedReport, **changes: Any) -> None:
    fields: dict[str, Any] = {
        "content": figures(trained=28, position=5120),
        "log_position": 5120,
        "addressee": KEMENSOS,
        "code_version": "0.1.0",
        "commit": "unknown",
        "provenance": by(
            SUPERVISOR,
            CORRECTED_ON,
            letter("400/601/DINSOS", CORRECTED_ON),
            "A training completion of June was entered late",
        ),
    }
    report.republish(**(fields | changes))


# --- publishing -----------------------------------------------------------------------------------


def test_a_published_report_freezes_its_figures_their_hash_and_position() -> None:
    report = publish()

    recorded = then_event(report, PublishedReport.ReportPublished)
    assert then_events(report) == ["ReportPublished"]
    assert report.state == "PUBLISHED"
    assert recorded.content == figures()
    assert recorded.content_sha256 == figures_sha256(figures())
    assert (recorded.log_position, recorded.addressee) == (4962, KEMENSOS)
    assert (recorded.period_start, recorded.period_end) == (Q2.start, Q2.end)
    assert recorded.document is not None and recorded.document.number == "400/512/DINSOS"
    assert report.id == PublishedReport.create_id(KIND, Q2)


def test_the_same_figures_always_give_the_same_bytes_and_hash() -> None:
    shuffled = dict(reversed(list(figures().items())))

    assert canonical_json(shuffled) == canonical_json(figures())
    assert canonical_json(figures()).startswith(b'{"known_at_position":4962,"period":')
    assert figures_sha256(shuffled) == figures_sha256(figures())
    assert figures_sha256(figures(trained=28)) != figures_sha256(figures())


def test_frozen_figures_that_no_longer_match_their_hash_are_found() -> None:
    recorded = then_event(publish(), PublishedReport.ReportPublished)
    altered = figures(trained=30)

    assert intact(recorded.content, recorded.content_sha256)
    assert not intact(altered, recorded.content_sha256)
    assert not intact(recorded.content, "not a hash")


def test_the_figures_read_back_from_the_store_still_match_their_hash() -> None:
    (stored,) = through_the_store(publish().collect_events())

    assert isinstance(stored, PublishedReport.ReportPublished)
    assert stored.content == figures()
    assert intact(stored.content, stored.content_sha256)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(PeriodInvalid) as refused:
        Period(date(2019, 6, 30), date(2019, 4, 1))

    assert refused.value.code == "PERIOD_INVALID"
    assert isinstance(refused.value, InvalidValue)


def test_a_period_not_over_by_the_publication_date_is_refused() -> None:
    with pytest.raises(PeriodInvalid, match="must have ended"):
        publish(provenance=by(SUPERVISOR, date(2019, 6, 29), letter()))


def test_quarters_and_written_periods() -> None:
    assert Period.quarter(2019, 2) == Q2
    assert Period.quarter(2019, 4) == Period(date(2019, 10, 1), date(2019, 12, 31))
    assert Period.parse("2019-Q2") == Period.parse("2019Q2") == Q2
    assert Period.parse("2019-04-01..2019-06-30") == Q2
    assert str(Q2) == "2019-04-01..2019-06-30"
    for wrong in ("2019-Q5", "Q2", "2019-04-01", "2019-04-01..yesterday"):
        with pytest.raises(PeriodInvalid):
            Period.parse(wrong)


def test_a_report_is_published_under_its_covering_letter() -> None:
    with pytest.raises(DocumentRequired):
        publish(provenance=by(SUPERVISOR, SENT_ON))


def test_figures_of_another_period_or_position_are_refused() -> None:
    for content in (figures(period=Period.quarter(2019, 3)), figures(position=1)):
        with pytest.raises(FiguresInvalid, match="kind, period and log position"):
            publish(content)


@pytest.mark.parametrize(
    "value",
    [1.5, True, ["a list"], "", "x" * 201],
    ids=["float", "bool", "list", "empty text", "long text"],
)
def test_figures_are_whole_numbers_short_texts_and_groups_of_them(value: object) -> None:
    content = figures() | {"programme": {"odd": value}}

    with pytest.raises(FiguresInvalid):
        publish(content)


def test_figures_never_hold_personal_data() -> None:
    content = figures() | {"sites": {"TRK-JP": {"site_name": "Kontak 0811 5555 0001"}}}

    with pytest.raises(PersonalDataInText):
        publish(content)
    with pytest.raises(PersonalDataInText):
        publish(addressee="kepala@dinsos.example.go.id")


# --- republishing ---------------------------------------------------------------------------------


def test_a_correction_is_a_new_version_naming_the_one_it_replaces() -> None:
    report = published()
    first_hash = report.content_sha256

    republish(report)

    corrected = then_event(report, PublishedReport.ReportRepublished)
    assert then_events(report) == ["ReportRepublished"]
    assert (report.version, report.state) == (2, "PUBLISHED")
    assert (corrected.replaces_version, corrected.replaces_sha256) == (1, first_hash)
    assert corrected.content_sha256 == figures_sha256(figures(trained=28, position=5120))
    assert corrected.reason == "A training completion of June was entered late"
    assert report.log_position == 5120


def test_a_correction_says_why() -> None:
    report = published()

    with pytest.raises(ReasonRequired):
        republish(report, provenance=by(SUPERVISOR, CORRECTED_ON, letter("400/601/DINSOS")))


def test_a_correction_with_the_same_figures_is_refused_even_as_known_later() -> None:
    report = published()

    with pytest.raises(ReportUnchanged) as refused:
        republish(report, content=figures(position=5120))

    assert refused.value.code == "REPORT_UNCHANGED"


def test_a_correction_is_computed_no_earlier_than_the_version_it_replaces() -> None:
    report = published()

    with pytest.raises(FiguresInvalid, match="at or after"):
        republish(report, content=figures(trained=26, position=10), log_position=10)


def test_the_addressee_can_change_with_a_correction() -> None:
    report = published()

    republish(report, addressee="Inspektorat Jenderal, Kementerian Sosial RI")

    assert report.addressee == "Inspektorat Jenderal, Kementerian Sosial RI"
