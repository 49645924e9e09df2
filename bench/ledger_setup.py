"""Untimed setup of the ledger scenarios: many people ready to be paid, built in bulk.

Taking 40,000 people through verification, training and their return home one command (one
transaction) at a time would take longer than the whole benchmark. So each step applies the
aggregates' own commands to the loaded aggregates and saves thousands of them at once with the
application's multi-aggregate save; the duplicate index is claimed with one vault transaction
per step. Sites, rosters, the decree, the commitment and the allocation go through the
application's ordinary commands, as one decree and one allocation of every line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.beneficiary import IdentityEvidence, ReintegrationPath
from domain.decree import AidComponent, PaymentType, entitlement_id
from domain.funding import FundingSource
from domain.identity import Sex, make_nik
from domain.money_rules import same_holder_name
from domain.recording import Actor, DocumentRef, Provenance, RegionRef, Role
from domain.site import FundingStatus
from service.commands.application import ProgrammeApplication
from service.commands.beneficiaries import NewBeneficiary
from service.commands.money import NewDecreeLine

OPERATOR = Actor("bench.operator", Role.OPERATOR, "Dinas Sosial (benchmark)")
SUPERVISOR = Actor("bench.supervisor", Role.SUPERVISOR, "Dinas Sosial Provinsi (benchmark)")
APPROVER = Actor("bench.ppk", Role.SUPERVISOR, "Kementerian Sosial (benchmark)")
KELURAHAN = RegionRef("kemendagri", "65.71.04.1002")
HOME = RegionRef("kemendagri", "35.78.06.1004")
GRANT = 5_500_000
BANK_CODE = "124"
FACILITY = "KTM-PSKW-HM"
# Case numbers end in four digits, so a site holds at most 9,999 people.
PEOPLE_PER_SITE = 5000
# People per roster call, and per save of their later steps: large enough to amortise a
# commit, small enough that their data keys stay in the vault's key cache (4,096 keys).
ROSTER_CALL = 1000
REGISTERED = date(2016, 3, 20)
# Distinct birth dates times NIK serials give every person her own NIK.
NIK_SERIALS = 9999

Progress = Callable[[str], None]


def by(actor: Actor, on: date, document: str | None = None) -> Provenance:
    """Provenance on `on`, citing a document of kind `document` when given."""
    ref = DocumentRef(document, f"BENCH/{document}/1", on, "Dinas Sosial") if document else None
    return Provenance(actor, on, ref)


@dataclass(frozen=True)
class Payees:
    """People decreed, funded and with an account in their own name: ready to be ordered."""

    people: list[UUID]
    commitment_id: UUID

    @property
    def entitlements(self) -> list[UUID]:
        """Their business-capital entitlements, in the order of `people`."""
        return [entitlement_id(p, AidComponent.UEP, 1) for p in self.people]


def ready_to_pay(app: ProgrammeApplication, count: int, progress: Progress) -> Payees:
    """`count` people registered, verified, trained, home, with accounts, decreed and funded.

    Each roster call's people are taken home and given their accounts straight away, while
    their data keys are still in the vault's cache; the decree and the allocation name all.
    """
    people: list[UUID] = []
    for site_index, start in enumerate(range(0, count, PEOPLE_PER_SITE)):
        size = min(PEOPLE_PER_SITE, count - start)
        code = f"BL-{_letters(site_index)}"
        site_id = _closed_site(app, code)
        for offset in range(0, size, ROSTER_CALL):
            # Case numbers count from 1 at each site; names follow the people's overall order.
            first = start + offset
            roster = [
                NewBeneficiary(f"{code}-{k + 1:04d}", _name(start + k))
                for k in range(offset, min(offset + ROSTER_CALL, size))
            ]
            results = app.beneficiaries.register_roster(
                site_id, roster, provenance=by(OPERATOR, REGISTERED)
            )
            called = [r.aggregate_id for r in results]
            _home_with_an_account(app, called, first)
            people.extend(called)
        progress(f"{len(people)} of {count} people home with an account")
    commitment_id = _decree_and_fund(app, people)
    progress(f"{count} decreed and funded")
    return Payees(people, commitment_id)


def _closed_site(app: ProgrammeApplication, code: str) -> UUID:
    """A site registered, socialised, decreed and closed (the contract tests' Tarakan dates)."""
    site_id = app.sites.register_site(
        code=code,
        name=f"Lokalisasi {code}",
        aliases=(),
        kelurahan=KELURAHAN,
        headcount_at_pendataan=PEOPLE_PER_SITE,
        provenance=by(OPERATOR, date(2016, 3, 20)),
    ).aggregate_id
    app.sites.hold_sosialisasi(
        site_id,
        venue="Balai Kelurahan",
        attendance=40,
        facilitators=["Dinsos"],
        provenance=by(OPERATOR, date(2017, 8, 10), "notulen"),
    )
    app.sites.decree_closure(
        site_id,
        decree_number=f"BENCH/SK/{code}",
        signing_authority="Wali Kota",
        provenance=by(SUPERVISOR, date(2018, 12, 20), "decree"),
    )
    app.sites.close_site(
        site_id,
        declared_headcount=PEOPLE_PER_SITE,
        funding_status=FundingStatus.NOT_IN_PLACE,
        provenance=by(OPERATOR, date(2018, 12, 28), "berita_acara"),
    )
    return site_id


def _home_with_an_account(app: ProgrammeApplication, people: Sequence[UUID], first: int) -> None:
    """Verified, assessed, trained, home and with an account in her own name, in one save.

    The people are the `first`-th onwards; their NIKs and accounts are claimed in the duplicate
    index in one vault transaction each, as `verify_identity` and `record_bank_account` claim
    them one by one.
    """
    numbered = list(enumerate(people, start=first))
    evidence = {person: _evidence(n) for n, person in numbered}
    accounts = {person: account_number(n) for n, person in numbered}
    nik_owners = app.vault.claim_all("nik", [(evidence[p].nik, p) for p in people])
    account_owners = app.vault.claim_all("bank_account", [(accounts[p], p) for p in people])
    if any(claim.held_by_another for claim in account_owners.values()):
        raise RuntimeError("the benchmark's account numbers are not unique")
    beneficiaries = [app.beneficiary(person) for person in people]
    for (n, _), b in zip(numbered, beneficiaries, strict=True):
        sealer = app.vault.sealer_for(b.id)
        b.verify_identity(
            evidence=evidence[b.id],
            duplicate_in_programme=nik_owners[evidence[b.id].nik].held_by_another,
            sealer=sealer,
            provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
        )
        b.assess(
            home_region=HOME,
            path=ReintegrationPath.RETURN_HOME,
            notes=None,
            sealer=sealer,
            provenance=by(OPERATOR, date(2019, 1, 7), "surat_keterangan"),
        )
        b.send_to_training(
            site=app.site(b.site_id),
            facility_id=FACILITY,
            rules=app.rules,
            provenance=by(OPERATOR, date(2019, 1, 14)),
        )
        b.complete_training(
            skill="menjahit", provenance=by(OPERATOR, date(2019, 2, 15), "sertifikat")
        )
        b.confirm_return_home(
            confirming_kelurahan=HOME, provenance=by(OPERATOR, date(2019, 2, 22), "surat_tiba")
        )
        # Banks print the holder's name in capitals; the comparison allows for that.
        recorded = app.vault.open(b.name)
        b.record_bank_account(
            bank_code=BANK_CODE,
            account_number=accounts[b.id],
            holder_name=_name(n).upper(),
            holder_name_matches=recorded is not None
            and same_holder_name(recorded, _name(n).upper()),
            sealer=sealer,
            provenance=by(OPERATOR, date(2019, 2, 26), "buku_tabungan"),
        )
    app.commit(*beneficiaries)


def _decree_and_fund(app: ProgrammeApplication, people: Sequence[UUID]) -> UUID:
    """One decree naming everyone, one commitment for all of it, one allocation of every line."""
    app.money.issue_decree(
        authority="Direktur Rehsos (benchmark)",
        number="BENCH/SK/2019/1",
        legal_basis="Permensos (benchmark)",
        payment_type=PaymentType.BENEFICIARY_AID,
        lines=[NewDecreeLine(AidComponent.UEP, GRANT, beneficiary_id=p) for p in people],
        provenance=by(APPROVER, date(2019, 3, 4), "decree"),
    )
    commitment_id = app.money.commit_funds(
        fiscal_year=2019,
        source=FundingSource.APBN,
        budget_line="DIPA-2019 573111 (benchmark)",
        funder="Kementerian Sosial",
        amount=len(people) * GRANT,
        provenance=by(APPROVER, date(2019, 1, 2), "dipa"),
    ).aggregate_id
    app.money.allocate_funds(
        commitment_id,
        entitlement_ids=[entitlement_id(p, AidComponent.UEP, 1) for p in people],
        provenance=by(APPROVER, date(2019, 3, 11)),
    )
    return commitment_id


def account_number(n: int) -> str:
    """The n-th person's account number (unique, sixteen digits)."""
    return f"5301{n:012d}"


def _name(n: int) -> str:
    return f"Contoh Peserta {_letters(n)}"


def _letters(n: int) -> str:
    """A short letter code unique per n (names and site codes carry no digits)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(alphabet[(n // 26**k) % 26] for k in (3, 2, 1, 0))


def _evidence(n: int) -> IdentityEvidence:
    """A valid, unique NIK for the n-th person: a birth date per 9,999 serials."""
    born = date.fromordinal(date(1980, 1, 1).toordinal() + n // NIK_SERIALS)
    nik = make_nik("657104", born, Sex.FEMALE, n % NIK_SERIALS + 1)
    return IdentityEvidence(nik, born, Sex.FEMALE)
