"""The Kaltara demo's money: the 2018 allocation that never came, and the 2019 payments.

The public record (domain research §0, §3.2): the sites closed in Dec 2018 before the aid
arrived; the Kemensos money of Dec 2018 went to the Central Sulawesi earthquake relief, so the
women waited for fiscal year 2019, when Rp 5.500.000 per person was paid "langsung ke
rekening". Here the 2018 allocation lapses at the year's close and is re-budgeted from the 2019
DIPA with the link kept; one transfer fails and is re-ordered to a new account; one transport
allowance is never claimed and goes back to the treasury; transport is removed for those who
stayed locally. Components follow the 2018-19 pattern (business capital, living allowance in
two tranches, transport); the split is made up. The audit checks find what the record shows:
closures months before the money (A23), a closure headcount the cases do not match (A20), the
unclaimed allowance (A14, A16, A15, resolved by its return) and an account changed after an
order (A24, resolved by a second supervisor's approval).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain import money_rules
from domain.decree import AidComponent, Decree, PaymentType, entitlement_id
from domain.funding import FundingSource
from domain.recording import DocumentRef, Provenance
from service.commands.application import ProgrammeApplication
from service.commands.money import LineKey, NewDecreeLine
from service.demo.corrections import correct_a_bank_reference
from service.files.bankfiles import ResultLine, render_result_file

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
        self.fy2018 = app.money.commit_funds(
            fiscal_year=2018,
            source=FundingSource.APBN,
            budget_line=LINE_2018,
            funder=KEMENSOS,
            amount=len(people) * PER_PERSON,
            provenance=self._p(
                "supervisor.kemensos",
                dipa_on,
                self._doc("dipa", "DIPA-027/2018-REV3", dipa_on, "Kementerian Keuangan"),
            ),
        ).aggregate_id
        decreed_on = date(2018, 12, 17)
        app.money.issue_decree(
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
                self._doc("decree", "SK/REHSOS/2018/117", decreed_on, DIRECTOR),
            ),
        )
        app.money.allocate_funds(
            self.fy2018,
            entitlement_ids=[e for person in people for e in _entitlements(person)],
            provenance=self._p("supervisor.kemensos", date(2018, 12, 18)),
        )
        app.money.close_fiscal_year(
            self.fy2018,
            provenance=self._p(
                "supervisor.kemensos",
                date(2018, 12, 31),
                reason="Funds diverted to the Central Sulawesi earthquake relief; "
                "the women's aid waits for fiscal year 2019",
            ),
        )

    # --- 2019: re-budgeted and paid ---------------------------------------------------------

    def pay_2019(self, journeys: Sequence[Journey]) -> UUID:
        """Re-budget, amend for drop-outs and local stays, record accounts, batch, pay, take
        the August statement; returns the transport allowance never claimed.

        Steps run across all sites in business-date order, as the log's clock (which the audit
        checks read) would see a real programme run; `settle_2019` goes on from there.
        """
        assert self.fy2018 is not None, "the 2018 part runs first"
        app = self.app
        owed = [person for journey in journeys for person in journey.people]
        dropouts = [person for journey in journeys for person in journey.dropouts]
        fy2019 = app.money.commit_funds(
            fiscal_year=2019,
            source=FundingSource.APBN,
            budget_line=LINE_2019,
            funder=KEMENSOS,
            amount=len(owed) * PER_PERSON,
            rebudgeted_from=self.fy2018,
            provenance=self._p(
                "supervisor.kemensos",
                date(2019, 1, 2),
                self._doc("dipa", "DIPA-027/2019", date(2018, 12, 5), "Kementerian Keuangan"),
            ),
        ).aggregate_id
        app.money.allocate_funds(
            fy2019,
            entitlement_ids=[e for person in owed for e in _entitlements(person)],
            provenance=self._p("supervisor.kemensos", date(2019, 2, 11)),
        )
        self._no_capital_for_dropouts(dropouts)
        for person in owed:
            self._record_account(person, date(2019, 7, 8), 0)
        self._no_transport_for_local_stays(owed)
        paid = [self._pay_site(journey, n) for n, journey in enumerate(journeys, start=1)]
        # One transport allowance at the last site is never claimed (domain research 3.2).
        unclaimed = next(
            e for e in reversed(paid[-1]) if self.app.entitlement(e).component == "transport"
        )
        self._receipts(paid, unclaimed)
        correct_a_bank_reference(self.app, self._p, self._doc, paid[0][0], BANK)
        self._statement(owed, unclaimed)
        return unclaimed

    def settle_2019(self, journeys: Sequence[Journey], unclaimed: UUID) -> None:
        """Return the unclaimed allowance to the treasury (December) and close cases (2020)."""
        app = self.app
        self._return_unclaimed(unclaimed)
        for journey in journeys:
            for n, person in enumerate(journey.people):
                her_aid = (app.entitlement(e) for e in app.beneficiary(person).entitlement_ids)
                if n % 2 == 0 and money_rules.aid_settled(her_aid):
                    app.beneficiaries.close_case(
                        person, provenance=self._p("supervisor", date(2020, 6, 30))
                    )

    def _statement(self, owed: Sequence[UUID], unclaimed: UUID) -> None:
        """The programme account's statement of August 2019: every transfer the bank made and
        every withdrawal seen (all but the unclaimed allowance's), taken in October."""
        rows = ["value_date,bank_reference,amount,kind,description"]
        for person in owed:
            for e in _entitlements(person):
                entitlement = self.app.entitlement(e)
                credited_on = entitlement.credited_on
                if credited_on is None or not entitlement.bank_reference:
                    continue
                reference, amount = entitlement.bank_reference, entitlement.credited_amount
                rows.append(f"{credited_on},{reference},{amount},TRANSFER_OUT,Transfer bansos")
                if e != unclaimed:
                    withdrawn = credited_on + timedelta(days=12)
                    rows.append(f"{withdrawn},{reference},{amount},WITHDRAWAL,Tarik tunai")
        self._import_statement(rows, "RK/2019-08", date(2019, 10, 1))

    def _return_unclaimed(self, unclaimed: UUID) -> None:
        """The unclaimed allowance is marked, returned to the treasury, and seen coming back
        on December's statement."""
        app = self.app
        app.money.mark_unclaimed(unclaimed, provenance=self._p("supervisor", date(2019, 11, 29)))
        app.money.return_funds(
            unclaimed,
            treasury_reference="NTPN DEMO0A1B2C3D4E5F",
            provenance=self._p(
                "supervisor.kemensos",
                date(2019, 12, 10),
                self._doc("bukti_setor", "NTPN/2019/12", date(2019, 12, 10), "Kas Negara"),
            ),
        )
        entitlement = app.entitlement(unclaimed)
        reference, amount = entitlement.bank_reference, entitlement.credited_amount
        rows = [
            "value_date,bank_reference,amount,kind,description",
            f"2019-12-10,{reference},{amount},RETURNED,Setor kembali",
        ]
        self._import_statement(rows, "RK/2019-12", date(2019, 12, 31))

    def _import_statement(self, rows: list[str], number: str, on: date) -> None:
        self.app.money.import_bank_statement(
            content="\n".join(rows).encode() + b"\n",
            account_label=f"{BANK} rekening penampung bansos",
            provenance=self._p("supervisor", on, self._doc("bank_statement", number, on, BANK)),
        )

    def _no_transport_for_local_stays(self, owed: Sequence[UUID]) -> None:
        """Transport is for the journey home (check A19)."""
        staying = [p for p in owed if "StayedLocally" in self.app.beneficiary(p).milestones]
        self._remove_lines(
            AidComponent.TRANSPORT,
            staying,
            "SK/REHSOS/2019/058",
            date(2019, 7, 25),
            "Stayed locally: no transport home",
        )

    def _no_capital_for_dropouts(self, dropouts: Sequence[UUID]) -> None:
        self._remove_lines(
            AidComponent.UEP,
            dropouts,
            "SK/REHSOS/2019/031",
            date(2019, 5, 6),
            "Left training early: no business capital under the programme's rules",
        )

    def _remove_lines(
        self,
        component: AidComponent,
        people: Sequence[UUID],
        number: str,
        amended_on: date,
        reason: str,
    ) -> None:
        """An amending decree removing `component` for `people`."""
        self.app.money.amend_decree(
            Decree.create_id(DIRECTOR, DECREE_2018),
            amendment_number=f"DEMO/{number}",
            removed=[LineKey(person, component) for person in people],
            provenance=self._p(
                "supervisor.kemensos",
                amended_on,
                self._doc("decree", number, amended_on, DIRECTOR),
                reason=reason,
            ),
        )

    def _record_account(self, person: UUID, on: date, attempt: int) -> None:
        serial = int(hashlib.sha256(f"{person}:{attempt}".encode()).hexdigest()[:8], 16)
        self.app.beneficiaries.record_bank_account(
            person,
            bank_code=BANK_CODE,
            account_number=f"00{serial % 10**10:010d}",
            holder_name=self.names[person].upper(),
            provenance=self._p(
                "supervisor", on, self._doc("buku_tabungan", f"BUKU/{serial % 10**6:06d}", on, BANK)
            ),
        )

    def _pay_site(self, journey: Journey, number: int) -> list[UUID]:
        """Batch a site's funded entitlements, the bank's answer, and the failed transfer
        re-ordered to a new account; returns what was paid."""
        app = self.app
        ready = [
            e
            for person in journey.people
            for e in _entitlements(person)
            if app.entitlement(e).orderable
        ]
        batch_id = self._batch(f"DEMO-2019-{number:02d}", ready, date(2019, 8, 1))
        failing = ready[0] if journey.site_code == "TRK-JP" else None
        self._bank_answers(batch_id, date(2019, 8, 5), failing=failing)
        if failing is not None:
            person = app.entitlement(failing).subject_id
            self._record_account(person, date(2019, 8, 12), 1)
            retry = self._batch(f"DEMO-2019-{number:02d}R", [failing], date(2019, 8, 14))
            self._bank_answers(retry, date(2019, 8, 16), failing=None)
        return ready

    def _receipts(self, paid: Sequence[list[UUID]], unclaimed: UUID) -> None:
        """Her signed receipt for each credit, within the receipt deadline (check A16)."""
        for site, entitlements in enumerate(paid, start=1):
            for n, e in enumerate(entitlements):
                if e == unclaimed:
                    continue
                received = date(2019, 8, 20) + timedelta(days=n % 14)
                self.app.money.acknowledge_receipt(
                    e,
                    provenance=self._p(
                        "supervisor",
                        received,
                        self._doc("bast", f"BAST/{site}/{n + 1:04d}", received, "Dinas Sosial"),
                    ),
                )

    def _batch(self, batch_number: str, entitlements: list[UUID], on: date) -> UUID:
        app = self.app
        batch_id = app.money.create_batch(
            batch_number=batch_number,
            entitlement_ids=entitlements,
            provenance=self._p("supervisor", on),
        ).aggregate_id
        app.money.approve_batch(batch_id, provenance=self._p("supervisor.kemensos", on))
        app.money.export_transfer_file(batch_id, provenance=self._p("supervisor", on))
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
        self.app.money.import_bank_result(
            batch_id,
            content=render_result_file(batch.batch_number, lines),
            provenance=self._p(
                "supervisor",
                on,
                self._doc("bank_result_file", f"HASIL/{batch.batch_number}", on, BANK),
            ),
        )


def _entitlements(person: UUID) -> list[UUID]:
    return [entitlement_id(person, component, tranche) for component, tranche, _ in COMPONENTS]
