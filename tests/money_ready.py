"""Aid ready to pay in the demo, for the tests of the payment pages: the demo as at 30 June
2020 has paid everything it decreed, so a test that prepares a batch first decrees a third
living-allowance tranche for two women already paid (their accounts and arrivals are on
record), commits 2020 funds and allocates them, through the ledger's own commands."""

from __future__ import annotations

from datetime import date
from typing import Final
from uuid import UUID

from sqlalchemy import select

from domain.decree import AidComponent, PaymentType
from domain.funding import FundingSource
from domain.recording import Actor, DocumentRef, Provenance, Role
from projections.entitlement_status import entitlement_status
from service.commands.money import NewDecreeLine
from service.system import Jejak

# Two women of TRK-JP whose first tranches were paid in 2019.
CASES: Final = ("TRK-JP-0005", "TRK-JP-0007")
TRANCHE: Final = 3
AMOUNT: Final = 1_125_000
DECREED_ON: Final = date(2020, 6, 2)
KEMENSOS: Final = Actor("supervisor.kemensos", Role.SUPERVISOR, "KEMENSOS")


def _p(on: date, kind: str | None = None, number: str = "") -> Provenance:
    document = DocumentRef(kind, number, on, "Kementerian Sosial RI") if kind else None
    return Provenance(KEMENSOS, on, document, None)


def make_aid_ready_to_pay(jejak: Jejak) -> list[str]:
    """Decree, fund and allocate a third JADUP tranche for `CASES`; their labels on the pages
    (`TRK-JP-0005 JADUP-3`)."""
    c = entitlement_status.c
    with jejak.engine.connect() as conn:
        people = {
            row.case_number: row.subject_id
            for row in conn.execute(
                select(c.case_number, c.subject_id).where(c.case_number.in_(CASES)).distinct()
            )
        }
    app = jejak.app.money
    commitment = app.commit_funds(
        fiscal_year=2020,
        source=FundingSource.APBN,
        budget_line="DIPA-027.04.1.2020 akun 573111",
        funder="Kementerian Sosial RI",
        amount=len(CASES) * AMOUNT,
        provenance=_p(date(2020, 6, 1), "dipa", "DIPA-027/2020-TEST"),
    ).aggregate_id
    app.issue_decree(
        authority="Direktur Rehabilitasi Sosial Tuna Sosial dan Korban Perdagangan Orang",
        number="SK/REHSOS/2020/TEST",
        legal_basis="Permensos tentang penyaluran bantuan sosial (uji)",
        payment_type=PaymentType.BENEFICIARY_AID,
        lines=[
            NewDecreeLine(AidComponent.JADUP, AMOUNT, TRANCHE, beneficiary_id=UUID(people[case]))
            for case in CASES
        ],
        provenance=_p(DECREED_ON, "decree", "SK/REHSOS/2020/TEST"),
    )
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        planned = [
            row.entitlement_id
            for row in conn.execute(
                select(c.entitlement_id).where(
                    c.case_number.in_(CASES), c.tranche == TRANCHE, c.state == "PLANNED"
                )
            )
        ]
    app.allocate_funds(
        commitment,
        entitlement_ids=[UUID(e) for e in planned],
        provenance=_p(date(2020, 6, 3)),
    )
    jejak.runner.catch_up()
    return [f"{case} JADUP-{TRANCHE}" for case in CASES]
