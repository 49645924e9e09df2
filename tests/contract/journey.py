"""A complete case through the application, for the contract tests on both stores."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from domain.beneficiary import IdentityEvidence, ReintegrationPath
from domain.decree import AidComponent, PaymentType, entitlement_id
from domain.entitlement import PaymentChannel
from domain.funding import FundingSource
from domain.identity import Sex, make_nik
from domain.recording import Actor, DocumentRef, Provenance, RegionRef, Role
from domain.site import FundingStatus
from service.commands.application import ProgrammeApplication
from service.commands.beneficiaries import NewBeneficiary
from service.commands.money import LineKey, NewDecreeLine
from service.files.bankfiles import ResultLine

OPERATOR = Actor("opi", Role.OPERATOR, "Dinas Sosial Kota Tarakan")
SUPERVISOR = Actor("sup", Role.SUPERVISOR, "Dinsosnakertrans Provinsi Kalimantan Utara")
SECOND_SUPERVISOR = Actor("sup2", Role.SUPERVISOR, "Direktorat Rehsos, Kementerian Sosial")
KELURAHAN = RegionRef("kemendagri", "65.71.04.1002")
HOME = RegionRef("kemendagri", "35.78.06.1004")
NAME = "Zulaikha Contohwati Uniquename"
BIRTH = date(1991, 7, 9)
NIK = make_nik("657104", BIRTH, Sex.FEMALE, 9123)
ACCOUNT = "5301234567890123"
AUTHORITY = "Direktur Rehabilitasi Sosial (demo)"
BUDGET_LINE_2019 = "DIPA-027.04.1.2019 akun 573111"
CAPITAL, FARE = (AidComponent.UEP, 1), (AidComponent.TRANSPORT, 1)
UEP, TRANSPORT = 3_000_000, 250_000


def by(actor: Actor, on: date, doc: str | None = None, reason: str | None = None) -> Provenance:
    """Provenance with an optional document of kind `doc`."""
    document = DocumentRef(doc, f"DEMO/{doc}/1", on, "Dinas Sosial") if doc else None
    return Provenance(actor, on, document, reason)


@dataclass(frozen=True)
class Journey:
    """Ids created by `run_journey`."""

    site_id: UUID
    beneficiary_id: UUID
    others: list[UUID]
    commitment_id: UUID
    decree_id: UUID
    # Her business capital and her transport allowance.
    entitlements: list[UUID] = field(default_factory=list)
    # The first batch (capital credited, transport failed) and the second (transport credited).
    batches: list[UUID] = field(default_factory=list)


def version_of(app: ProgrammeApplication, aggregate_id: UUID, name: str) -> int:
    """The aggregate version of its one event called `name`, as a correction names it."""
    (version,) = [
        e.originator_version for e in app.history(aggregate_id) if type(e).__name__ == name
    ]
    found: int = version
    return found


def closed_site(app: ProgrammeApplication, code: str = "TRK-JP") -> UUID:
    """A site registered, socialised, decreed and closed on the real Tarakan dates."""
    site_id = app.sites.register_site(
        code=code,
        name="Juata Permai",
        aliases=["Juwata Permai"],
        kelurahan=KELURAHAN,
        headcount_at_pendataan=70,
        provenance=by(OPERATOR, date(2016, 3, 20)),
    ).aggregate_id
    app.sites.hold_sosialisasi(
        site_id,
        venue="Balai",
        attendance=40,
        facilitators=["Dinsos"],
        provenance=by(OPERATOR, date(2017, 8, 10), "notulen"),
    )
    app.sites.decree_closure(
        site_id,
        decree_number="DEMO/SK/1",
        signing_authority="Wali Kota",
        provenance=by(SUPERVISOR, date(2018, 12, 20), "decree"),
    )
    app.sites.close_site(
        site_id,
        declared_headcount=62,
        funding_status=FundingStatus.NOT_IN_PLACE,
        provenance=by(OPERATOR, date(2018, 12, 28), "berita_acara"),
    )
    return site_id


def run_journey(app: ProgrammeApplication) -> Journey:
    """One person from pendataan through her decreed aid to a closed case; two others registered.

    Her business capital is credited at once; her transport allowance fails at the bank, is
    ordered again in a second batch and credited; she signs for both and her case is closed.
    """
    site_id = closed_site(app)
    results = app.beneficiaries.register_roster(
        site_id,
        [
            NewBeneficiary("TRK-JP-0001", NAME, "+62 811 5555 0001"),
            NewBeneficiary("TRK-JP-0002", "Contoh Dua"),
            NewBeneficiary("TRK-JP-0003", "Contoh Tiga"),
        ],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )
    bid = results[0].aggregate_id
    returned_home(app, bid, NIK)
    commitment, decree_id, (capital, transport) = ready_to_pay(app, bid)
    first = paid_batch(app, "JRN-2019-01", [capital, transport], date(2019, 8, 1), fail={transport})
    second = paid_batch(app, "JRN-2019-02", [transport], date(2019, 8, 14))
    for n, entitlement in enumerate((capital, transport), start=1):
        receipt = DocumentRef("bast", f"DEMO/BAST-{n}/1", date(2019, 8, 20), "Dinas Sosial")
        app.money.acknowledge_receipt(
            entitlement, provenance=Provenance(OPERATOR, date(2019, 8, 20), receipt)
        )
    app.beneficiaries.close_case(bid, provenance=by(SUPERVISOR, date(2019, 9, 10)))
    return Journey(
        site_id,
        bid,
        [r.aggregate_id for r in results[1:]],
        commitment_id=commitment,
        decree_id=decree_id,
        entitlements=[capital, transport],
        batches=[first, second],
    )


def ready_to_pay(app: ProgrammeApplication, bid: UUID) -> tuple[UUID, UUID, list[UUID]]:
    """Her business capital and transport decreed and funded from the 2019 DIPA, her account
    recorded: (commitment, decree, [capital, transport])."""
    commitment = commit_2019(app, amount=UEP + TRANSPORT)
    decree_id = decree(app, "DEMO/SK/2019/1", [bid], date(2019, 2, 1))
    aid = [entitlement_id(bid, *CAPITAL), entitlement_id(bid, *FARE)]
    app.money.allocate_funds(
        commitment, entitlement_ids=aid, provenance=by(SUPERVISOR, date(2019, 2, 11))
    )
    record_account(app, bid, ACCOUNT)
    return commitment, decree_id, aid


def returned_home(app: ProgrammeApplication, bid: UUID, nik: str) -> None:
    """Verified, assessed, trained and home by 10 July 2019."""
    app.beneficiaries.verify_identity(
        bid,
        evidence=IdentityEvidence(nik, BIRTH, Sex.FEMALE),
        provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
    )
    app.beneficiaries.assess(
        bid,
        home_region=HOME,
        path=ReintegrationPath.RETURN_HOME,
        notes="Wants to open a tailoring stall",
        provenance=by(OPERATOR, date(2019, 1, 11), "surat_keterangan"),
    )
    app.beneficiaries.send_to_training(
        bid, facility_id="KTM-PSKW-HM", provenance=by(OPERATOR, date(2019, 2, 11))
    )
    app.beneficiaries.complete_training(
        bid, skill="menjahit", provenance=by(OPERATOR, date(2019, 6, 28), "sertifikat")
    )
    app.beneficiaries.confirm_return_home(
        bid, confirming_kelurahan=HOME, provenance=by(OPERATOR, date(2019, 7, 10), "surat_tiba")
    )


def commit_2019(
    app: ProgrammeApplication,
    amount: int,
    rebudgeted_from: UUID | None = None,
    budget_line: str = BUDGET_LINE_2019,
) -> UUID:
    """A 2019 DIPA line's commitment."""
    return app.money.commit_funds(
        fiscal_year=2019,
        source=FundingSource.APBN,
        budget_line=budget_line,
        funder="Kementerian Sosial RI",
        amount=amount,
        rebudgeted_from=rebudgeted_from,
        provenance=by(SUPERVISOR, date(2019, 1, 2), "dipa"),
    ).aggregate_id


