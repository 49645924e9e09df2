"""The Kaltara demo: the real 2016-2019 timeline of the three sites, with synthetic people.

Sites, dates and headcounts follow the public record (domain research §0-§1): pendataan in 2016
counted 39 / 70 / 18 women at Nunukan Tengah, Juata Permai and Lingkas Ujung; the two Tarakan
sites closed on 28 Dec 2018 and Nunukan on 10 Jan 2019 with 27 remaining, both before the aid
money arrived; grants of Rp 5.500.000 were paid in 2019, and the third quarter's figures were
reported to the Ministry of Social Affairs in October. Every person is fictitious: names
start with "Contoh" (example), and NIKs use the reserved synthetic serial range 9000-9999.
Document numbers start with DEMO/. The run is deterministic.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.assignments import AuditAssignment
from domain.beneficiary import ExclusionReason, IdentityEvidence, ReintegrationPath
from domain.identity import SYNTHETIC_NIK_SERIALS, Sex, make_nik
from domain.published_report import Period, ReportKind
from domain.recording import Actor, DocumentRef, Provenance, RegionRef, Role
from domain.site import FundingStatus, InspectionOutcome, Site
from domain.units import UnitInfo, UnitKind
from service.commands.application import ProgrammeApplication
from service.commands.beneficiaries import NewBeneficiary
from service.demo.corrections import correct_site_records, recorded_name, recorded_sosialisasi
from service.demo.money import DIRECTOR, KEMENSOS, DemoMoney, Journey
from service.demo.privacy import DemoPrivacy
from service.security.accounts import AccountExists, Accounts

KEMENDAGRI = "kemendagri"
FIRST_NAMES = (
    "Ani",
    "Dewi",
    "Sri",
    "Wati",
    "Yanti",
    "Rina",
    "Lina",
    "Tini",
    "Nur",
    "Susi",
    "Mega",
    "Ratna",
    "Indah",
    "Fitri",
    "Ayu",
    "Eka",
    "Maya",
    "Rini",
    "Desi",
    "Yuli",
)


@dataclass(frozen=True)
class DemoUser:
    """A demo account and the password printed for it."""

    username: str
    password: str
    role: Role
    org_unit: str
    display_name: str


# The offices the programme ran under, set up before it began: the ministry and the province
# oversee everything; the two Dinas Sosial their own kabupaten and kota; the training centre in
# Samarinda the women while they train there; the audit body nothing by itself (ADR 0044).
UNITS_SET_UP_ON = date(2016, 1, 4)
DEMO_UNITS = (
    UnitInfo(
        "KEMENSOS",
        "Direktorat Rehabilitasi Sosial Tuna Sosial, Kementerian Sosial",
        UnitKind.MINISTRY,
        "",
    ),
    UnitInfo(
        "DINSOS-KALTARA",
        "Dinsosnakertrans Provinsi Kalimantan Utara",
        UnitKind.PROVINCE,
        "65",
    ),
    UnitInfo("DINSOS-TARAKAN", "Dinas Sosial Kota Tarakan", UnitKind.REGENCY, "65.71"),
    UnitInfo(
        "DINSOS-NUNUKAN",
        "Dinas Sosial Kabupaten Nunukan",
        UnitKind.REGENCY,
        "65.03",
        ("NNK-LOCAL",),
    ),
    UnitInfo(
        "PSKW-SAMARINDA",
        "UPTD PSKW Harapan Mulia Samarinda",
        UnitKind.TRAINING_CENTRE,
        "64.72",
        ("KTM-PSKW-HM",),
    ),
    UnitInfo("BPK-KALTARA", "BPK Perwakilan Kalimantan Utara", UnitKind.AUDIT_BODY, "65"),
)

DEMO_USERS = (
    DemoUser(
        "operator",
        "operator-kaltara-2016",
        Role.OPERATOR,
        "DINSOS-TARAKAN",
        "Operator Dinsos Tarakan (demo)",
    ),
    DemoUser(
        "operator.nunukan",
        "operator-nunukan-2016",
        Role.OPERATOR,
        "DINSOS-NUNUKAN",
        "Operator Dinsos Nunukan (demo)",
    ),
    DemoUser(
        "operator.pskw",
        "operator-pskw-2016",
        Role.OPERATOR,
        "PSKW-SAMARINDA",
        "Operator UPTD PSKW Harapan Mulia (demo)",
    ),
    DemoUser(
        "supervisor",
        "supervisor-kaltara-2016",
        Role.SUPERVISOR,
        "DINSOS-KALTARA",
        "Kepala Bidang Rehsos (demo)",
    ),
    DemoUser(
        "supervisor.kemensos",
        "supervisor-kemensos-2019",
        Role.SUPERVISOR,
        "KEMENSOS",
        "Pejabat Pembuat Komitmen (demo)",
    ),
    DemoUser(
        "auditor",
        "auditor-kaltara-2016",
        Role.AUDITOR,
        "BPK-KALTARA",
        "Pemeriksa BPK (demo)",
    ),
    DemoUser(
        "admin",
        "admin-kaltara-2016",
        Role.ADMIN,
        "DINSOS-KALTARA",
        "Administrator (demo)",
    ),
    DemoUser(
        "dpo",
        "dpo-kaltara-2016",
        Role.DPO,
        "DINSOS-KALTARA",
        "Pejabat Pelindungan Data Pribadi (demo)",
    ),
)
# The examiner's surat tugas: the whole programme, from its first payments until past today.
AUDIT_LETTER = DocumentRef(
    "surat", "DEMO/ST/45/BPK-KALTARA/2018", date(2018, 12, 27), "BPK Perwakilan Kalimantan Utara"
)
AUDIT_DAYS = (date(2019, 1, 1), date(2027, 12, 31))


@dataclass(frozen=True)
class DemoSite:
    """One site as the public record describes it, plus the synthetic attrition."""

    code: str
    name: str
    aliases: tuple[str, ...]
    kelurahan: str
    nik_prefixes: tuple[str, ...]
    headcount: int
    pendataan_on: date
    sosialisasi: tuple[date, ...]
    decreed_on: date
    authority: str
    closed_on: date
    declared_at_closure: int
    left_before_verification: int
    operator: str
    facility_id: str


SITES = (
    DemoSite(
        "NNK-NT",
        "Nunukan Tengah (Jl. Persemaian)",
        ("Lokalisasi Nunukan",),
        "65.03.02.1005",
        ("650302", "650302", "357806", "330101"),
        39,
        date(2016, 3, 15),
        (date(2017, 4, 20), date(2018, 12, 12)),
        date(2019, 1, 7),
        "Bupati Nunukan",
        date(2019, 1, 10),
        27,
        12,
        "operator.nunukan",
        "NNK-LOCAL",
    ),
    DemoSite(
        "TRK-JP",
        "Juata Permai (Sungai Bengawan)",
        ("Juwata Permai", "Sungai Bengawan"),
        "65.71.04.1002",
        ("657104", "657101", "357806", "357817", "330101"),
        70,
        date(2016, 3, 20),
        (date(2017, 8, 10), date(2018, 11, 15)),
        date(2018, 12, 20),
        "Wali Kota Tarakan",
        date(2018, 12, 28),
        62,
        8,
        "operator",
        "KTM-PSKW-HM",
    ),
    DemoSite(
        "TRK-LU",
        "Lingkas Ujung",
        ("Karang Agas", "Gunung Lingkas"),
        "65.71.03.1001",
        ("657103", "657102", "357807"),
        18,
        date(2016, 3, 22),
        (date(2017, 8, 11), date(2018, 11, 16)),
        date(2018, 12, 20),
        "Wali Kota Tarakan",
        date(2018, 12, 28),
        15,
        3,
        "operator",
        "KTM-PSKW-HM",
    ),
)


# The account of the training centre in Samarinda, where Tarakan's women train.
# The story's last business day: the supervisor closes the settled cases (money.py). A test
# checks that no event of the demo is dated later; `jejak serve --demo` shows the demo as at
# this day (ADR 0050).
DEMO_LAST_BUSINESS_DAY = date(2020, 6, 30)
TRAINING_CENTRE = "PSKW-SAMARINDA"
TRAINING_CENTRE_OPERATOR = "operator.pskw"


class DemoAlreadyLoaded(RuntimeError):
    """Raised when the demo's sites already exist in the store."""


