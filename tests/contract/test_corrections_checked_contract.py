"""Corrections that the rules and the audit checks see, on SQLite and PostgreSQL: a corrected
pendataan date is checked against her age, a corrected name moves in the duplicate index that
check A06 reads, and an approved money correction moves a credit to the statement line it
matches (ADR 0022)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.beneficiary import IdentityEvidence
from domain.beneficiary_errors import BeneficiaryIsMinor, BirthDateErased
from domain.errors import DomainError
from domain.identity import Sex, make_nik
from domain.recording import Provenance
from domain.sealed import KeyPurpose
from service.commands.base import CommandResult
from service.commands.beneficiaries import NewBeneficiary
from service.security.vault import NAME_AND_BIRTH_DATE, name_and_birth_date
from service.system import Jejak
from tests.contract.journey import (
    BIRTH,
    OPERATOR,
    SECOND_SUPERVISOR,
    SUPERVISOR,
    UEP,
    by,
    closed_site,
    run_journey,
)
from tests.contract.test_audit_checks_contract import about, findings
from tests.contract.test_corrections_contract import CORRECTED_ON, correcting, version_of
from tests.contract.test_money_contract import race


def test_a_corrected_pendataan_date_is_checked_against_her_sealed_birth_date(
    jejak: Jejak,
) -> None:
    person = run_journey(jejak.app).beneficiary_id

    def correct_pendataan(on: date) -> None:
        jejak.app.corrections.correct_beneficiary_date(
            person,
            corrects_version=1,
            corrected_date=on,
            provenance=correcting("the roster was dated wrongly"),
        )

    with pytest.raises(BeneficiaryIsMinor) as minor:
        correct_pendataan(BIRTH.replace(year=BIRTH.year + 18) - date.resolution)
    assert (minor.value.code, minor.value.field) == ("BENEFICIARY_IS_MINOR", "corrected_date")
    correct_pendataan(date(2016, 3, 21))
    assert jejak.app.beneficiary(person).pendataan_on == date(2016, 3, 21)

    jejak.vault.erase(person, {KeyPurpose.IDENTITY})
    with pytest.raises(BirthDateErased):
        correct_pendataan(date(2016, 3, 22))


def _verified(jejak: Jejak, names: list[str]) -> list[UUID]:
    site_id = closed_site(jejak.app)
    people = [
        r.aggregate_id
        for r in jejak.app.beneficiaries.register_roster(
            site_id,
            [NewBeneficiary(f"TRK-JP-{n:04}", name) for n, name in enumerate(names, start=1)],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    ]
    for serial, person in enumerate(people, start=9401):
        jejak.app.beneficiaries.verify_identity(
            person,
            evidence=IdentityEvidence(
                make_nik("657104", BIRTH, Sex.FEMALE, serial), BIRTH, Sex.FEMALE
            ),
            provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
        )
    return people


def _owner(jejak: Jejak, name: str) -> UUID | None:
    """Who holds `name` with her birth date in the duplicate index (a probe claims it, and
    gives it back when it was free)."""
    probe = uuid4()
    key = name_and_birth_date(name, BIRTH)
    claim = jejak.vault.claim(NAME_AND_BIRTH_DATE, key, probe)
    jejak.vault.give_back(claim)
    return claim.other_owner


def test_a_corrected_name_moves_in_the_index_check_a06_reads_and_is_erased_with_her(
    jejak: Jejak,
) -> None:
    first, second = _verified(jejak, ["Contoh Sari", "Contoh Sary"])
    assert about(findings(jejak), second) == {}

    jejak.app.corrections.correct_beneficiary_details(
        second, name="Contoh Sari", provenance=correcting("her KTP spells it Sari")
    )
    rows = findings(jejak)
    assert about(rows, second) == {"A06": "open"}
    assert about(rows, first) == {}
    assert _owner(jejak, "Contoh Sary") is None, "the name recorded first is released"

    jejak.app.corrections.correct_beneficiary_details(
        first, name="Contoh Sarinah", provenance=correcting("her KTP spells it Sarinah")
    )
    assert about(findings(jejak), first) == {}
    assert _owner(jejak, "contoh  SARINAH") == first
    jejak.vault.erase(first, {KeyPurpose.IDENTITY})
    assert _owner(jejak, "Contoh Sarinah") is None, "erasure takes the corrected entry too"


def test_a_corrected_name_that_no_other_case_holds_resolves_its_a06_finding(
    jejak: Jejak,
) -> None:
    _, second = _verified(jejak, ["Contoh Sari", "contoh sari"])
    assert about(findings(jejak), second) == {"A06": "open"}

    jejak.app.corrections.correct_beneficiary_details(
        second, name="Contoh Sarita", provenance=correcting("her KTP spells it Sarita")
    )

    assert about(findings(jejak), second) == {"A06": "resolved"}
    assert _owner(jejak, "Contoh Sarita") == second


def test_a_double_submitted_name_correction_leaves_her_corrected_name_in_the_index(
    jejak: Jejak,
) -> None:
    # The refused run of the two must not give back the entry the other one's event rests on.
    people = _verified(jejak, [f"Contoh Ganda {chr(65 + n)}" for n in range(20)])
    for n, person in enumerate(people):
        corrected = f"Contoh Ganda Betul {chr(65 + n)}"

        def correct(_: int, person: UUID = person, corrected: str = corrected) -> CommandResult:
            return jejak.app.corrections.correct_beneficiary_details(
                person, name=corrected, provenance=correcting("her KTP spells it so")
            )

        outcomes = race(2, correct)
        assert sum(not isinstance(o, DomainError) for o in outcomes) == 1, outcomes
        assert _owner(jejak, corrected) == person, n


def test_an_approved_credit_correction_moves_it_to_the_statement_line_it_matches(
    jejak: Jejak,
) -> None:
    journey = run_journey(jejak.app)
    capital = journey.entitlements[0]
    recorded = jejak.app.entitlement(capital).bank_reference
    assert recorded is not None
    statement = (
        "value_date,bank_reference,amount,kind,description\n"
        f"2019-08-05,KTT-BANK-0805-77,{UEP - 50_000},TRANSFER_OUT,Transfer bansos\n"
    )
    jejak.app.money.import_bank_statement(
        content=statement.encode(),
        account_label="Bank Kaltimtara",
        provenance=Provenance(SUPERVISOR, date(2019, 9, 2)),
    )
    rows = findings(jejak)
    assert about(rows, recorded)["A13"] == about(rows, "KTT-BANK-0805-77")["A13"] == "open"

    jejak.app.corrections.request_money_correction(
        capital,
        corrects_version=version_of(jejak.app, capital, "CreditedToAccount"),
        amount=UEP - 50_000,
        reference="KTT-BANK-0805-77",
        provenance=correcting("the bank's letter gives its own reference", SUPERVISOR),
    )
    rows = findings(jejak)
    assert about(rows, recorded)["A13"] == "open", "a pending correction changes nothing"

    jejak.app.corrections.approve_money_correction(
        capital, provenance=by(SECOND_SUPERVISOR, CORRECTED_ON)
    )

    rows = findings(jejak)
    assert about(rows, recorded)["A13"] == about(rows, "KTT-BANK-0805-77")["A13"] == "resolved"
