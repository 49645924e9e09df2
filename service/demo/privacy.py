"""The demo's data-protection records: what the data-protection officer's workspace holds at the
demo's last business day, so that each register shows a record in every state it has.

- the identity minimum's retention set on the province's archive schedule (a decree);
- three subject requests: an access request answered in time, a correction whose 3x24 hours
  ran out unanswered, and a restriction request still within its clock;
- an erasure request, carried out: the case file of one Lingkas Ujung woman erased and her
  identity minimum kept, restricted, as payment evidence;
- a breach handled from discovery to closure: a printed list left behind at a training
  venue, the women and the agency told within 3x24 hours.

Everything is recorded through the application's commands, as the officer and the supervisors
would, and dated by the end of June 2020 (the demo's last business day).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from domain.access import DataCategory
from domain.beneficiary import Beneficiary
from domain.privacy.categories import RetentionCategory
from domain.recording import DocumentRef, Provenance
from service.commands.application import ProgrammeApplication

WITA = timezone(timedelta(hours=8), "WITA")
OFFICE = "Dinsosnakertrans Provinsi Kalimantan Utara"
# The cases the records concern: Lingkas Ujung women whose story ended in 2019.
ERASED_CASE = "TRK-LU-0011"
ACCESS_CASE = "TRK-LU-0012"
CORRECTION_CASE = "TRK-LU-0013"
RESTRICTION_CASE = "TRK-LU-0014"
BREACH_CASES = ("TRK-LU-0016", "TRK-LU-0017")

Provenancer = Callable[..., Provenance]
Documenter = Callable[[str, str, date, str], DocumentRef]


class DemoPrivacy:
    """The data-protection records of the demo, recorded after its programme story."""

    def __init__(self, app: ProgrammeApplication, p: Provenancer, doc: Documenter) -> None:
        self.app = app
        self._p = p
        self._doc = doc

    def run(self) -> None:
        """Record every register's demo records, oldest first."""
        self._retention()
        self._breach()
        self._erasure()
        self._requests()

    def case(self, number: str) -> UUID:
        return Beneficiary.create_id(number)

    def _memo(self, number: str, on: date) -> DocumentRef:
        return self._doc("nota_dinas", number, on, OFFICE)

    def _letter(self, number: str, on: date, issuer: str = OFFICE) -> DocumentRef:
        return self._doc("surat", number, on, issuer)

    def _retention(self) -> None:
        on = date(2020, 1, 15)
        self.app.retention.set_retention_period(
            category=RetentionCategory.IDENTITY_MINIMUM,
            years=10,
            provenance=self._p(
                "supervisor",
                on,
                self._doc("decree", "188.4/JRA/2020", on, "Gubernur Kalimantan Utara"),
                "Jadwal retensi arsip keuangan provinsi",
            ),
        )

    def _breach(self) -> None:
        found = datetime(2020, 5, 11, 9, 0, tzinfo=WITA)
        women = [self.case(number) for number in BREACH_CASES]
        breach = self.app.breaches.record_suspected_breach(
            number="KDP-DEMO-001",
            discovered_at=found,
            happened_from=date(2020, 5, 9),
            happened_to=date(2020, 5, 11),
            channel="lost_papers",
            categories=[DataCategory.IDENTITY],
            beneficiary_ids=women,
            description="Daftar hadir pelatihan berisi nama dan nomor kasus tertinggal di "
            "ruang pertemuan hotel",
            provenance=self._p("dpo", found.date(), self._memo("KDP/001/V/2020", found.date())),
        ).aggregate_id
        confirmed_on = date(2020, 5, 11)
        self.app.breaches.confirm_breach(
            breach,
            provenance=self._p("dpo", confirmed_on, self._memo("KDP/002/V/2020", confirmed_on)),
        )
        self.app.breaches.record_remediation(
            breach,
            summary="Daftar ditemukan dan diamankan; daftar hadir kini memakai nomor kasus saja",
            provenance=self._p("dpo", confirmed_on, self._memo("KDP/003/V/2020", confirmed_on)),
        )
        sent = datetime(2020, 5, 12, 14, 0, tzinfo=WITA)
        self.app.breaches.record_notice_sent(
            breach,
            recipient="subject",
            channel="in_person",
            sent_at=sent,
            beneficiary_ids=women,
            provenance=self._p("dpo", sent.date(), self._letter("KDP/004/V/2020", sent.date())),
        )
        self.app.breaches.record_notice_sent(
            breach,
            recipient="agency",
            channel="letter",
            sent_at=sent,
            provenance=self._p("dpo", sent.date(), self._letter("KDP/005/V/2020", sent.date())),
        )
        closed_on = date(2020, 5, 20)
        self.app.breaches.close_breach(
            breach,
            provenance=self._p(
                "dpo", closed_on, self._doc("laporan", "KDP/006/V/2020", closed_on, OFFICE)
            ),
        )

    def _erasure(self) -> None:
        # After her case was closed as settled, on the demo's last business days.
        received = datetime(2020, 6, 29, 10, 0, tzinfo=WITA)
        erasure = self.app.erasures.record_request(
            beneficiary_id=self.case(ERASED_CASE),
            received_at=received,
            provenance=self._p(
                "dpo",
                received.date(),
                self._letter("PDP/HAPUS/2020/01", received.date(), "Pemohon"),
                "Meminta berkas kasusnya dihapus",
            ),
        ).aggregate_id
        decided = date(2020, 6, 30)
        self.app.erasures.approve(
            erasure,
            provenance=self._p(
                "supervisor", decided, self._memo("PDP/KEP/2020/01", decided), "Permintaan sah"
            ),
        )

    def _requests(self) -> None:
        answered = self._request(
            "PDP-DEMO-001",
            "access_copy",
            datetime(2020, 6, 22, 10, 0, tzinfo=WITA),
            ACCESS_CASE,
            "Meminta salinan data pribadinya",
        )
        on = date(2020, 6, 24)
        self.app.subject_requests.grant_subject_request(
            answered,
            done="Salinan data pribadi diserahkan langsung kepada yang bersangkutan",
            provenance=self._p("dpo", on, self._letter("PDP/JWB/2020/01", on)),
        )
        # Ran out at the demo's last business day (due 29 June 2020, 09.00 WITA).
        self._request(
            "PDP-DEMO-002",
            "correction",
            datetime(2020, 6, 26, 9, 0, tzinfo=WITA),
            CORRECTION_CASE,
            "Meminta perbaikan tanggal lahir",
        )
        # Still within its clock (due 2 July 2020, 14.00 WITA).
        self._request(
            "PDP-DEMO-003",
            "restriction",
            datetime(2020, 6, 29, 14, 0, tzinfo=WITA),
            RESTRICTION_CASE,
            "Meminta pemrosesan datanya dibatasi",
        )

    def _request(
        self, number: str, kind: str, received: datetime, case_number: str, summary: str
    ) -> UUID:
        return self.app.subject_requests.record_subject_request(
            number=number,
            kind=kind,
            received_at=received,
            channel="in_person",
            requester="subject",
            verification_method="ktp_in_person",
            verification_result="verified",
            beneficiary_id=self.case(case_number),
            summary=summary,
            provenance=self._p("dpo", received.date()),
        ).aggregate_id
