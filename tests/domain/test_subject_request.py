"""A data subject's request: given events, when a command, then events (or a refusal).

The story: on Monday 6 April 2026 at 09.30 WITA a former beneficiary comes to the Dinas Sosial
with her KTP and asks for a copy of what the programme holds about her. The answer is due on
Thursday 9 April at 09.30 WITA (UU 27/2022 Pasal 32: 3x24 hours).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domain.beneficiary_errors import DocumentRequired
from domain.errors import DocumentKindNotAccepted, InvalidValue, TransitionNotAllowed
from domain.free_text import PersonalDataInText
from domain.privacy.clocks import CLOCKS, RESPONSE_WINDOW
from domain.privacy.request_errors import (
    ErasureReferenceRequired,
    LetterRequired,
    ReceivedAfterRecorded,
    RequesterNotVerified,
    SubjectNotIdentified,
    TimeWithoutZone,
)
from domain.privacy.subject_request import WITA, SubjectRequest
from domain.recording import Actor, DocumentRef, Role
from tests.domain.givens import (
    by,
    document,
    given,
    history_of,
    then_event,
    then_events,
    through_the_store,
)

DPO = Actor("dpo", Role.DPO, "Dinsos Provinsi Kalimantan Utara")
HER = UUID("00000000-0000-4000-8000-000000000001")
RECEIVED = datetime(2026, 4, 6, 9, 30, tzinfo=WITA)
RECORDED_ON = date(2026, 4, 6)
ANSWERED_ON = date(2026, 4, 8)


def record(
    *,
    kind: str = "access_copy",
    received: datetime = RECEIVED,
    on: date = RECORDED_ON,
    result: str = "verified",
    beneficiary_id: UUID | None = HER,
    summary: str = "Meminta salinan data pribadinya",
    channel: str = "in_person",
    letter: DocumentRef | None = None,
) -> SubjectRequest:
    return SubjectRequest.record(
        number="PDP-2026-001",
        kind=kind,
        received_at=received,
        channel=channel,
        requester="subject",
        verification_method="ktp_in_person",
        verification_result=result,
        beneficiary_id=beneficiary_id,
        summary=summary,
        provenance=by(DPO, on, letter),
    )


def her_letter() -> DocumentRef:
    return document("surat", "tanpa nomor", date(2026, 4, 3), "Pemohon (surat permohonan)")


def answer() -> DocumentRef:
    """The letter that answers her: a request is always answered in writing."""
    return document("surat", "480/PDP/IV/2026", ANSWERED_ON, "Dinsos Provinsi Kalimantan Utara")


def received(**changes: object) -> SubjectRequest:
    made = record(**changes)  # type: ignore[arg-type]
    subject_request = given(*history_of(made))
    assert isinstance(subject_request, SubjectRequest)
    return subject_request


def test_a_request_is_recorded_with_its_hour_of_receipt_and_no_identity_in_clear() -> None:
    made = record()

    recorded = then_event(made, SubjectRequest.SubjectRequestRecorded)
    assert made.state == "OPEN"
    assert recorded.received_at == RECEIVED
    assert made.due_at == datetime(2026, 4, 9, 9, 30, tzinfo=WITA)
    assert recorded.beneficiary_id == HER
    assert recorded.verification_method == "ktp_in_person"


def test_the_hour_of_receipt_survives_the_store_with_its_zone() -> None:
    (stored,) = through_the_store(history_of(record()))

    assert stored.received_at == RECEIVED
    assert stored.received_at.utcoffset() == timedelta(hours=8)


def test_a_time_without_its_zone_cannot_start_a_clock() -> None:
    with pytest.raises(TimeWithoutZone):
        record(received=datetime(2026, 4, 6, 9, 30))


def test_a_request_cannot_be_recorded_before_the_day_it_arrived() -> None:
    late_evening_utc = datetime(2026, 4, 6, 17, 0, tzinfo=UTC)  # 7 April 01.00 WITA

    with pytest.raises(ReceivedAfterRecorded):
        record(received=late_evening_utc, on=date(2026, 4, 6))


def test_a_time_outside_the_programmes_dates_is_refused() -> None:
    with pytest.raises(InvalidValue):
        record(received=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))


def test_the_requesters_name_or_nik_is_refused_in_the_summary() -> None:
    with pytest.raises(PersonalDataInText):
        record(summary="Pemohon NIK 6571014506990003 minta salinan")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidValue):
        record(kind="everything")


def test_a_request_by_letter_is_recorded_with_her_letter_and_one_in_person_without() -> None:
    with pytest.raises(LetterRequired):
        record(channel="letter")
    with pytest.raises(DocumentKindNotAccepted):
        record(channel="letter", letter=document("ktp", "KTP", date(2026, 4, 3)))

    by_letter = record(channel="letter", letter=her_letter())

    assert then_event(by_letter, SubjectRequest.SubjectRequestRecorded).document == her_letter()
    assert then_event(record(), SubjectRequest.SubjectRequestRecorded).document is None


def test_an_answer_rests_on_the_letter_that_answers_her() -> None:
    subject_request = received()

    with pytest.raises(DocumentRequired):
        subject_request.grant(done="Salinan data diserahkan", provenance=by(DPO, ANSWERED_ON))
    with pytest.raises(DocumentRequired):
        subject_request.refuse(
            refusal_reason="reveals_others_data",
            explanation="Berkas memuat data pribadi penerima manfaat lain",
            provenance=by(DPO, ANSWERED_ON),
        )
    assert then_events(subject_request) == []


def test_a_verified_request_is_granted_with_what_was_done() -> None:
    subject_request = received()

    subject_request.grant(done="Salinan data diserahkan", provenance=by(DPO, ANSWERED_ON, answer()))

    assert then_events(subject_request) == ["SubjectRequestGranted"]
    assert subject_request.state == "GRANTED"
    assert then_event(subject_request, SubjectRequest.SubjectRequestGranted).document == answer()


def test_a_request_is_not_granted_before_the_requester_is_verified() -> None:
    subject_request = received(result="pending")

    with pytest.raises(RequesterNotVerified):
        subject_request.grant(
            done="Salinan data diserahkan", provenance=by(DPO, ANSWERED_ON, answer())
        )


def test_verifying_the_requester_later_lets_the_request_be_granted() -> None:
    subject_request = received(result="pending", beneficiary_id=None)

    subject_request.verify_requester(
        verification_method="letter_with_ktp_copy",
        verification_result="verified",
        beneficiary_id=HER,
        provenance=by(DPO, RECORDED_ON),
    )
    subject_request.grant(done="Salinan data dikirim", provenance=by(DPO, ANSWERED_ON, answer()))

    assert then_events(subject_request) == ["RequesterVerified", "SubjectRequestGranted"]


def test_a_request_naming_no_case_cannot_be_granted() -> None:
    subject_request = received(beneficiary_id=None)

    with pytest.raises(SubjectNotIdentified):
        subject_request.grant(
            done="Salinan data diserahkan", provenance=by(DPO, ANSWERED_ON, answer())
        )


def test_a_granted_erasure_names_the_erasure_that_carries_it_out() -> None:
    subject_request = received(kind="erasure")

    with pytest.raises(ErasureReferenceRequired):
        subject_request.grant(done="Dihapus", provenance=by(DPO, ANSWERED_ON, answer()))
    subject_request.grant(
        done="Diteruskan ke proses penghapusan",
        erasure_reference="PHP-2026-001",
        provenance=by(DPO, ANSWERED_ON, answer()),
    )

    granted = then_event(subject_request, SubjectRequest.SubjectRequestGranted)
    assert granted.erasure_reference == "PHP-2026-001"


def test_a_request_is_refused_only_on_a_ground_of_pasal_33() -> None:
    subject_request = received()

    with pytest.raises(InvalidValue):
        subject_request.refuse(
            refusal_reason="national_security",
            explanation="Tidak dapat diberikan",
            provenance=by(DPO, ANSWERED_ON, answer()),
        )
    subject_request.refuse(
        refusal_reason="reveals_others_data",
        explanation="Berkas memuat data pribadi penerima manfaat lain",
        provenance=by(DPO, ANSWERED_ON, answer()),
    )

    refused = then_event(subject_request, SubjectRequest.SubjectRequestRefused)
    assert refused.refusal_reason == "reveals_others_data"
    assert subject_request.state == "REFUSED"


def test_an_answered_request_is_not_answered_again() -> None:
    subject_request = received()
    subject_request.grant(done="Salinan data diserahkan", provenance=by(DPO, ANSWERED_ON, answer()))

    with pytest.raises(TransitionNotAllowed):
        subject_request.refuse(
            refusal_reason="reveals_others_data",
            explanation="Tidak dapat diberikan",
            provenance=by(DPO, ANSWERED_ON, answer()),
        )


def test_the_requests_clock_is_declared_for_the_officer() -> None:
    (clock,) = [c for c in CLOCKS if c.aggregate == "SubjectRequest"]

    assert clock.window == RESPONSE_WINDOW == timedelta(hours=72)
    assert clock.responsible == {Role.DPO}
    assert clock.starts == {"SubjectRequestRecorded": "received_at"}
    assert clock.stops == {"SubjectRequestGranted", "SubjectRequestRefused"}
