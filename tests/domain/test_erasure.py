"""Erasure: given events, when a command, then events (or a refusal).

The story: on 3 March 2025 a woman of the Tarakan programme writes to the Dinas Sosial asking
that her data be deleted; the data-protection officer records the letter on 4 March; a
supervisor approves on 5 March. Her last grant reached her account on 10 January 2019, so the
identity minimum behind it is kept until 10 January 2029.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domain.access import (
    RESTRICTED_READERS,
    may_reveal_restricted,
    refused_when_restricted,
    sees_restricted,
)
from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.errors import (
    DatedBeforePreviousStep,
    DocumentKindNotAccepted,
    InvalidValue,
    TransitionNotAllowed,
)
from domain.privacy.destruction import SamePersonApproves
from domain.privacy.erasure import (
    CASE_FILE_FIELDS,
    IDENTITY_MINIMUM_FIELDS,
    WITA,
    Erasure,
    RecordedBeforeReceived,
    identity_minimum_kept_until,
)
from domain.recording import Actor, DocumentRef, Role
from tests.domain.givens import (
    SUPERVISOR,
    by,
    document,
    given,
    then_event,
    then_events,
    through_the_store,
)

DPO = Actor("dpo", Role.DPO, "Dinas Sosial Provinsi Kalimantan Utara")
SECOND_SUPERVISOR = Actor("supervisor.kemensos", Role.SUPERVISOR, "Kementerian Sosial")
HER = UUID("00000000-0000-4000-8000-000000000001")
RECEIVED_AT = datetime(2025, 3, 3, 9, 30, tzinfo=WITA)
RECORDED_ON = date(2025, 3, 4)
APPROVED_ON = date(2025, 3, 5)
LAST_PAID = date(2019, 1, 10)


def her_letter(number: str = "01/PDP/III/2025") -> DocumentRef:
    return document("surat", number, date(2025, 3, 3), "Pemohon (surat permohonan)")


def memo(number: str = "05/ND/PDP/III/2025") -> DocumentRef:
    """The supervisor's decision memo, on which an approval or a refusal rests."""
    return document("nota_dinas", number, APPROVED_ON, "Kepala Dinas Sosial")


def requested(received_at: datetime = RECEIVED_AT, **changes: object) -> Erasure:
    fields: dict[str, object] = {
        "document": her_letter(),
        "reason": "Permohonan penghapusan data pribadi",
    }
    fields.update(changes)
    return Erasure.record_request(
        beneficiary_id=HER,
        case_number="TRK-JP-0004",
        received_at=received_at,
        provenance=by(DPO, RECORDED_ON, **fields),  # type: ignore[arg-type]
    )


def given_requested() -> Erasure:
    erasure = given(*requested().collect_events())
    assert isinstance(erasure, Erasure)
    return erasure


def test_the_dpo_records_her_request_from_her_letter() -> None:
    erasure = requested()

    event = then_event(erasure, Erasure.ErasureRequested)
    assert erasure.state == "REQUESTED"
    assert event.beneficiary_id == HER
    assert event.received_at == RECEIVED_AT
    assert event.actor == DPO


def test_one_letter_is_one_request() -> None:
    assert requested().id == requested().id
    assert requested().id != Erasure.create_id(HER, her_letter("02/PDP/III/2025"))
    assert Erasure.create_id(HER, her_letter(" 01/pdp/III/2025 ")) == requested().id


def test_the_time_received_is_kept_in_wita_and_survives_the_store() -> None:
    utc = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)

    stored = through_the_store(requested(received_at=utc).collect_events())

    assert stored[0].received_at == RECEIVED_AT
    assert stored[0].received_at.utcoffset() == timedelta(hours=8)


def test_a_request_needs_her_letter_a_reason_and_an_aware_time() -> None:
    with pytest.raises(DocumentRequired):
        requested(document=None)
    with pytest.raises(DocumentKindNotAccepted):
        requested(document=document("nota_dinas", "1", date(2025, 3, 3)))
    with pytest.raises(ReasonRequired):
        requested(reason=None)
    with pytest.raises(InvalidValue):
        requested(received_at=datetime(2025, 3, 3, 9, 30))


def test_a_request_is_not_recorded_before_it_was_received() -> None:
    with pytest.raises(RecordedBeforeReceived):
        requested(received_at=datetime(2025, 3, 5, 8, 0, tzinfo=timezone(timedelta(hours=8))))


