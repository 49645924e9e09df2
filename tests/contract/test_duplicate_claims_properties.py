"""Any sequence of verifications, retries and refusals leaves at most one verified case per NIK,
and every verified case still holds its NIK in the duplicate index (ADR 0029).

On SQLite and PostgreSQL. A refused command may give back only the index entry it took itself;
the model below says which verifications must succeed, so an entry freed by a refusal (or one
left behind by it) shows as a verification the model and the application disagree on.
"""

from __future__ import annotations

import itertools
from datetime import date
from uuid import UUID, uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.beneficiary import IdentityEvidence
from domain.errors import DomainError
from domain.identity import Sex, make_nik
from service.commands.base import CommandResult
from service.commands.beneficiaries import NewBeneficiary
from service.system import Jejak
from tests.contract.journey import OPERATOR, by, closed_site
from tests.contract.test_money_contract import race

ADULT_BIRTH = date(1990, 4, 5)
# Under 18 at the 2016 pendataan: the verification is refused after the NIK was claimed.
MINOR_BIRTH = date(2000, 1, 1)
CASES = 3
NIKS = 2

# One step: which case, which of the example's NIKs, and how the attempt goes: as it should,
# with a birth date that makes her a minor, or against a version someone else has moved past.
steps = st.lists(
    st.tuples(
        st.integers(0, CASES - 1),
        st.integers(0, NIKS - 1),
        st.sampled_from(("adult", "minor", "stale")),
    ),
    max_size=12,
)


def test_verifications_retries_and_refusals_leave_one_verified_case_per_nik(jejak: Jejak) -> None:
    app = jejak.app
    site = closed_site(app)
    examples = itertools.count()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(steps=steps)
    def check(steps: list[tuple[int, int, str]]) -> None:
        example = next(examples)
        cases = [
            r.aggregate_id
            for r in app.beneficiaries.register_roster(
                site,
                [
                    NewBeneficiary(
                        f"TRK-JP-{5000 + example * CASES + n}", f"Contoh Klaim {example} {n}"
                    )
                    for n in range(CASES)
                ],
                provenance=by(OPERATOR, date(2016, 3, 20)),
            )
        ]
        niks = [
            make_nik("657104", ADULT_BIRTH, Sex.FEMALE, 5000 + example * NIKS + n)
            for n in range(NIKS)
        ]
        verified: dict[UUID, str] = {}
        for case_index, nik_index, outcome in steps:
            case, nik = cases[case_index], niks[nik_index]
            expected = outcome == "adult" and case not in verified and nik not in verified.values()
            try:
                app.beneficiaries.verify_identity(
                    case,
                    evidence=IdentityEvidence(
                        nik, MINOR_BIRTH if outcome == "minor" else ADULT_BIRTH, Sex.FEMALE
                    ),
                    provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
                    expected_version=99 if outcome == "stale" else None,
                )
                succeeded = True
            except DomainError:
                succeeded = False
            assert succeeded == expected, (steps, case_index, nik_index, outcome)
            if succeeded:
                verified[case] = nik

        for nik in niks:
            holders = [
                case
                for case in cases
                if (sealed := app.beneficiary(case).nik) is not None
                and jejak.vault.open(sealed) == nik
            ]
            assert len(holders) <= 1
            probe = jejak.vault.claim("nik", nik, uuid4())
            jejak.vault.give_back(probe)
            assert probe.other_owner == (holders[0] if holders else None)

    check()


def test_a_double_submitted_verification_leaves_her_nik_claimed(jejak: Jejak) -> None:
    # Two runs of the same verification at once: one takes the index entry, the other finds it
    # already hers. Whichever is refused must not give back the entry the other one's event
    # rests on.
    app = jejak.app
    site = closed_site(app)
    rounds = 12
    cases = [
        r.aggregate_id
        for r in app.beneficiaries.register_roster(
            site,
            [NewBeneficiary(f"TRK-JP-{7000 + n}", f"Contoh Ganda {n}") for n in range(rounds)],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    ]
    for n, case in enumerate(cases):
        nik = make_nik("657104", ADULT_BIRTH, Sex.FEMALE, 7000 + n)

        def verify(_: int, case: UUID = case, nik: str = nik) -> CommandResult:
            return app.beneficiaries.verify_identity(
                case,
                evidence=IdentityEvidence(nik, ADULT_BIRTH, Sex.FEMALE),
                provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
            )

        outcomes = race(2, verify)
        assert sum(not isinstance(o, DomainError) for o in outcomes) == 1, outcomes
        probe = jejak.vault.claim("nik", nik, uuid4())
        jejak.vault.give_back(probe)
        assert probe.other_owner == case, n
