"""Destruction at the end of retention on SQLite and PostgreSQL: the keys go, the ledger stays
provable (totals, verification, a published report's hash, a rebuild of every read model),
and a hold keeps what it holds.

The journey's woman (TRK-JP-0001) was last paid in August 2019 and her case closed on
10 September 2019: her case file is due from September 2024, her identity minimum from
September 2029. Dates past today are fine here: the business date is checked at the HTTP edge.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, text

from domain.privacy.categories import RetentionCategory
from domain.privacy.destruction import (
    Destruction,
    LegalHoldBlocks,
    NothingDue,
    SamePersonApproves,
)
from domain.privacy.legal_hold import HoldKind
from domain.published_report import Period, ReportKind
from domain.recording import DocumentRef, Provenance
from domain.sealed import KeyPurpose
from service.commands import restatements
from service.queries.retention import due, held, retention_end
from service.store.schema import vault_duplicate_index, vault_name_index
from service.system import Jejak
from tests.contract.journey import (
    SECOND_SUPERVISOR,
    SUPERVISOR,
    Journey,
    run_journey,
    run_money_story,
)

DUE_ON = date(2030, 1, 2)
LETTER = DocumentRef("surat", "B/77/I/2030/Reskrim", date(2030, 1, 1), "Polda Kalimantan Utara")


# A destruction is proposed, and decided, on a memo (nota dinas).
MEMO = DocumentRef("nota_dinas", "ND/7/PDP/2030", DUE_ON, "Dinsos Provinsi Kaltara")


def on(actor: Any, day: date = DUE_ON, paper: DocumentRef = MEMO) -> Provenance:
    return Provenance(actor, day, paper, "pemusnahan terjadwal" if paper is MEMO else "perkara")


@pytest.fixture
def lived(jejak: Jejak) -> tuple[Jejak, Journey]:
    journey = run_journey(jejak.app)
    run_money_story(jejak.app)
    paper = DocumentRef("surat_pengantar", "400/7/2019", date(2019, 10, 7), "Dinas Sosial")
    jejak.app.reports.publish(
        kind=ReportKind.PROGRAMME_FIGURES,
        period=Period.quarter(2019, 3),
        addressee="Kementerian Sosial RI",
        provenance=Provenance(SUPERVISOR, date(2019, 10, 7), paper),
    )
    jejak.runner.catch_up()
    assert jejak.checkpoints.sign_head() is not None
    return jejak, journey


def _table(jejak: Jejak, name: str) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        rows = conn.execute(text(f'SELECT * FROM "{name}"')).mappings()
        return sorted((dict(r) for r in rows), key=lambda r: repr(sorted(r.items())))


def _ledger(jejak: Jejak) -> dict[str, Any]:
    return {
        name: _table(jejak, name)
        for name in ("ledger_totals", "payment_ledger", "budget_position", "published_reports")
    }


def test_retention_ends_are_counted_from_her_last_payment_and_her_case_end(
    lived: tuple[Jejak, Journey],
) -> None:
    jejak, journey = lived
    her = journey.beneficiary_id
    assert retention_end(jejak.engine, her, RetentionCategory.CASE_FILE) == date(2024, 9, 10)
    assert retention_end(jejak.engine, her, RetentionCategory.IDENTITY_MINIMUM) == date(2029, 9, 10)
    # Her fellows' cases are open: nothing of theirs ends.
    assert retention_end(jejak.engine, journey.others[0], RetentionCategory.CASE_FILE) is None
    listed = {(r.case_number, r.category) for r in due(jejak.engine, DUE_ON)}
    assert listed == {
        ("TRK-JP-0001", RetentionCategory.CASE_FILE),
        ("TRK-JP-0001", RetentionCategory.IDENTITY_MINIMUM),
    }
    assert {r.category for r in due(jejak.engine, date(2026, 1, 1))} == {
        RetentionCategory.CASE_FILE
    }


def test_destruction_destroys_her_keys_and_leaves_the_ledger_provable(
    lived: tuple[Jejak, Journey],
) -> None:
    jejak, journey = lived
    her = journey.beneficiary_id
    before = _ledger(jejak)
    proposed = jejak.app.retention.propose_destruction(provenance=on(SUPERVISOR))
    with pytest.raises(SamePersonApproves):
        jejak.app.retention.approve_destruction(proposed.aggregate_id, provenance=on(SUPERVISOR))
    done = jejak.app.retention.approve_destruction(
        proposed.aggregate_id, provenance=on(SECOND_SUPERVISOR)
    )
    assert done.state == "CARRIED_OUT"

    assert jejak.vault.is_erased(her, KeyPurpose.IDENTITY)
    assert jejak.vault.is_erased(her, KeyPurpose.CASEFILE)
    with jejak.engine.connect() as conn:
        names = conn.execute(
            select(vault_name_index).where(vault_name_index.c.subject_id == str(her))
        ).all()
    assert names == []
    with jejak.engine.connect() as conn:
        claims = conn.execute(
            select(vault_duplicate_index).where(vault_duplicate_index.c.subject_id == str(her))
        ).all()
    assert claims == []
    registered = jejak.app.history(her)[0]
    assert jejak.vault.open(registered.name) is None
    carried = jejak.app.history(proposed.aggregate_id)[-1]
    assert carried.document.kind == "berita_acara"
    assert jejak.documents.get(carried.document.sha256).startswith(b"%PDF")

    jejak.runner.catch_up()
    assert _ledger(jejak) == before
    assert jejak.verify_log().intact
    assert due(jejak.engine, DUE_ON) == []
    names_of = restatements.side_by_side_names(jejak)
    diffs = restatements.compare(restatements.prepare(jejak, names_of))
    assert {d.table: d.changes for d in diffs} == {d.table: [] for d in diffs}


def test_a_legal_hold_keeps_her_from_the_proposal_and_from_the_approval(
    lived: tuple[Jejak, Journey],
) -> None:
    jejak, journey = lived
    her = journey.beneficiary_id
    proposed = jejak.app.retention.propose_destruction(provenance=on(SUPERVISOR))
    hold = jejak.app.retention.place_legal_hold(
        kind=HoldKind.INVESTIGATION,
        beneficiary_ids=[her],
        provenance=on(SUPERVISOR, DUE_ON, LETTER),
    )
    with pytest.raises(LegalHoldBlocks) as refused:
        jejak.app.retention.approve_destruction(
            proposed.aggregate_id, provenance=on(SECOND_SUPERVISOR)
        )
    assert refused.value.code == "LEGAL_HOLD"
    assert not jejak.vault.is_erased(her, KeyPurpose.CASEFILE)
    with pytest.raises(NothingDue):
        jejak.app.retention.propose_destruction(provenance=on(SUPERVISOR))
    jejak.app.retention.lift_legal_hold(
        hold.aggregate_id, provenance=on(SUPERVISOR, DUE_ON, LETTER)
    )
    jejak.runner.catch_up()
    assert held(jejak.engine, [her]) == {}


def test_an_open_audit_finding_on_her_site_holds_her_until_it_is_closed(
    lived: tuple[Jejak, Journey],
) -> None:
    jejak, journey = lived
    her = journey.beneficiary_id
    lhp = DocumentRef("lhp", "23.B/LHP/2029", date(2029, 11, 1), "BPK RI")
    jejak.app.audit_register.record_finding(
        audit_body="BPK RI",
        lhp_number="23.B/LHP/2029",
        lhp_date=date(2029, 11, 1),
        lhp_received_on=date(2029, 11, 4),
        finding_number="1",
        title="Bukti penyaluran",
        recommendation="Lengkapi bukti",
        responsible_position="Kepala Dinas Sosial",
        site_ids=[journey.site_id],
        provenance=Provenance(SUPERVISOR, date(2029, 11, 5), lhp),
    )
    jejak.runner.catch_up()
    elsewhere = run_money_story_people(jejak)
    reasons = held(jejak.engine, [her, journey.others[0], *elsewhere])
    # Everyone at the site is held; no one at the other site is.
    assert set(reasons) == {her, journey.others[0]}
    assert reasons[her][0].kind == "audit_finding"
    assert reasons[her][0].reference == "23.B/LHP/2029 1"
    assert all(row.held for row in due(jejak.engine, DUE_ON))
    with pytest.raises(NothingDue):
        jejak.app.retention.propose_destruction(provenance=on(SUPERVISOR))


def run_money_story_people(jejak: Jejak) -> list[UUID]:
    """The people of the money story's site, TRK-LU."""
    with jejak.engine.connect() as conn:
        found = conn.execute(
            text("SELECT beneficiary_id FROM retention_subjects WHERE case_number LIKE 'TRK-LU%'")
        ).scalars()
        return [UUID(b) for b in found]


def test_an_approval_stopped_before_its_record_is_carried_out_again(
    lived: tuple[Jejak, Journey],
) -> None:
    jejak, journey = lived
    proposed = jejak.app.retention.propose_destruction(provenance=on(SUPERVISOR))
    reads = jejak.app.retention.reads
    assert reads is not None
    still_due = {(r.beneficiary_id, r.category.value) for r in reads.due(DUE_ON)}
    # The approval is saved; the command stops before any key is destroyed.
    jejak.app.update(
        Destruction,
        proposed.aggregate_id,
        None,
        lambda d: d.approve(still_due=still_due, held={}, provenance=on(SECOND_SUPERVISOR)),
    )
    assert not jejak.vault.is_erased(journey.beneficiary_id, KeyPurpose.CASEFILE)
    done = jejak.app.retention.carry_out_destruction(
        proposed.aggregate_id, provenance=on(SECOND_SUPERVISOR)
    )
    assert done.state == "CARRIED_OUT"
    assert jejak.vault.is_erased(journey.beneficiary_id, KeyPurpose.CASEFILE)
