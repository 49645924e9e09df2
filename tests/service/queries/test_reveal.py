"""The reveal act (ADR 0046): one field of one case in clear, to a role allowed to, for a reason
typed in; written to the access log first and read back on her case's history."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.access import CASE_FIELDS, MAX_REASON_LENGTH, ClearReasonRequired, FieldNotRevealable
from domain.beneficiary import IdentityEvidence
from domain.errors import InvalidValue
from domain.free_text import PersonalDataInText
from domain.identity import Sex
from domain.recording import Role
from domain.sealed import KeyPurpose
from domain.units import EVERYTHING
from service.commands.beneficiaries import NewBeneficiary
from service.errors import NotFound
from service.queries.read_models import ReadModels
from service.queries.reveal import (
    BUNDLE,
    ERASED,
    RevealNotAllowed,
    parse_reveal_detail,
    reveal_detail,
)
from service.security.access_log import MAX_DETAIL_LENGTH, AccessAction, AccessEntry
from service.security.accounts import Account
from service.system import Jejak
from tests.contract.journey import OPERATOR, by, closed_site
from tests.domain.givens import BORN, KK, NIK

NAME = "Siti Contohwati Aminah"
PHONE = "+62 811 5555 0101"
ACCOUNT = "0012345678"
HOLDER = "SITI C AMINAH"
REASON = "Pencocokan KTP dengan berita acara"
CLEAR = {
    "name": NAME,
    "nik": NIK,
    "kk": KK,
    "birth_date": BORN.isoformat(),
    "phone": PHONE,
    "bank_account": ACCOUNT,
    "bank_account_holder": HOLDER,
}


def account(role: Role) -> Account:
    return Account(role.value, role, "Dinas Sosial Kota Tarakan", role.value, True)


def case_with_every_field(jejak: Jejak) -> UUID:
    """A woman registered with a phone, verified with her family card, her account recorded
    under the holder's name as the passbook prints it."""
    app = jejak.app
    (registered,) = app.beneficiaries.register_roster(
        closed_site(app),
        [NewBeneficiary("TRK-JP-0001", NAME, PHONE)],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )
    bid = registered.aggregate_id
    app.beneficiaries.verify_identity(
        bid,
        evidence=IdentityEvidence(NIK, BORN, Sex.FEMALE, kk=KK),
        provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
    )
    app.beneficiaries.record_bank_account(
        bid,
        bank_code="124",
        account_number=ACCOUNT,
        holder_name=HOLDER,
        provenance=by(OPERATOR, date(2019, 7, 8), "buku_tabungan"),
    )
    return bid


def reveals(jejak: Jejak) -> list[AccessEntry]:
    return [
        e
        for e in jejak.access_log.recent(100)
        if e.action == AccessAction.REVEAL_PERSONAL_DATA.value
    ]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR])
def test_each_field_is_shown_in_clear_one_at_a_time_and_each_reveal_is_logged(
    sqlite_jejak: Jejak, role: Role
) -> None:
    bid = case_with_every_field(sqlite_jejak)
    act = ReadModels.of(sqlite_jejak, EVERYTHING).reveals

    shown = {field: act.reveal(account(role), bid, field, f" {REASON} ") for field in CASE_FIELDS}

    assert {field: r.value for field, r in shown.items()} == CLEAR
    logged = list(reversed(reveals(sqlite_jejak)))
    assert [(e.user_id, e.role, e.subject_kind, e.subject_id) for e in logged] == [
        (role.value, role, "beneficiary", bid)
    ] * len(CASE_FIELDS)
    assert [e.detail for e in logged] == [f"field: {f}; reason: {REASON}" for f in CASE_FIELDS]
    assert not any(value in (e.detail or "") for e in logged for value in CLEAR.values())


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DPO])
def test_a_role_that_sees_personal_data_masked_never_reveals_whatever_it_states(
    sqlite_jejak: Jejak, role: Role
) -> None:
    bid = case_with_every_field(sqlite_jejak)
    act = ReadModels.of(sqlite_jejak, EVERYTHING).reveals

    for field in (*CASE_FIELDS, "sex"):
        with pytest.raises(RevealNotAllowed) as refused:
            act.reveal(account(role), bid, field, REASON)
        assert refused.value.code == "REVEAL_NOT_ALLOWED"

    assert reveals(sqlite_jejak) == []


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.AUDITOR])
@pytest.mark.parametrize(
    ("reason", "error", "code"),
    [
        (None, ClearReasonRequired, "REASON_REQUIRED"),
        ("  ", ClearReasonRequired, "REASON_REQUIRED"),
        (f"Cocokkan NIK {NIK}", PersonalDataInText, "PERSONAL_DATA_IN_TEXT"),
        ("x" * (MAX_REASON_LENGTH + 1), InvalidValue, "INVALID_VALUE"),
        ("Uji\u0007petik", InvalidValue, "INVALID_VALUE"),
    ],
)
def test_every_role_gives_a_fit_reason_even_one_that_sees_her_data_in_its_reads(
    sqlite_jejak: Jejak, role: Role, reason: str | None, error: type[Exception], code: str
) -> None:
    bid = case_with_every_field(sqlite_jejak)

    with pytest.raises(error) as refused:
        ReadModels.of(sqlite_jejak, EVERYTHING).reveals.reveal(account(role), bid, "nik", reason)

    assert getattr(refused.value, "code", None) == code
    assert getattr(refused.value, "field", None) == "reason"
    assert reveals(sqlite_jejak) == []


