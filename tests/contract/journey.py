"""A complete case through the application, for the contract tests on both stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.beneficiary import IdentityEvidence, ReintegrationPath
from domain.identity import Sex, make_nik
from domain.recording import Actor, DocumentRef, Provenance, RegionRef, Role
from service.application import ProgrammeApplication

OPERATOR = Actor("opi", Role.OPERATOR, "Dinas Sosial Kota Tarakan")
SUPERVISOR = Actor("sup", Role.SUPERVISOR, "Dinsosnakertrans Provinsi Kalimantan Utara")
KELURAHAN = RegionRef("kemendagri", "65.71.04.1002")
HOME = RegionRef("kemendagri", "35.78.06.1004")
NAME = "Zulaikha Contohwati Uniquename"
BIRTH = date(1991, 7, 9)
NIK = make_nik("657104", BIRTH, Sex.FEMALE, 9123)


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


def closed_site(app: ProgrammeApplication, code: str = "TRK-JP") -> UUID:
    """A site registered, socialised, decreed and closed on the real Tarakan dates."""
    site_id = app.register_site(
        code=code,
        name="Juata Permai",
        aliases=["Juwata Permai"],
        kelurahan=KELURAHAN,
        headcount_at_pendataan=70,
        provenance=by(OPERATOR, date(2016, 3, 20)),
    ).aggregate_id
    app.hold_sosialisasi(
        site_id,
        venue="Balai",
        attendance=40,
        facilitators=["Dinsos"],
        provenance=by(OPERATOR, date(2017, 8, 10), "notulen"),
    )
    app.decree_closure(
        site_id,
        decree_number="DEMO/SK/1",
        signing_authority="Wali Kota",
        provenance=by(SUPERVISOR, date(2018, 12, 20), "decree"),
    )
    app.close_site(
        site_id,
        declared_headcount=62,
        funds_in_place=False,
        provenance=by(OPERATOR, date(2018, 12, 28), "berita_acara"),
    )
    return site_id


def run_journey(app: ProgrammeApplication) -> Journey:
    """One person from pendataan to a paid, reversed and re-paid grant; two others registered."""
    site_id = closed_site(app)
    from service.application import NewBeneficiary

    results = app.register_roster(
        site_id,
        [
            NewBeneficiary("TRK-JP-0001", NAME, "+62 811 5555 0001"),
            NewBeneficiary("TRK-JP-0002", "Contoh Dua"),
            NewBeneficiary("TRK-JP-0003", "Contoh Tiga"),
        ],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )
    bid = results[0].aggregate_id
    app.verify_identity(
        bid,
        evidence=IdentityEvidence(NIK, BIRTH, Sex.FEMALE),
        provenance=by(OPERATOR, date(2018, 11, 20), "ktp_copy"),
    )
    app.assess(
        bid,
        home_region=HOME,
        path=ReintegrationPath.RETURN_HOME,
        notes="Wants to open a tailoring stall",
        provenance=by(OPERATOR, date(2019, 1, 11), "surat_domisili"),
    )
    app.send_to_training(bid, facility_id="KTM-PSKW-HM", provenance=by(OPERATOR, date(2019, 2, 11)))
    app.complete_training(
        bid, skill="menjahit", provenance=by(OPERATOR, date(2019, 6, 28), "sertifikat")
    )
    app.confirm_return_home(
        bid, confirming_kelurahan=HOME, provenance=by(OPERATOR, date(2019, 7, 10), "surat_tiba")
    )
    return Journey(site_id, bid, [r.aggregate_id for r in results[1:]])
