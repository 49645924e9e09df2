"""The audit register's aggregates: given events, when a command, then events (or a refusal).

The story: BPK's Kalimantan Utara office reports on the 2019 bansos of the Dinas Sosial; one
finding is a business grant that cannot be traced to the recipient's account, with Rp 5.500.000
to recover. The report is dated 20 May 2020 and received on 25 May, so the answer is due on
24 July 2020 (UU 15/2004 Pasal 20: 60 days).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from hashlib import sha256
from uuid import UUID

import pytest

from domain.audit_errors import DatesOutOfOrder, RecoveryIncomplete
from domain.audit_finding import AuditFinding
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from domain.beneficiary_errors import DocumentRequired, ReasonRequired
from domain.errors import DomainError, InvalidValue, TransitionNotAllowed
from domain.export_record import ExportRecord
from domain.free_text import PersonalDataInText
from domain.recording import Actor, DocumentRef, Role
from tests.domain.givens import (
    OPERATOR,
    SUPERVISOR,
    by,
    document,
    given,
    history_of,
    then_event,
    then_events,
    through_the_store,
)

AUDITOR = Actor("aud.bpk", Role.AUDITOR, "Inspektorat Provinsi Kalimantan Utara")
LHP_NUMBER = "23.B/LHP/XIX.TJS/05/2020"
LHP_DATE = date(2020, 5, 20)
RECEIVED_ON = date(2020, 5, 25)
RECORDED_ON = date(2020, 5, 27)
ANSWERED_ON = date(2020, 7, 20)
JUDGED_ON = date(2020, 9, 1)
GRANT = 5_500_000
SITE = UUID("00000000-0000-4000-8000-0000000000aa")
HER = UUID("00000000-0000-4000-8000-000000000001")
BPK = "BPK RI Perwakilan Kalimantan Utara"


def lhp(on: date = LHP_DATE) -> DocumentRef:
    return document("lhp", LHP_NUMBER, on, BPK)


def letter(number: str, on: date, issuer: str = "Kepala Dinas Sosial") -> DocumentRef:
    return document("surat", number, on, issuer)


def record(
    *,
    recommendation: str = "Memerintahkan Kepala Bidang Rehabilitasi Sosial merekonsiliasi "
    "penyaluran UEP Rp 5.500.000 dengan rekening koran dan menyetor kelebihan ke kas daerah",
    received: date = RECEIVED_ON,
    on: date = RECORDED_ON,
    with_lhp: bool = True,
    amount: int | None = GRANT,
) -> AuditFinding:
    return AuditFinding.record(
        audit_body=BPK,
        lhp_number=LHP_NUMBER,
        lhp_date=LHP_DATE,
        lhp_received_on=received,
        finding_number="3.2",
        title="Bantuan UEP belum dapat ditelusuri ke rekening penerima",
        recommendation=recommendation,
        responsible_position="Kepala Dinas Sosial Provinsi Kalimantan Utara",
        amount_to_recover=amount,
        site_ids=[SITE],
        beneficiary_ids=[HER, HER],
        provenance=by(SUPERVISOR, on, lhp() if with_lhp else None),
    )


def answer(finding: AuditFinding, on: date = ANSWERED_ON, recovered: int = 0) -> None:
    finding.submit_response(
        summary="Rekonsiliasi selesai; bukti setor terlampir",
        amount_recovered=recovered,
        provenance=by(OPERATOR, on, letter("400/112/DINSOS", on)),
    )


def bpk_letter(on: date = JUDGED_ON) -> DocumentRef:
    return letter("45/S/XIX.TJS/09/2020", on, BPK)


def accept(finding: AuditFinding) -> None:
    finding.accept_follow_up(provenance=by(SUPERVISOR, JUDGED_ON, bpk_letter()))


def finding_in(state: str, *, amount: int | None = GRANT) -> AuditFinding:
    """A finding driven to `state` by the real commands, loaded from the store."""
    live = record(amount=amount)
    if state in ("RESPONDED", "FOLLOW_UP_ACCEPTED", "CLOSED"):
        answer(live, recovered=GRANT if amount else 0)
    if state in ("FOLLOW_UP_ACCEPTED", "CLOSED"):
        accept(live)
    if state == "CLOSED":
        live.close(provenance=by(SUPERVISOR, JUDGED_ON, bpk_letter()))
    loaded = given(*through_the_store(history_of(live)))
    assert isinstance(loaded, AuditFinding) and loaded.state == state
    return loaded


def refused(command: Callable[[], object], error: type[DomainError]) -> DomainError:
    with pytest.raises(error) as raised:
        command()
    return raised.value


# --- recording ------------------------------------------------------------------------------------


def test_a_finding_is_recorded_from_its_lhp_and_its_clock_starts_on_receipt() -> None:
    finding = record()

    recorded = then_event(finding, AuditFinding.FindingRecorded)
    assert finding.state == "OPEN"
    assert recorded.lhp_received_on == RECEIVED_ON
    assert recorded.occurred_on == RECORDED_ON
    assert recorded.beneficiary_ids == (HER,)
    assert finding.milestones == {"FindingRecorded": RECEIVED_ON}
    due = AUDIT_FINDING_LIFECYCLE.due_on(finding.state, finding.milestones, {})
    assert due is not None and (due[0].setting, due[1]) == ("bpk_response_days", date(2020, 7, 24))


def test_a_finding_keeps_its_clock_after_a_trip_through_the_store() -> None:
    loaded = finding_in("OPEN")

    assert loaded.milestones == {"FindingRecorded": RECEIVED_ON}
    assert loaded.amount_to_recover == GRANT


def test_a_finding_is_recorded_with_its_lhp_as_the_document() -> None:
    error = refused(lambda: record(with_lhp=False), DocumentRequired)

    assert error.code == "DOCUMENT_REQUIRED"


def test_a_report_is_received_after_it_is_issued_and_recorded_after_it_is_received() -> None:
    early = refused(lambda: record(received=date(2020, 5, 19)), DatesOutOfOrder)
    premature = refused(lambda: record(on=date(2020, 5, 24)), DatesOutOfOrder)

    assert (early.code, early.field) == ("DATES_OUT_OF_ORDER", "lhp_received_on")
    assert premature.field == "occurred_on"


@pytest.mark.parametrize(
    "personal",
    ["NIK 6571014507950003", "hubungi 0812 3456 7890", "surel contoh.satu@example.org"],
    ids=["nik", "phone", "email"],
)
def test_a_recommendation_holding_personal_data_is_refused_without_repeating_it(
    personal: str,
) -> None:
    error = refused(lambda: record(recommendation=f"Tagih kembali dari {personal}"), InvalidValue)

    assert isinstance(error, PersonalDataInText)
    assert (error.code, error.field) == ("PERSONAL_DATA_IN_TEXT", "recommendation")
    assert personal.split()[-1] not in error.message


def test_the_same_finding_of_the_same_report_is_one_finding() -> None:
    assert AuditFinding.create_id(BPK, LHP_NUMBER, "3.2") == AuditFinding.create_id(
        f"  {BPK.upper()} ", LHP_NUMBER, "3.2"
    )
    assert AuditFinding.create_id(BPK, LHP_NUMBER, "3.2") != AuditFinding.create_id(
        BPK, LHP_NUMBER, "3.3"
    )


# --- answers --------------------------------------------------------------------------------------


def test_an_answer_moves_the_finding_on_and_further_answers_keep_it_there() -> None:
    finding = finding_in("OPEN")

    answer(finding)
    answer(finding, on=date(2020, 7, 22), recovered=1_000_000)

    assert then_events(finding) == ["ResponseSubmitted", "ResponseSubmitted"]
    assert finding.state == "RESPONDED"
    assert (finding.responses, finding.amount_recovered) == (2, 1_000_000)


def test_an_answer_is_recorded_with_its_letter() -> None:
    finding = finding_in("OPEN")

    error = refused(
        lambda: finding.submit_response(summary="Sudah", provenance=by(OPERATOR, ANSWERED_ON)),
        DocumentRequired,
    )

    assert error.code == "DOCUMENT_REQUIRED"


def test_an_answer_cannot_predate_the_report() -> None:
    finding = finding_in("OPEN")

    error = refused(lambda: answer(finding, on=date(2020, 5, 24)), DatesOutOfOrder)

    assert error.code == "DATES_OUT_OF_ORDER"


def test_money_is_recovered_only_on_a_finding_that_names_an_amount() -> None:
    finding = finding_in("OPEN", amount=None)

    error = refused(lambda: answer(finding, recovered=GRANT), InvalidValue)

    assert (error.code, error.field) == ("INVALID_VALUE", "amount_recovered")


# --- the audit body's judgement and closure -------------------------------------------------------


def test_the_follow_up_is_judged_only_after_an_answer() -> None:
    finding = finding_in("OPEN")

    error = refused(lambda: accept(finding), TransitionNotAllowed)

    assert error.code == "TRANSITION_NOT_ALLOWED"
    assert "allowed in: RESPONDED" in error.message


def test_a_rejected_follow_up_needs_the_letter_and_its_reason_and_restarts_the_clock() -> None:
    finding = finding_in("RESPONDED")

    without_letter = refused(
        lambda: finding.reject_follow_up(provenance=by(SUPERVISOR, JUDGED_ON, reason="x")),
        DocumentRequired,
    )
    without_reason = refused(
        lambda: finding.reject_follow_up(provenance=by(SUPERVISOR, JUDGED_ON, bpk_letter())),
        ReasonRequired,
    )
    finding.reject_follow_up(
        provenance=by(SUPERVISOR, JUDGED_ON, bpk_letter(), "bukti setor belum lengkap")
    )

    assert (without_letter.code, without_reason.code) == ("DOCUMENT_REQUIRED", "REASON_REQUIRED")
    assert finding.state == "FOLLOW_UP_REJECTED"
    due = AUDIT_FINDING_LIFECYCLE.due_on(finding.state, finding.milestones, {})
    assert due is not None and (due[0].setting, due[1]) == ("follow_up_days", date(2020, 10, 31))


def test_a_reason_holding_personal_data_is_refused() -> None:
    finding = finding_in("RESPONDED")

    error = refused(
        lambda: finding.reject_follow_up(
            provenance=by(SUPERVISOR, JUDGED_ON, bpk_letter(), "rekening 0012345678 salah")
        ),
        PersonalDataInText,
    )

    assert error.field == "reason"


def test_a_finding_with_money_to_recover_closes_only_once_it_is_recovered() -> None:
    live = record()
    answer(live, recovered=1_000_000)
    accept(live)
    finding = given(*through_the_store(history_of(live)))
    assert isinstance(finding, AuditFinding)
    closing = by(SUPERVISOR, date(2020, 12, 1), bpk_letter(date(2020, 12, 1)))

    error = refused(lambda: finding.close(provenance=closing), RecoveryIncomplete)
    answer(finding, on=date(2020, 11, 30), recovered=GRANT - 1_000_000)
    finding.close(provenance=closing)

    assert error.code == "RECOVERY_INCOMPLETE"
    assert then_events(finding) == ["ResponseSubmitted", "FindingClosed"]
    assert finding.is_terminal


def test_closing_needs_the_audit_bodys_word() -> None:
    finding = finding_in("FOLLOW_UP_ACCEPTED")

    error = refused(lambda: finding.close(provenance=by(SUPERVISOR, JUDGED_ON)), DocumentRequired)

    assert error.code == "DOCUMENT_REQUIRED"


def test_a_closed_finding_takes_no_more_answers() -> None:
    finding = finding_in("CLOSED")

    refused(lambda: answer(finding), TransitionNotAllowed)


# --- export records -------------------------------------------------------------------------------

RECORD_ID = UUID("00000000-0000-4000-8000-0000000000ee")
CONTENT = b"position,amount\n1,5500000\n"


def export(**overrides: object) -> ExportRecord:
    fields: dict[str, object] = {
        "record_id": RECORD_ID,
        "export_name": "ledger.xlsx",
        "export_format": "xlsx",
        "filters": {"site_id": str(SITE), "fiscal_year": "2019"},
        "rows": 1,
        "content_sha256": sha256(CONTENT).hexdigest(),
        "size": len(CONTENT),
        "provenance": by(AUDITOR, date(2020, 6, 2)),
    }
    fields.update(overrides)
    return ExportRecord.make(**fields)  # type: ignore[arg-type]


def test_an_export_records_who_took_which_bytes_with_which_filters() -> None:
    made = export()

    event = then_event(made, ExportRecord.ExportMade)
    assert made.id == RECORD_ID and made.is_terminal
    assert event.actor == AUDITOR
    assert event.filters == {"fiscal_year": "2019", "site_id": str(SITE)}
    assert (event.rows, event.size) == (1, len(CONTENT))
    stored = given(*through_the_store(history_of(made)))
    assert isinstance(stored, ExportRecord)
    assert stored.content_sha256 == sha256(CONTENT).hexdigest()


def test_an_export_filter_holding_personal_data_is_refused() -> None:
    error = refused(lambda: export(filters={"q": "6571014507950003"}), PersonalDataInText)

    assert error.field == "filters.q"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("export_name", "Ledger XLSX"),
        ("export_format", ".xlsx"),
        ("content_sha256", "abc"),
        ("rows", -1),
        ("filters", {"Site": "x"}),
    ],
)
def test_an_export_record_is_well_formed(field: str, value: object) -> None:
    error = refused(lambda: export(**{field: value}), InvalidValue)

    assert error.field is not None and error.field.startswith(field)