def test_a_second_supervisor_approves_and_the_event_says_what_went_and_what_stays() -> None:
    erasure = given_requested()

    erasure.approve(last_paid_on=LAST_PAID, provenance=by(SUPERVISOR, APPROVED_ON, memo()))

    assert then_events(erasure) == ["CaseFileErased"]
    event = then_event(erasure, Erasure.CaseFileErased)
    assert event.document == memo()
    assert erasure.state == "EXECUTED"
    assert event.deleted_fields == CASE_FILE_FIELDS == ("phone", "assessment_notes")
    assert set(event.kept_fields) == set(IDENTITY_MINIMUM_FIELDS)
    assert {"name", "nik", "kk", "birth_date", "sex", "bank_account"} <= set(event.kept_fields)
    assert event.erased_purposes == ("casefile",)
    assert event.keep_until == date(2029, 1, 10)
    assert event.last_paid_on == LAST_PAID


def test_the_recorder_may_not_decide_her_request() -> None:
    same = Actor("dpo", Role.SUPERVISOR, "Dinas Sosial Provinsi Kalimantan Utara")
    erasure = given_requested()

    with pytest.raises(SamePersonApproves):
        erasure.approve(last_paid_on=None, provenance=by(same, APPROVED_ON, memo()))
    with pytest.raises(SamePersonApproves):
        erasure.refuse(provenance=by(same, APPROVED_ON, memo(), reason="Masih ada pemeriksaan BPK"))
    assert then_events(erasure) == []


def test_a_refusal_needs_a_reason() -> None:
    erasure = given_requested()

    with pytest.raises(ReasonRequired):
        erasure.refuse(provenance=by(SECOND_SUPERVISOR, APPROVED_ON, memo()))
    erasure.refuse(
        provenance=by(SECOND_SUPERVISOR, APPROVED_ON, memo(), reason="Pemeriksaan BPK berjalan")
    )

    assert erasure.state == "REFUSED"
    assert then_events(erasure) == ["ErasureRefused"]


def test_a_decision_rests_on_the_supervisors_memo() -> None:
    erasure = given_requested()

    with pytest.raises(DocumentRequired):
        erasure.approve(last_paid_on=None, provenance=by(SUPERVISOR, APPROVED_ON))
    with pytest.raises(DocumentRequired):
        erasure.refuse(provenance=by(SECOND_SUPERVISOR, APPROVED_ON, reason="Pemeriksaan BPK"))
    with pytest.raises(DocumentKindNotAccepted):
        erasure.approve(last_paid_on=None, provenance=by(SUPERVISOR, APPROVED_ON, her_letter()))
    assert then_events(erasure) == []


def test_a_decided_request_is_decided_for_good() -> None:
    erasure = given_requested()
    erasure.refuse(provenance=by(SECOND_SUPERVISOR, APPROVED_ON, memo(), reason="Pemeriksaan BPK"))

    with pytest.raises(TransitionNotAllowed):
        erasure.approve(last_paid_on=None, provenance=by(SUPERVISOR, APPROVED_ON, memo()))


def test_an_approval_is_not_dated_before_the_request() -> None:
    erasure = given_requested()

    with pytest.raises(DatedBeforePreviousStep):
        erasure.approve(last_paid_on=None, provenance=by(SUPERVISOR, date(2025, 3, 1), memo()))


def test_the_identity_minimum_is_kept_ten_years_after_her_last_payment() -> None:
    assert identity_minimum_kept_until(date(2019, 1, 10), APPROVED_ON) == date(2029, 1, 10)
    # Never paid: the years run from the decision.
    assert identity_minimum_kept_until(None, APPROVED_ON) == date(2035, 3, 5)
    assert identity_minimum_kept_until(date(2020, 2, 29), APPROVED_ON) == date(2030, 2, 28)


def test_restriction_is_decided_once_for_every_role() -> None:
    assert set(RESTRICTED_READERS) == {Role.AUDITOR, Role.DPO}
    for role in Role:
        assert not sees_restricted(role, reason_given=False)
        assert sees_restricted(role, reason_given=True) == (role in RESTRICTED_READERS)
        assert may_reveal_restricted(role, "nik") == (role in RESTRICTED_READERS)
    assert not may_reveal_restricted(Role.AUDITOR, "sex")


def test_her_case_takes_no_step_and_her_money_no_new_order_while_restricted() -> None:
    assert refused_when_restricted("Beneficiary", "Assessed")
    assert refused_when_restricted("Beneficiary", "BeneficiaryDetailsCorrected")
    assert refused_when_restricted("Entitlement", "PaymentOrdered")
    assert refused_when_restricted("Entitlement", "FundsAllocated")
    # Money already sent is still accounted for.
    assert not refused_when_restricted("Entitlement", "CreditedToAccount")
    assert not refused_when_restricted("Entitlement", "FundsReturned")
    assert not refused_when_restricted("Entitlement", "MoneyCorrectionApproved")
    assert not refused_when_restricted("PaymentBatch", "BatchApproved")
