"""Identity checks (A01, A02, A03, A05, A06, A07): what verification and the bank account recorded.

The NIK, name, birth date and account are sealed in the events and may be erased, so these
checks read only what the events keep in clear: the outcomes of the checks made at the time
(IdentityChecks, BankAccountRecorded.holder_name_matches). Checks that need two people's
plaintext side by side (A05, A06, a shared account in A07) are made when the command runs,
through the vault's erasable keyed-hash index, and their outcome is recorded in the event.
"""

from __future__ import annotations

from domain.audit.facts import AuditContext, CaseFacts
from domain.audit.rules import Rule, Severity, SubjectKind, Verdict

FAMILY = "identity"

A01 = Rule(
    "A01",
    FAMILY,
    "NIK syntactically invalid (16 digits, a real birth date, a non-zero serial)",
    Severity.BLOCKING,
    SubjectKind.BENEFICIARY,
    "Obtain the KTP or KK again and correct the NIK before any decree or payment",
    "S46",
)
A02 = Rule(
    "A02",
    FAMILY,
    "NIK region code unknown in the current and historic Kemendagri tables: possibly a "
    "historic code",
    Severity.FLAG,
    SubjectKind.BENEFICIARY,
    "Check the issuing kecamatan on her KTP or KK; if the code is a real older one, add it to "
    "the region tables as historic",
    "§0.7, §9.1",
)
A03 = Rule(
    "A03",
    FAMILY,
    "NIK sex or birth-date digits disagree with the recorded sex or birth date",
    Severity.FLAG,
    SubjectKind.BENEFICIARY,
    "Check the birth date against the KK; a corrected birth date does not change the NIK",
    "S72",
)
A05 = Rule(
    "A05",
    FAMILY,
    "Same NIK enrolled twice (any site, year or funder)",
    Severity.BLOCKING,
    SubjectKind.BENEFICIARY,
    "Merge or exclude the duplicate case before any payment; ask Dukcapil if in doubt",
    "S46, S47",
)
A06 = Rule(
    "A06",
    FAMILY,
    "Same normalised name and birth date as another case, with a different NIK",
    Severity.FLAG,
    SubjectKind.BENEFICIARY,
    "Compare both cases' KTP and KK copies; exclude one as a duplicate if they are one person",
    "S47",
)
A07 = Rule(
    "A07",
    FAMILY,
    "Bank account holder name differs from the beneficiary's name (a shared account is "
    "refused when recorded)",
    Severity.FLAG,
    SubjectKind.BENEFICIARY,
    "Obtain a bank letter or passbook in her own name, or record why the account is hers",
    "S42",
)
RULES = (A01, A02, A03, A05, A06, A07)


def evaluate_identity(case: CaseFacts, ctx: AuditContext, verdict: Verdict) -> None:
    """The identity findings of one case."""
    if case.registered_at is None:
        return  # a compensation payee has no case file to check
    subject, site = case.subject_id, case.site_id
    if case.verified_at is not None:
        if not case.nik_format_valid:
            verdict.add(
                A01, subject, site, "NIK recorded as invalid at verification", (case.verified_at,)
            )
        if case.nik_region_unknown:
            verdict.add(
                A02,
                subject,
                site,
                "NIK region prefix is in no Kemendagri table: possibly historic",
                (case.verified_at,),
            )
        wrong = [
            what
            for what, consistent in (
                ("birth-date", case.nik_birth_digits_consistent),
                ("sex", case.nik_sex_digit_consistent),
            )
            if not consistent
        ]
        if wrong:
            verdict.add(
                A03,
                subject,
                site,
                f"NIK {' and '.join(wrong)} digits disagree with the recorded values",
                (case.verified_at,),
            )
        if case.duplicate_in_programme:
            verdict.add(
                A05, subject, site, "NIK already belongs to another case", (case.verified_at,)
            )
        if case.name_and_birth_date_shared:
            verdict.add(
                A06,
                subject,
                site,
                "another case has the same name and birth date with a different NIK",
                (case.verified_at, case.name_corrected_at),
            )
    if case.account_at is not None and not case.account_holder_matches:
        verdict.add(
            A07, subject, site, "account holder name does not match hers", (case.account_at,)
        )
