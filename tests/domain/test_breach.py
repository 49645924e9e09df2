"""The breach register: given events, when a command, then events (or a refusal).

The story: on Monday 2 December 2024 at 09.15 WITA an operator reports that a laptop holding an
export of the Tarakan roster was left in a taxi on the Saturday before. The data-protection
officer records the suspected breach at 10.00; the 3x24-hour clock of UU PDP Pasal 46 runs to
Thursday 5 December, 09.15 WITA.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domain.audit_errors import DatesOutOfOrder
from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.errors import DocumentKindNotAccepted, InvalidValue, TransitionNotAllowed
from domain.free_text import PersonalDataInText
from domain.privacy.breach import (
    AffectedNotStated,
    Breach,
    NotAnAffectedCase,
    NoticesOutstanding,
    RemediationRequired,
    SubjectsNotListed,
)
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from domain.privacy.clocks import CLOCKS
from domain.recording import Actor, DocumentRef, Role
from tests.domain.givens import by, document, given, then_event, then_events, through_the_store

WITA = timezone(timedelta(hours=8))
DPO = Actor("dpo", Role.DPO, "Dinsos Provinsi Kalimantan Utara")
DISCOVERED = datetime(2024, 12, 2, 9, 15, tzinfo=WITA)
ON = date(2024, 12, 2)
HER = UUID("00000000-0000-4000-8000-000000000001")
NEIGHBOUR = UUID("00000000-0000-4000-8000-000000000002")
STRANGER = UUID("00000000-0000-4000-8000-000000000009")
NUMBER = "KDP-2024-001"


def letter(number: str, on: date = ON) -> DocumentRef:
    return document("surat", number, on, "Pejabat Pelindungan Data Pribadi")


def suspected(
    *,
    cases: tuple[UUID, ...] = (HER, NEIGHBOUR),
    estimate: int | None = None,
    description: str = "Laptop berisi ekspor daftar penerima manfaat tertinggal di taksi",
    discovered: datetime = DISCOVERED,
    on: date = ON,
) -> Breach:
    return Breach.record_suspected(
        number=NUMBER,
        discovered_at=discovered,
        happened_from=date(2024, 11, 30),
        happened_to=date(2024, 11, 30),
        channel="lost_device",
        categories=["identity", "financial"],
        beneficiary_ids=cases,
        estimated_count=estimate,
        description=description,
        provenance=by(DPO, on),
    )


def stored(breach: Breach) -> Breach:
    """The breach as it is read back after saving."""
    rebuilt = given(*through_the_store(breach.collect_events()))
    assert isinstance(rebuilt, Breach)
    return rebuilt


def confirmed(**kwargs: object) -> Breach:
    breach = suspected(**kwargs)  # type: ignore[arg-type]
    breach.confirm(provenance=by(DPO, ON))
    breach.record_remediation(
        summary="Akun surel perangkat dinonaktifkan; kata sandi aplikasi diganti",
        provenance=by(DPO, ON),
    )
    return stored(breach)


def notice(
    breach: Breach,
    recipient: str,
    *,
    cases: tuple[UUID, ...] = (),
    to_all: bool = False,
    hours: int = 30,
    number: str = "001/PDP/XII/2024",
) -> None:
    sent = DISCOVERED + timedelta(hours=hours)
    breach.record_notice_sent(
        recipient=recipient,
        channel="letter" if recipient != "agency" else "email",
        sent_at=sent,
        beneficiary_ids=cases,
        to_all_subjects=to_all,
        provenance=by(DPO, sent.date(), letter(number, sent.date())),
    )


def test_a_suspected_breach_starts_the_clock_at_its_discovery() -> None:
    breach = suspected()

    recorded = then_event(breach, Breach.SuspectedBreachRecorded)
    assert recorded.discovered_at == DISCOVERED
    assert recorded.categories == ("identity", "financial")
    assert recorded.beneficiary_ids == (HER, NEIGHBOUR)
    assert breach.state == "SUSPECTED"
    assert stored(breach).discovered_at == DISCOVERED


def test_a_breach_may_be_recorded_with_an_estimate_while_the_cases_are_unknown() -> None:
    breach = suspected(cases=(), estimate=120)

    assert then_event(breach, Breach.SuspectedBreachRecorded).estimated_count == 120


def test_a_breach_names_the_cases_or_an_estimate() -> None:
    with pytest.raises(AffectedNotStated):
        suspected(cases=())


def test_the_discovery_time_carries_its_zone() -> None:
    with pytest.raises(InvalidValue) as refused:
        suspected(discovered=datetime(2024, 12, 2, 9, 15))
    assert refused.value.field == "discovered_at"


def test_a_breach_is_not_recorded_before_it_was_discovered() -> None:
    with pytest.raises(DatesOutOfOrder):
        suspected(on=date(2024, 12, 1))


def test_the_description_holds_no_personal_data() -> None:
    with pytest.raises(PersonalDataInText):
        suspected(description="Data NIK 6571014501900003 terkirim ke alamat yang salah")


def test_a_dismissal_says_why() -> None:
    breach = stored(suspected())
    with pytest.raises(ReasonRequired):
        breach.dismiss(provenance=by(DPO, ON))

    breach.dismiss(provenance=by(DPO, ON, reason="Laptop ditemukan terkunci dan terenkripsi"))

    assert then_events(breach) == ["BreachDismissed"]
    assert breach.state == "DISMISSED"


def test_a_confirmation_may_restate_what_was_exposed() -> None:
    breach = stored(suspected(cases=(), estimate=120))

    breach.confirm(provenance=by(DPO, ON), beneficiary_ids=[HER])

    event = then_event(breach, Breach.BreachConfirmed)
    assert event.beneficiary_ids == (HER,)
    assert event.estimated_count is None
    assert event.categories == ("identity", "financial")


def test_no_notice_before_the_breach_is_confirmed() -> None:
    breach = stored(suspected())
    with pytest.raises(TransitionNotAllowed):
        notice(breach, "agency")


def test_a_notice_says_what_is_being_done_so_a_remediation_comes_first() -> None:
    breach = suspected()
    breach.confirm(provenance=by(DPO, ON))
    with pytest.raises(RemediationRequired):
        notice(stored(breach), "agency")


def test_a_notice_rests_on_its_letter() -> None:
    breach = confirmed()
    with pytest.raises(DocumentRequired):
        breach.record_notice_sent(
            recipient="agency",
            channel="email",
            sent_at=DISCOVERED + timedelta(hours=2),
            provenance=by(DPO, ON),
        )


def test_a_subject_notified_must_be_an_affected_case() -> None:
    breach = confirmed()
    with pytest.raises(NotAnAffectedCase):
        notice(breach, "subject", cases=(STRANGER,))


def test_estimated_subjects_are_notified_all_at_once() -> None:
    breach = confirmed(cases=(), estimate=120)
    with pytest.raises(SubjectsNotListed):
        notice(breach, "subject", cases=(HER,))

    notice(breach, "subject", to_all=True)

    assert then_event(breach, Breach.NoticeSent).to_all_subjects


def test_the_notification_completes_when_every_subject_and_the_agency_were_notified() -> None:
    breach = confirmed()
    notice(breach, "subject", cases=(HER,), hours=20)
    notice(breach, "agency", hours=40)
    assert breach.state == "CONFIRMED"
    assert breach.subjects_outstanding == (NEIGHBOUR,)

    notice(breach, "subject", cases=(NEIGHBOUR,), hours=30)

    assert then_events(breach) == [
        "NoticeSent",
        "NoticeSent",
        "NoticeSent",
        "NotificationCompleted",
    ]
    assert then_event(breach, Breach.NotificationCompleted).notified_at == DISCOVERED + timedelta(
        hours=40
    )
    assert breach.state == "NOTIFIED"


def test_a_public_notice_completes_nothing() -> None:
    breach = confirmed()
    notice(breach, "public")
    notice(breach, "agency")

    assert breach.state == "CONFIRMED"
    with pytest.raises(NoticesOutstanding):
        breach.complete_notification(provenance=by(DPO, ON))


def test_a_notice_is_not_sent_before_the_discovery() -> None:
    breach = confirmed()
    with pytest.raises(DatesOutOfOrder):
        notice(breach, "agency", hours=-1)


def test_a_notified_breach_closes_on_its_report() -> None:
    breach = confirmed()
    notice(breach, "subject", to_all=True)
    notice(breach, "agency")
    with pytest.raises(DocumentRequired):
        breach.close(provenance=by(DPO, date(2024, 12, 20)))

    with pytest.raises(DocumentKindNotAccepted):
        breach.close(provenance=by(DPO, date(2024, 12, 20), letter("BA-01/PDP/2024")))
    report = document("laporan", "LAP-01/PDP/2024", date(2024, 12, 20), "Pejabat PDP")
    breach.close(provenance=by(DPO, date(2024, 12, 20), report))

    assert breach.state == "CLOSED"


def test_the_breach_clock_starts_at_the_discovery_and_stops_when_notified_or_dismissed() -> None:
    breach_clock = next(c for c in CLOCKS if c.aggregate == "Breach")
    ((start, field),) = breach_clock.starts.items()
    recorded = then_event(suspected(), Breach.SuspectedBreachRecorded)

    assert start == type(recorded).__name__ and getattr(recorded, field) == DISCOVERED
    assert breach_clock.stops <= BREACH_LIFECYCLE.event_names
    assert breach_clock.stops == {"NotificationCompleted", "BreachDismissed"}
    assert breach_clock.due_at(DISCOVERED) == datetime(2024, 12, 5, 9, 15, tzinfo=WITA)
    assert getattr(recorded, breach_clock.label_field) == NUMBER


def test_a_remediation_and_a_notice_are_dated_by_their_own_acts_not_the_confirmation() -> None:
    breach = suspected()
    breach.confirm(provenance=by(DPO, date(2024, 12, 3)))
    breach.record_remediation(summary="Sandi diganti", provenance=by(DPO, ON))

    notice(breach, "agency", hours=2)

    assert then_events(breach)[-2:] == ["RemediationRecorded", "NoticeSent"]