def decree(app: ProgrammeApplication, number: str, people: list[UUID], on: date) -> UUID:
    """A decree granting each person business capital and a transport allowance."""
    return app.money.issue_decree(
        authority=AUTHORITY,
        number=number,
        legal_basis="Permensos (demo)",
        payment_type=PaymentType.BENEFICIARY_AID,
        lines=[
            NewDecreeLine(component, amount, tranche, beneficiary_id=person)
            for person in people
            for (component, tranche), amount in ((CAPITAL, UEP), (FARE, TRANSPORT))
        ],
        provenance=by(SUPERVISOR, on, "decree"),
    ).aggregate_id


def record_account(app: ProgrammeApplication, bid: UUID, account: str) -> None:
    """Her account, in her own name."""
    app.beneficiaries.record_bank_account(
        bid,
        bank_code="124",
        account_number=account,
        holder_name=app.vault.open(app.beneficiary(bid).name) or "",
        provenance=by(OPERATOR, date(2019, 7, 8), "buku_tabungan"),
    )


def paid_batch(
    app: ProgrammeApplication,
    number: str,
    entitlements: list[UUID],
    on: date,
    fail: Collection[UUID] = (),
    channel: PaymentChannel = PaymentChannel.BANK_TRANSFER,
) -> UUID:
    """A batch prepared, approved by a second supervisor, sent, and answered by the bank
    four days later: every line credited except those in `fail`."""
    batch_id = app.money.create_batch(
        batch_number=number,
        entitlement_ids=entitlements,
        channel=channel,
        provenance=by(SUPERVISOR, on),
    ).aggregate_id
    app.money.approve_batch(batch_id, provenance=by(SECOND_SUPERVISOR, on))
    app.money.record_transfer_export(
        batch_id, file_sha256=_sha256(f"transfer {number}"), provenance=by(SUPERVISOR, on)
    )
    value_date = on + timedelta(days=4)
    lines = [
        ResultLine(line.transfer_ref, line.amount, "FAILED", None, None, "Rekening pasif")
        if line.entitlement_id in fail
        else ResultLine(
            line.transfer_ref, line.amount, "CREDITED", f"KTT-{line.transfer_ref}", value_date, None
        )
        for line in app.batch(batch_id).lines.values()
    ]
    app.money.apply_bank_result(
        batch_id,
        file_sha256=_sha256(f"result {number}"),
        lines=lines,
        provenance=by(SUPERVISOR, value_date, "bank_result_file"),
    )
    return batch_id


