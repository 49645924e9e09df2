"""Who sees which personal data (ADR 0030), as `domain/access.py` decides it."""

from __future__ import annotations

import pytest

from domain.access import (
    CASE_FIELDS,
    REVEALABLE_FIELDS,
    SIGHT,
    ClearReasonRequired,
    DataCategory,
    FieldNotRevealable,
    categories_of_document,
    category_of_sealed,
    check_case_field,
    clear_reason_of,
    may_ask_in_clear,
    may_reveal,
    may_reveal_any,
    sees_all_in_clear,
    sees_in_clear,
)
from domain.errors import InvalidValue
from domain.free_text import PersonalDataInText
from domain.recording import Role
from domain.sealed import KeyPurpose


def test_every_role_has_a_sight_of_every_category() -> None:
    assert set(SIGHT) == set(Role)
    assert all(set(sights) == set(DataCategory) for sights in SIGHT.values())


def test_an_account_number_is_financial_although_sealed_under_the_identity_key() -> None:
    assert category_of_sealed("bank_account", KeyPurpose.IDENTITY) is DataCategory.FINANCIAL
    assert category_of_sealed("nik", KeyPurpose.IDENTITY) is DataCategory.IDENTITY
    assert category_of_sealed("assessment_notes", KeyPurpose.CASEFILE) is DataCategory.CASE_FILE
    assert category_of_sealed("unlisted", KeyPurpose.CASEFILE) is DataCategory.CASE_FILE


def test_an_auditor_sees_a_category_in_clear_only_with_a_reason() -> None:
    for category in DataCategory:
        assert not sees_in_clear(Role.AUDITOR, category, reason_given=False)
        assert sees_in_clear(Role.AUDITOR, category, reason_given=True)
        assert sees_in_clear(Role.OPERATOR, category, reason_given=False)
        assert not sees_in_clear(Role.ADMIN, category, reason_given=True)


def test_a_transfer_file_is_seen_only_by_roles_that_see_all_it_holds_in_clear() -> None:
    transfer_file = categories_of_document("transfer_file")
    assert sees_all_in_clear(Role.SUPERVISOR, transfer_file, reason_given=False)
    assert not sees_all_in_clear(Role.AUDITOR, transfer_file, reason_given=False)
    assert sees_all_in_clear(Role.AUDITOR, transfer_file, reason_given=True)
    assert not sees_all_in_clear(Role.ADMIN, transfer_file, reason_given=True)
    assert categories_of_document("never-heard-of") == frozenset(DataCategory)


def test_asking_in_clear_needs_a_reason_from_an_auditor_only() -> None:
    assert clear_reason_of(Role.AUDITOR, in_clear=False, reason=None) is None
    assert clear_reason_of(Role.SUPERVISOR, in_clear=True, reason=None) is None
    assert clear_reason_of(Role.AUDITOR, in_clear=True, reason=" LHP 2019 ") == "LHP 2019"
    assert may_ask_in_clear(Role.AUDITOR) and may_ask_in_clear(Role.OPERATOR)
    assert not may_ask_in_clear(Role.ADMIN)


@pytest.mark.parametrize(
    ("reason", "refusal"),
    [
        (None, ClearReasonRequired),
        ("   ", ClearReasonRequired),
        ("x" * 121, InvalidValue),
        ("line\nbreak", InvalidValue),
        ("NIK 6571044504909301", PersonalDataInText),
    ],
)
def test_a_reason_is_refused_naming_the_field(
    reason: str | None, refusal: type[InvalidValue]
) -> None:
    with pytest.raises(refusal) as refused:
        clear_reason_of(Role.AUDITOR, in_clear=True, reason=reason)
    assert refused.value.field == "reason"


def test_operators_supervisors_and_auditors_may_reveal_and_administrators_and_the_dpo_never() -> (
    None
):
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR):
        assert may_reveal_any(role)
        assert all(may_reveal(role, field) for field in REVEALABLE_FIELDS)
    for role in (Role.ADMIN, Role.DPO):
        assert not may_reveal_any(role)
        assert not any(may_reveal(role, field) for field in REVEALABLE_FIELDS)


def test_the_reveal_shows_the_identifiers_a_case_is_checked_by_and_nothing_else() -> None:
    assert CASE_FIELDS == (
        "name",
        "nik",
        "kk",
        "birth_date",
        "phone",
        "bank_account",
        "bank_account_holder",
    )
    # Her sex and the social worker's notes check nothing an examiner checks.
    for field in ("sex", "assessment_notes"):
        assert not may_reveal(Role.AUDITOR, field)
    assert check_case_field("bank_account_holder") == "bank_account_holder"


@pytest.mark.parametrize("field", ["sex", "assessment_notes", "payee_name", "NIK", ""])
def test_a_field_not_of_a_case_is_refused_naming_the_input_not_repeating_it(field: str) -> None:
    with pytest.raises(FieldNotRevealable) as refused:
        check_case_field(field)
    assert refused.value.field == "field" and refused.value.code == "FIELD_NOT_REVEALABLE"
    assert "name, nik, kk, birth_date, phone, bank_account" in refused.value.message