def test_a_field_not_of_a_case_and_an_unknown_case_are_refused(sqlite_jejak: Jejak) -> None:
    bid = case_with_every_field(sqlite_jejak)
    act = ReadModels.of(sqlite_jejak, EVERYTHING).reveals

    with pytest.raises(FieldNotRevealable):
        act.reveal(account(Role.AUDITOR), bid, "assessment_notes", REASON)
    with pytest.raises(NotFound):
        act.reveal(account(Role.AUDITOR), uuid4(), "nik", REASON)

    assert reveals(sqlite_jejak) == []


def test_an_erased_value_answers_erased_and_the_reveal_is_still_logged(
    sqlite_jejak: Jejak,
) -> None:
    bid = case_with_every_field(sqlite_jejak)
    sqlite_jejak.vault.erase(bid, [KeyPurpose.CASEFILE])
    act = ReadModels.of(sqlite_jejak, EVERYTHING).reveals

    phone = act.reveal(account(Role.SUPERVISOR), bid, "phone", REASON)
    nik = act.reveal(account(Role.SUPERVISOR), bid, "nik", REASON)

    assert (phone.value, nik.value) == (ERASED, NIK)
    assert [e.detail for e in reveals(sqlite_jejak)][-1] == f"field: phone; reason: {REASON}"


def test_a_value_the_case_does_not_hold_is_none_and_still_logged(sqlite_jejak: Jejak) -> None:
    app = sqlite_jejak.app
    (registered,) = app.beneficiaries.register_roster(
        closed_site(app),
        [NewBeneficiary("TRK-JP-0001", NAME)],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )

    kk = ReadModels.of(sqlite_jejak, EVERYTHING).reveals.reveal(
        account(Role.AUDITOR), registered.aggregate_id, "kk", REASON
    )

    assert kk.value is None and len(reveals(sqlite_jejak)) == 1


def test_her_history_shows_each_reveal_in_time_with_who_why_and_from_where_never_a_value(
    sqlite_jejak: Jejak,
) -> None:
    bid = case_with_every_field(sqlite_jejak)
    reads = ReadModels.of(sqlite_jejak, EVERYTHING)
    reads.reveals.reveal(account(Role.AUDITOR), bid, "bank_account", REASON)
    sqlite_jejak.app.beneficiaries.withdraw(
        bid, provenance=by(OPERATOR, date(2019, 8, 1), reason="Kembali ke keluarga")
    )
    reads.reveals.reveal(account(Role.OPERATOR), bid, "nik", "Surat pengantar kelurahan")

    history = reads.history.of(account(Role.ADMIN), bid)

    assert [item["event"] for item in history] == [
        "BeneficiaryRegistered",
        "IdentityVerified",
        "BankAccountRecorded",
        "PersonalDataRevealed",
        "BeneficiaryWithdrew",
        "PersonalDataRevealed",
    ]
    first, second = [item for item in history if item["version"] is None]
    assert first["actor"] == {"user_id": "auditor", "role": "auditor"}
    assert first["reason"] == REASON
    assert first["facts"] == {"fields": ["bank_account"], "via": "field", "interface": "cli"}
    assert (second["actor"]["role"], second["facts"]["fields"]) == ("operator", ["nik"])
    assert not any(value in str(history) for value in (ACCOUNT, NIK, HOLDER))


def test_a_bundles_detail_of_every_field_and_the_longest_reason_fits_the_access_log() -> None:
    longest = reveal_detail(BUNDLE, reversed(CASE_FIELDS), "r" * MAX_REASON_LENGTH)

    assert len(longest) <= MAX_DETAIL_LENGTH
    parsed = parse_reveal_detail(longest)
    assert (parsed.via, parsed.fields) == (BUNDLE, CASE_FIELDS)
    assert parsed.reason == "r" * MAX_REASON_LENGTH
    assert parse_reveal_detail("field: nik; reason: a; reason: b").reason == "a; reason: b"