@dataclass
class DemoReport:
    """What the demo created."""

    sites: int = 0
    beneficiaries: int = 0
    commands: int = 0


class _Demo:
    def __init__(self, app: ProgrammeApplication, progress: Callable[[int], None]) -> None:
        self.app = app
        self.rng = random.Random(2016)  # noqa: S311 (a reproducible demo, not secrecy)
        self.report = DemoReport()
        self.progress = progress
        self.serials = iter(SYNTHETIC_NIK_SERIALS)
        users = {u.username: u for u in DEMO_USERS}
        self.actors = {name: Actor(u.username, u.role, u.org_unit) for name, u in users.items()}
        # Plaintext names stay in this process only: the demo records bank accounts in them.
        self.names: dict[UUID, str] = {}

    def _p(
        self, who: str, on: date, document: DocumentRef | None = None, reason: str | None = None
    ) -> Provenance:
        self.report.commands += 1
        self.progress(1)
        return Provenance(self.actors[who], on, document, reason)

    @staticmethod
    def _doc(kind: str, number: str, on: date, issuer: str) -> DocumentRef:
        return DocumentRef(kind, f"DEMO/{number}", on, issuer)

    def run(self) -> DemoReport:
        verified = {site.code: self._site(site) for site in SITES}
        correct_site_records(
            self.app,
            self._p,
            self._doc,
            {s.code: s.name for s in SITES},
            {s.code: s.sosialisasi for s in SITES},
        )
        money = DemoMoney(self.app, self._p, self._doc, self.names)
        money.decree_and_lapse_2018([bid for site in SITES for bid in verified[site.code]])
        journeys = [self._journey(site, verified[site.code]) for site in SITES]
        unclaimed = money.pay_2019(journeys)
        self._report_third_quarter()
        money.settle_2019(journeys, unclaimed)
        DemoPrivacy(self.app, self._p, self._doc).run()
        return self.report

    def _report_third_quarter(self) -> None:
        """The province sends the ministry the third quarter of 2019, when the grants were
        paid: returns home, local stays and the rupiah credited (ADR 0021)."""
        sent_on = date(2019, 10, 7)
        self.app.reports.publish(
            kind=ReportKind.PROGRAMME_FIGURES,
            period=Period.quarter(2019, 3),
            addressee=f"{DIRECTOR}, {KEMENSOS}",
            provenance=self._p(
                "supervisor",
                sent_on,
                self._doc(
                    "surat_pengantar",
                    "400/REHSOS/X/2019",
                    sent_on,
                    "Dinsosnakertrans Provinsi Kalimantan Utara",
                ),
            ),
        )

    def _site(self, s: DemoSite) -> list[UUID]:
        app, op = self.app, s.operator
        site_id = app.sites.register_site(
            code=s.code,
            name=recorded_name(s.code, s.name),
            aliases=s.aliases,
            kelurahan=RegionRef(KEMENDAGRI, s.kelurahan),
            headcount_at_pendataan=s.headcount,
            provenance=self._p(
                op,
                s.pendataan_on,
                self._doc(
                    "daftar_pendataan",
                    f"{s.code}/PENDATAAN/2016",
                    s.pendataan_on,
                    "Dinsosnakertrans Provinsi Kalimantan Utara",
                ),
            ),
        ).aggregate_id
        self.report.sites += 1
        roster = [
            NewBeneficiary(
                f"{s.code}-{n:04d}", f"Contoh {self.rng.choice(FIRST_NAMES)} {s.code[-2:]}{n:02d}"
            )
            for n in range(1, s.headcount + 1)
        ]
        people = [
            r.aggregate_id
            for r in app.beneficiaries.register_roster(
                site_id, roster, provenance=self._p(op, s.pendataan_on)
            )
        ]
        self.names.update(zip(people, (r.name for r in roster), strict=True))
        self.report.beneficiaries += len(people)
        for i, on in enumerate(s.sosialisasi, start=1):
            app.sites.hold_sosialisasi(
                site_id,
                venue=f"Balai pertemuan {s.name}",
                attendance=self.rng.randint(s.headcount // 2, s.headcount),
                facilitators=("Dinas Sosial", "Tokoh agama", "Satpol PP"),
                provenance=self._p(
                    op,
                    recorded_sosialisasi(s.code, i, on),
                    self._doc("notulen", f"{s.code}/SOS/{i}", on, "Dinas Sosial"),
                ),
            )
        verify_on = s.sosialisasi[-1] + timedelta(days=3)
        staying = self._verify(s, people, verify_on)
        app.sites.decree_closure(
            site_id,
            decree_number=f"DEMO/SK/{s.code}/{s.decreed_on.year}",
            signing_authority=s.authority,
            provenance=self._p(
                "supervisor",
                s.decreed_on,
                self._doc("decree", f"SK/{s.code}", s.decreed_on, s.authority),
            ),
        )
        app.sites.close_site(
            site_id,
            declared_headcount=s.declared_at_closure,
            funding_status=FundingStatus.NOT_IN_PLACE,
            provenance=self._p(
                op,
                s.closed_on,
                self._doc("berita_acara", f"BA/{s.code}/PENUTUPAN", s.closed_on, s.authority),
                reason="Closed before the Kemensos aid allocation arrived",
            ),
        )
        app.sites.record_inspection(
            site_id,
            outcome=InspectionOutcome.QUIET,
            provenance=self._p(op, s.closed_on + timedelta(days=21)),
        )
        app.sites.record_inspection(
            site_id,
            outcome=InspectionOutcome.ACTIVITY_FOUND
            if s.code == "TRK-JP"
            else InspectionOutcome.QUIET,
            provenance=self._p(op, s.closed_on + timedelta(days=110)),
        )
        return staying

    def _verify(self, s: DemoSite, people: list[UUID], on: date) -> list[UUID]:
        app, op = self.app, s.operator
        left = people[-s.left_before_verification :]
        for bid in left:
            app.beneficiaries.exclude(
                bid,
                exclusion=ExclusionReason.LEFT_SITE,
                provenance=self._p(op, on, reason="Left the site before verification"),
            )
        remaining = people[: -s.left_before_verification]
        staying = []
        for n, bid in enumerate(remaining):
            if s.code == "TRK-JP" and n == 0:
                app.beneficiaries.refer_to_child_protection(
                    bid,
                    birth_date=date(1999, 9, 14),
                    provenance=self._p(
                        op, on, reason="Under 18 at pendataan; referred to UPTD PPA"
                    ),
                )
                continue
            if s.code == "TRK-JP" and n == 1:
                app.beneficiaries.exclude(
                    bid,
                    exclusion=ExclusionReason.NOT_A_WORKER,
                    provenance=self._p(
                        op, on, reason="Assessment found she worked in a warung, not the complex"
                    ),
                )
                continue
            born = date(
                self.rng.randint(1975, 1996), self.rng.randint(1, 12), self.rng.randint(1, 28)
            )
            prefix = self.rng.choice(s.nik_prefixes)
            nik = make_nik(prefix, born, Sex.FEMALE, next(self.serials))
            app.beneficiaries.verify_identity(
                bid,
                evidence=IdentityEvidence(nik=nik, birth_date=born, sex=Sex.FEMALE),
                provenance=self._p(
                    op,
                    on,
                    self._doc("ktp", f"KTP/{app.beneficiary(bid).case_number}", on, "Dukcapil"),
                ),
            )
            staying.append(bid)
        return staying

    def _journey(self, s: DemoSite, people: list[UUID]) -> Journey:
        app, op = self.app, s.operator
        tarakan = s.code.startswith("TRK")
        assessed_on = s.closed_on + timedelta(days=14)
        for n, bid in enumerate(people):
            home = RegionRef(KEMENDAGRI, "35.78.06.1004" if n % 3 else s.kelurahan)
            app.beneficiaries.assess(
                bid,
                home_region=home,
                path=ReintegrationPath.RETURN_HOME if n % 3 else ReintegrationPath.STAY_LOCAL,
                notes="Needs sewing skills; has a child",
                provenance=self._p(
                    op,
                    assessed_on,
                    self._doc(
                        "surat_keterangan",
                        f"DOM/{s.code}/{n}",
                        assessed_on,
                        "Kelurahan asal",
                    ),
                ),
            )
        if s.code == "TRK-JP":
            app.beneficiaries.withdraw(
                people[0],
                provenance=self._p(
                    op, assessed_on + timedelta(days=5), reason="Declined training and aid"
                ),
            )
            people = people[1:]
        departed = assessed_on + timedelta(days=28 if tarakan else 35)
        # Tarakan's women train at the centre in Samarinda, which accepts each case the day
        # after she arrives and keeps it until she leaves (ADR 0044); Nunukan trains its own.
        # A store loaded without the demo's units is one office: no hand-over to accept.
        centre_in_system = app.units.established(TRAINING_CENTRE)
        trainer = TRAINING_CENTRE_OPERATOR if tarakan and centre_in_system else op
        for bid in people:
            app.beneficiaries.send_to_training(
                bid, facility_id=s.facility_id, provenance=self._p(op, departed)
            )
            if trainer != op:
                app.beneficiaries.accept_hand_over(
                    bid, provenance=self._p(trainer, departed + timedelta(days=1))
                )
        if s.code == "TRK-LU":
            app.beneficiaries.record_death(
                people[0],
                provenance=self._p(
                    trainer,
                    date(2019, 4, 2),
                    self._doc("surat_kematian", "KEMATIAN/1", date(2019, 4, 3), "Kelurahan"),
                ),
            )
            people = people[1:]
        dropouts = people[:3] if s.code == "TRK-JP" else people[:1]
        for bid in dropouts:
            app.beneficiaries.drop_out(
                bid,
                provenance=self._p(
                    trainer, date(2019, 4, 15), reason="Left the facility to care for family"
                ),
            )
        finished = people[len(dropouts) :]
        completed_on = date(2019, 6, 28) if tarakan else date(2019, 6, 20)
        for bid in finished:
            app.beneficiaries.complete_training(
                bid,
                skill=self.rng.choice(("menjahit", "tata boga", "salon")),
                provenance=self._p(
                    trainer,
                    completed_on,
                    self._doc("sertifikat", "SERT/2019", completed_on, "UPTD PSKW"),
                ),
            )
        for n, bid in enumerate(dropouts + finished):
            back = completed_on + timedelta(days=10 + n % 12)
            if tarakan and n % 4:
                app.beneficiaries.confirm_return_home(
                    bid,
                    confirming_kelurahan=RegionRef(KEMENDAGRI, "35.78.06.1004"),
                    provenance=self._p(
                        trainer,
                        back,
                        self._doc("surat_tiba", f"TIBA/{n}", back, "Kelurahan Putat Jaya"),
                    ),
                )
            else:
                app.beneficiaries.stay_locally(
                    bid,
                    provenance=self._p(
                        trainer,
                        back,
                        self._doc("surat_pernyataan", f"PERNYATAAN/{n}", back, "Dinas Sosial"),
                    ),
                )
                if trainer != op:
                    # Back in Tarakan: its Dinas Sosial takes her case over again.
                    app.beneficiaries.accept_hand_over(
                        bid, provenance=self._p(op, back + timedelta(days=1))
                    )
        return Journey(site_code=s.code, finished=finished, dropouts=dropouts)


def ensure_demo_users(accounts: Accounts, app: ProgrammeApplication) -> list[DemoUser]:
    """Set up the demo's units, the accounts that do not exist yet and the examiner's
    assignment, recorded as the administrator's grants of January 2016; returns the users."""
    admin = next(u for u in DEMO_USERS if u.role is Role.ADMIN)
    by_admin = Actor(admin.username, admin.role, admin.org_unit)
    set_up = Provenance(by_admin, UNITS_SET_UP_ON, reason="Demo: the programme's offices")
    for unit in DEMO_UNITS:
        if not app.units.established(unit.code):
            app.units.establish_unit(unit, provenance=set_up)
    for user in DEMO_USERS:
        with contextlib.suppress(AccountExists):
            accounts.create(
                user.username,
                user.password,
                user.role,
                user.org_unit,
                user.display_name,
                provenance=set_up,
            )
    auditor = next(u for u in DEMO_USERS if u.role is Role.AUDITOR)
    if not app.exists(AuditAssignment.create_id(auditor.username, AUDIT_LETTER.number)):
        app.assignments.give(
            auditor.username,
            whole_programme=True,
            valid_from=AUDIT_DAYS[0],
            valid_until=AUDIT_DAYS[1],
            provenance=Provenance(by_admin, AUDIT_LETTER.issued_on, AUDIT_LETTER),
        )
    return list(DEMO_USERS)


def demo_loaded(app: ProgrammeApplication) -> bool:
    """True when the demo's first site is already in the store."""
    try:
        app.repository.get(Site.create_id(SITES[0].code))
    except Exception:
        return False
    return True


def load_demo(
    app: ProgrammeApplication, progress: Callable[[int], None] = lambda _: None
) -> DemoReport:
    """Load the Kaltara scenario through the application's own commands."""
    if demo_loaded(app):
        raise DemoAlreadyLoaded("the Kaltara demo is already loaded in this store")
    return _Demo(app, progress).run()


def demo_command_count() -> int:
    """Roughly how many commands the demo issues (for progress bars)."""
    return sum(s.headcount for s in SITES) * 9
