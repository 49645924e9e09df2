"""The Kaltara demo's money: the 2018 allocation that never came, and the 2019 payments.

The public record (domain research §0, §3.2): the sites closed in Dec 2018 before the aid
arrived; the Kemensos money of Dec 2018 went to the Central Sulawesi earthquake relief, so the
women waited for fiscal year 2019, when Rp 5.500.000 per person was paid "langsung ke
rekening". Here the 2018 allocation lapses at the year's close and is re-budgeted from the 2019
DIPA with the link kept; one transfer fails and is re-ordered to a new account; one transport
allowance is never claimed and goes back to the treasury. Components follow the 2018-19
pattern (business capital, living allowance in two tranches, transport); the split is made up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.decree import AidComponent, Decree, PaymentType, entitlement_id
from domain.funding import FundingSource
from domain.recording import DocumentRef, Provenance
from service.application import ProgrammeApplication
from service.bankfiles import ResultLine, render_result_file
from service.ledger import LineKey, NewDecreeLine

COMPONENTS = (
    (AidComponent.UEP, 1, 3_000_000),
    (AidComponent.JADUP, 1, 1_125_000),
    (AidComponent.JADUP, 2, 1_125_000),
    (AidComponent.TRANSPORT, 1, 250_000),
)
PER_PERSON = sum(amount for _, _, amount in COMPONENTS)  # Rp 5.500.000
KEMENSOS = "Kementerian Sosial RI"
DIRECTOR = "Direktur Rehabilitasi Sosial Tuna Sosial dan Korban Perdagangan Orang"
BANK = "Bank Kaltimtara"
BANK_CODE = "124"
DECREE_2018 = "DEMO/SK/REHSOS/2018/117"
LINE_2018 = "DIPA-027.04.1.2018 akun 573111"
LINE_2019 = "DIPA-027.04.1.2019 akun 573111"

ProvenanceFor = Callable[..., Provenance]
DocumentFor = Callable[[str, str, date, str], DocumentRef]


@dataclass(frozen=True)
class Journey:
    """Who at a site finished training and who dropped out (both are owed aid)."""

    site_code: str
    finished: list[UUID]
    dropouts: list[UUID]

    @property
    def people(self) -> list[UUID]:
        """Everyone at the site still owed aid."""
        return [*self.dropouts, *self.finished]


class DemoMoney:
    """Runs the money part of the scenario through the ledger's own commands."""

    def __init__(
        self,
        app: ProgrammeApplication,
        provenance: ProvenanceFor,
        document: DocumentFor,
        names: dict[UUID, str],
    ) -> None:
        self.app = app
        self._p = provenance
        self._doc = document
        self.names = names
        self.fy2018: UUID | None = None

    # --- 2018: decreed, allocated, diverted -----------------------------------------------

    def decree_and_lapse_2018(self, people: Sequence[UUID]) -> None:
        """The 2018 DIPA, the recipients' decree, the allocation, and its lapse at year end."""
        app = self.app
        dipa_on = date(2018, 12, 3)
        self.fy2018 = app.commit_funds(
            fiscal_year=2018,
            source=FundingSource.APBN,
            budget_line=LINE_2018,
            funder=KEMENSOS,
            amount=len(people) * PER_PERSON,
            provenance=self._p(
                "supervisor.kemensos",
                dipa_on,
                self._doc("DIPA", "DIPA-027/2018-REV3", dipa_on, "Kementerian Keuangan"),
            ),
        ).aggregate_id
        decreed_on = date(2018, 12, 17)
        app.issue_decree(
            authority=DIRECTOR,
            number=DECREE_2018,
            legal_basis="Permensos tentang penyaluran bantuan sosial rehabilitasi sosial (demo)",
            payment_type=PaymentType.BENEFICIARY_AID,
            lines=[
                NewDecreeLine(component, amount, tranche, beneficiary_id=person)
                for person in people
                for component, tranche, amount in COMPONENTS
            ],
            provenance=self._p(
                "supervisor.kemensos",
                decreed_on,
                self._doc("SK penerima bantuan", "SK/REHSOS/2018/117", decreed_on, DIRECTOR),
            ),
        )
        app.allocate_funds(
            self.fy2018,
            entitlement_ids=[e for person in people for e in _entitlements(person)],
            provenance=self._p("supervisor.kemensos", date(2018, 12, 18)),
        )
        app.close_fiscal_year(
            self.fy2018,
            provenance=self._p(
                "supervisor.kemensos",
                date(2018, 12, 31),
                reason="Funds diverted to the Central Sulawesi earthquake relief; "
                "the women's aid waits for fiscal year 2019",
            ),
        )

    # --- 2019: re-budgeted and paid ---------------------------------------------------------

    def pay_2019(self, journeys: Sequence[Journey]) -> None:
        """Re-budget, amend for drop-outs, record accounts, batch, pay, settle, close."""
        assert self.fy2018 is not None, "the 2018 part runs first"
        app = self.app
        owed = [person for journey in journeys for person in journey.people]
        dropouts = [person for journey in journeys for person in journey.dropouts]
        fy2019 = app.commit_funds(
            fiscal_year=2019,
            source=FundingSource.APBN,
            budget_line=LINE_2019,
            funder=KEMENSOS,
            amount=len(owed) * PER_PERSON,
            rebudgeted_from=self.fy2018,
            provenance=self._p(
                "supervisor.kemensos",
                date(2019, 1, 2),
                self._doc("DIPA", "DIPA-027/2019", date(2018, 12, 5), "Kementerian Keuangan"),
            ),
        ).aggregate_id
        app.allocate_funds(
            fy2019,
            entitlement_ids=[e for person in owed for e in _entitlements(person)],
            provenance=self._p("supervisor.kemensos", date(2019, 2, 11)),
        )
        self._no_capital_for_dropouts(dropouts)
        for person in owed:
            self._record_account(person, date(2019, 7, 8), 0)
        for number, journey in enumerate(journeys, start=1):
            self._pay_site(journey, number)
        self._statement(owed)

    def _statement(self, owed: Sequence[UUID]) -> None:
        """The programme account's statement for 2019: every transfer the bank made, every
        withdrawal seen, and the unclaimed allowance coming back, so reconciliation is clean."""
        rows = ["value_date,bank_reference,amount,kind,description"]
        for person in owed:
            for e in _entitlements(person):
                entitlement = self.app.entitlement(e)
                credited_on = entitlement.credited_on
                if credited_on is None or not entitlement.bank_reference:
                    continue
                reference, amount = entitlement.bank_reference, entitlement.credited_amount
                rows.append(f"{credited_on},{reference},{amount},TRANSFER_OUT,Transfer bansos")
                if entitlement.state == "RETURNED":
                    rows.append(f"2019-12-10,{reference},{amount},RETURNED,Setor kembali")
                else:
                    withdrawn = credited_on + timedelta(days=12)
                    rows.append(f"{withdrawn},{reference},{amount},WITHDRAWAL,Tarik tunai")
        on = date(2019, 12, 31)
        self.app.import_bank_statement(
            content="\n".join(rows).encode() + b"\n",
            account_label=f"{BANK} rekening penampung bansos",
            provenance=self._p("supervisor", on, self._doc("rekening koran", "RK/2019", on, BANK)),
        )

    def _no_capital_for_dropouts(self, dropouts: Sequence[UUID]) -> None:
        amended_on = date(2019, 5, 6)
        self.app.amend_decree(
            Decree.create_id(DIRECTOR, DECREE_2018),
            amendment_number="DEMO/SK/REHSOS/2019/031",
            removed=[LineKey(person, AidComponent.UEP) for person in dropouts],
            provenance=self._p(
                "supervisor.kemensos",
                amended_on,
                self._doc("SK perubahan", "SK/REHSOS/2019/031", amended_on, DIRECTOR),
                reason="Left training early: no business capital under the programme's rules",
            ),
        )

    def _record_account(self, person: UUID, on: date, attempt: int) -> None:
        serial = int(hashlib.sha256(f"{person}:{attempt}".encode()).hexdigest()[:8], 16)
        self.app.record_bank_account(
            person,
            bank_code=BANK_CODE,
            account_number=f"00{serial % 10**10:010d}",
            holder_name=self.names[person].upper(),
            provenance=self._p(
                "supervisor", on, self._doc("buku tabungan", f"BUKU/{serial % 10**6:06d}", on, BANK)
            ),
        )

    def _pay_site(self, journey: Journey, number: int) -> None:
        app = self.app
        site = journey.site_code
        ready = [
            e
            for person in journey.people
            for e in _entitlements(person)
            if app.entitlement(e).state == "ALLOCATED"
        ]
        batch_id = self._batch(f"DEMO-2019-{number:02d}", ready, date(2019, 8, 1))
        failing = ready[0] if site == "TRK-JP" else None
        self._bank_answers(batch_id, date(2019, 8, 5), failing=failing)
        if failing is not None:
            person = app.entitlement(failing).subject_id
            self._record_account(person, date(2019, 8, 12), 1)
            retry = self._batch(f"DEMO-2019-{number:02d}R", [failing], date(2019, 8, 14))
            self._bank_answers(retry, date(2019, 8, 16), failing=None)
        unclaimed = ready[-1] if site == "NNK-NT" else None
        for n, e in enumerate(ready):
            if e == unclaimed:
                continue
            received = date(2019, 8, 20) + timedelta(days=n % 20)
            app.acknowledge_receipt(
                e,
                provenance=self._p(
                    "supervisor",
                    received,
                    self._doc("BAST", f"BAST/{site}/{n + 1:04d}", received, "Dinas Sosial"),
                ),
            )
        if unclaimed is not None:
            app.mark_unclaimed(unclaimed, provenance=self._p("supervisor", date(2019, 11, 29)))
            app.return_funds(
                unclaimed,
                treasury_reference="NTPN DEMO0A1B2C3D4E5F",
                provenance=self._p(
                    "supervisor.kemensos",
                    date(2019, 12, 10),
                    self._doc("bukti setor", "NTPN/2019/12", date(2019, 12, 10), "Kas Negara"),
                ),
            )
        for n, person in enumerate(journey.people):
            if n % 2 == 0 and app.aid_settled(app.beneficiary(person)):
                app.close_case(person, provenance=self._p("supervisor", date(2020, 6, 30)))

    def _batch(self, batch_number: str, entitlements: list[UUID], on: date) -> UUID:
        app = self.app
        batch_id = app.create_batch(
            batch_number=batch_number,
            entitlement_ids=entitlements,
            provenance=self._p("supervisor", on),
        ).aggregate_id
        app.approve_batch(batch_id, provenance=self._p("supervisor.kemensos", on))
        app.export_transfer_file(batch_id, provenance=self._p("supervisor", on))
        return batch_id

    def _bank_answers(self, batch_id: UUID, on: date, failing: UUID | None) -> None:
        """The bank's result file for the batch: every line credited but `failing`."""
        batch = self.app.batch(batch_id)
        # The bank's references are unique across batches: its serial, then the line.
        serial = batch.batch_number.removeprefix("DEMO-2019-")
        lines = [
            ResultLine(
                line.transfer_ref,
                line.amount,
                "FAILED" if line.entitlement_id == failing else "CREDITED",
                None if line.entitlement_id == failing else f"KTT{on:%y%m%d}{serial}{n:05d}",
                None if line.entitlement_id == failing else on,
                "Rekening pasif" if line.entitlement_id == failing else None,
            )
            for n, line in enumerate(batch.lines.values(), start=1)
        ]
        self.app.import_bank_result(
            batch_id,
            content=render_result_file(batch.batch_number, lines),
            provenance=self._p(
                "supervisor",
                on,
                self._doc("hasil transfer", f"HASIL/{batch.batch_number}", on, BANK),
            ),
        )


def _entitlements(person: UUID) -> list[UUID]:
    return [entitlement_id(person, component, tranche) for component, tranche, _ in COMPONENTS]