@dataclass(frozen=True)
class MoneyStory:
    """Ids created by `run_money_story`."""

    site_id: UUID
    people: list[UUID]
    fy2018: UUID
    fy2019: UUID
    compensation: UUID
    unclaimed: UUID


def run_money_story(app: ProgrammeApplication) -> MoneyStory:
    """Every money path at a second site, TRK-LU, as the Kaltara story went.

    Two women are decreed business capital and transport in December 2018; the 2018 funds
    lapse at the year's close and are re-budgeted from the 2019 DIPA. An amending decree lowers
    the second woman's capital (re-allocated) and removes her transport (released). A building
    owner's court-ordered compensation is paid in the same batch. The first woman's transport
    is never claimed and goes back to the treasury. Site TRK-LU nets Rp 5.500.000.
    """
    site_id = closed_site(app, "TRK-LU")
    people = [
        r.aggregate_id
        for r in app.beneficiaries.register_roster(
            site_id,
            [
                NewBeneficiary("TRK-LU-0001", "Contoh Satu Lingkas"),
                NewBeneficiary("TRK-LU-0002", "Contoh Dua Lingkas"),
            ],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    ]
    for serial, person in enumerate(people, start=9401):
        returned_home(app, person, make_nik("657104", BIRTH, Sex.FEMALE, serial))
    first, second = people
    fy2018 = app.money.commit_funds(
        fiscal_year=2018,
        source=FundingSource.APBN,
        budget_line="DIPA-027.04.1.2018 akun 573111",
        funder="Kementerian Sosial RI",
        amount=2 * (UEP + TRANSPORT),
        provenance=by(SUPERVISOR, date(2018, 12, 3), "dipa"),
    ).aggregate_id
    decree_id = decree(app, "DEMO/SK/2018/117", people, date(2018, 12, 17))
    aid = [entitlement_id(p, *line) for p in people for line in (CAPITAL, FARE)]
    app.money.allocate_funds(
        fy2018, entitlement_ids=aid, provenance=by(SUPERVISOR, date(2018, 12, 18))
    )
    app.money.close_fiscal_year(
        fy2018, provenance=by(SUPERVISOR, date(2018, 12, 31), reason="Funds diverted")
    )
    fy2019 = commit_2019(
        app, amount=20_000_000, rebudgeted_from=fy2018, budget_line="DIPA-027.04.1.2019 LU"
    )
    app.money.allocate_funds(
        fy2019, entitlement_ids=aid, provenance=by(SUPERVISOR, date(2019, 2, 11))
    )
    app.money.amend_decree(
        decree_id,
        amendment_number="DEMO/SK/2019/031",
        changed=[(LineKey(second, *CAPITAL), UEP - 500_000)],
        removed=[LineKey(second, *FARE)],
        provenance=by(SUPERVISOR, date(2019, 5, 6), "decree"),
    )
    compensation = app.money.issue_decree(
        authority=AUTHORITY,
        number="DEMO/SK/2019/GR-1",
        legal_basis="Putusan PN Tarakan (demo)",
        payment_type=PaymentType.COMPENSATION,
        lines=[NewDecreeLine(AidComponent.COMPENSATION, 10_000_000, payee_name="Contoh Pemilik")],
        court_decision=DocumentRef("court_decision", "DEMO/PN/1", date(2019, 3, 1), "PN Tarakan"),
        provenance=by(SUPERVISOR, date(2019, 3, 4), "decree"),
    ).aggregate_id
    payee_line = app.decree(compensation).lines
    (owed_to_owner,) = payee_line
    app.money.allocate_funds(
        fy2019, entitlement_ids=[owed_to_owner], provenance=by(SUPERVISOR, date(2019, 3, 5))
    )
    for n, person in enumerate(people):
        record_account(app, person, f"53012345678{n:05d}")
    unclaimed = entitlement_id(first, *FARE)
    paid = [e for e in aid if e != entitlement_id(second, *FARE)]
    paid_batch(app, "LU-2019-01", paid, date(2019, 8, 1))
    # Payee accounts are not recorded, so compensation goes through the post office.
    paid_batch(
        app, "LU-2019-PO", [owed_to_owner], date(2019, 8, 1), channel=PaymentChannel.POST_OFFICE
    )
    app.money.mark_unclaimed(unclaimed, provenance=by(SUPERVISOR, date(2019, 11, 29)))
    app.money.return_funds(
        unclaimed,
        treasury_reference="NTPN DEMO0A1B2C3D4E5F",
        provenance=by(SUPERVISOR, date(2019, 12, 10), "bukti_setor"),
    )
    return MoneyStory(site_id, people, fy2018, fy2019, owed_to_owner, unclaimed)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
