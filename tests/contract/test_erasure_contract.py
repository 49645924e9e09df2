"""Erasure on SQLite and PostgreSQL (issue 17, point 2): what an approved erasure leaves intact
(ledger totals, reconciliation, the log's integrity, every published report's hash, a rebuild
of every read model) and what it removes (her case-file key from the store and from the store's
version histories: SQLite's pages and WAL, PostgreSQL's dead tuples)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, text

from domain.beneficiary import IdentityEvidence
from domain.beneficiary_errors import NikAlreadyInProgramme
from domain.identity import Sex, make_nik
from domain.privacy.destruction import SamePersonApproves
from domain.privacy.erasure import Erasure, SubjectRestricted
from domain.published_report import figures_sha256
from domain.recording import Actor, DocumentRef, Provenance, Role
from domain.sealed import KeyPurpose
from projections.erasures import erasures
from projections.payment_ledger import ledger_totals, payment_ledger
from service.commands import restatements
from service.commands.beneficiaries import NewBeneficiary
from service.queries import reports as published_reports
from service.queries.reconciliation import Reconciliations
from service.store.schema import vault_duplicate_index, vault_subject_keys
from service.system import Jejak
from tests.contract.journey import (
    BIRTH,
    NIK,
    OPERATOR,
    SECOND_SUPERVISOR,
    SUPERVISOR,
    by,
    run_journey,
    run_money_story,
)
from tests.contract.test_published_reports import KIND, Q3, publish

WITA_MORNING = datetime.fromisoformat("2025-03-03T09:30:00+08:00")
DPO = Actor("dpo", Role.DPO, "Dinas Sosial Provinsi Kalimantan Utara")
LETTER = DocumentRef("surat", "01/PDP/III/2025", date(2025, 3, 3), "Pemohon")


@dataclass
class Erased:
    jejak: Jejak
    beneficiary_id: UUID
    others: list[UUID]
    wrapped_key: bytes
    report_id: UUID
    report_sha256: str
    report_position: int
    before: dict[str, Any]


def _money(jejak: Jejak) -> dict[str, Any]:
    with jejak.engine.connect() as conn:
        totals = sorted(tuple(r) for r in conn.execute(select(ledger_totals)))
        ledger = sorted(tuple(r) for r in conn.execute(select(payment_ledger)))
    reconciliation = Reconciliations(jejak.engine, {}).for_period(
        date(2019, 1, 1), date(2019, 12, 31), date(2020, 1, 31)
    )
    return {"totals": totals, "ledger": ledger, "reconciliation": reconciliation.as_dict()}


def _wrapped_key(jejak: Jejak, subject: UUID, purpose: KeyPurpose) -> bytes | None:
    with jejak.engine.connect() as conn:
        found = conn.scalar(
            select(vault_subject_keys.c.wrapped_key).where(
                vault_subject_keys.c.subject_id == str(subject),
                vault_subject_keys.c.purpose == purpose.value,
            )
        )
    return None if found is None else bytes(found)


def request(jejak: Jejak, subject: UUID, number: str = LETTER.number) -> UUID:
    letter = DocumentRef("surat", number, LETTER.issued_on, LETTER.issuer)
    return jejak.app.erasures.record_request(
        beneficiary_id=subject,
        received_at=WITA_MORNING,
        provenance=Provenance(DPO, date(2025, 3, 4), letter, "Permohonan penghapusan data"),
    ).aggregate_id


# The supervisor's decision memo, on which an approval rests.
MEMO = DocumentRef("nota_dinas", "05/ND/PDP/III/2025", date(2025, 3, 5), "Dinas Sosial")


def approve(jejak: Jejak, erasure_id: UUID) -> None:
    jejak.app.erasures.approve(
        erasure_id, provenance=Provenance(SUPERVISOR, date(2025, 3, 5), MEMO)
    )


@pytest.fixture
def erased(jejak: Jejak) -> Erased:
    journey = run_journey(jejak.app)
    run_money_story(jejak.app)
    done = publish(jejak)
    jejak.runner.catch_up()
    assert jejak.checkpoints.sign_head() is not None
    her = journey.beneficiary_id
    wrapped = _wrapped_key(jejak, her, KeyPurpose.CASEFILE)
    assert wrapped is not None and len(wrapped) > 40
    before = _money(jejak)
    approve(jejak, request(jejak, her))
    jejak.runner.catch_up()
    return Erased(
        jejak,
        her,
        journey.others,
        wrapped,
        done.result.aggregate_id,
        done.content_sha256,
        done.log_position,
        before,
    )


def test_an_approved_erasure_leaves_the_money_the_log_and_the_reports_intact(
    erased: Erased,
) -> None:
    jejak = erased.jejak

    assert _money(jejak) == erased.before
    assert jejak.verify_log().intact
    again = published_reports.figures(jejak.app, KIND, Q3, erased.report_position)
    assert figures_sha256(again) == erased.report_sha256
    assert jejak.app.published_report(erased.report_id).content_sha256 == erased.report_sha256


def test_every_read_model_rebuilds_to_what_it_holds(erased: Erased) -> None:
    jejak = erased.jejak
    names = restatements.side_by_side_names(jejak)
    assert "erasures" in names

    diffs = restatements.compare(restatements.prepare(jejak, names))

    assert {d.table: d.changes for d in diffs} == {d.table: [] for d in diffs}
    with jejak.engine.connect() as conn:
        row = conn.execute(select(erasures.c.state, erasures.c.keep_until)).one()
    assert row.state == "EXECUTED"
    # Ten years after her case was closed, which followed her last credit (ADR 0056).
    assert row.keep_until == date(2029, 9, 10)


def test_nothing_of_her_case_file_opens_and_her_identity_minimum_is_kept(erased: Erased) -> None:
    jejak = erased.jejak
    events = jejak.app.history(erased.beneficiary_id)
    registered = events[0]
    assessed = next(e for e in events if type(e).__name__ == "Assessed")

    assert jejak.vault.open(registered.phone) is None
    assert jejak.vault.open(assessed.notes) is None
    assert jejak.vault.open(registered.name) is not None
    assert jejak.vault.is_erased(erased.beneficiary_id, KeyPurpose.CASEFILE)
    assert not jejak.vault.is_erased(erased.beneficiary_id, KeyPurpose.IDENTITY)
    assert _wrapped_key(jejak, erased.beneficiary_id, KeyPurpose.CASEFILE) is None
    recorded = jejak.app.history(next(iter(_erasure_ids(jejak))))
    assert [type(e).__name__ for e in recorded] == ["ErasureRequested", "CaseFileErased"]


def _erasure_ids(jejak: Jejak) -> list[UUID]:
    with jejak.engine.connect() as conn:
        return [UUID(r) for r in conn.scalars(text("SELECT erasure_id FROM erasures"))]


def test_no_bytes_of_her_case_file_key_remain_in_the_store(erased: Erased) -> None:
    jejak = erased.jejak
    key = erased.wrapped_key
    if jejak.store.is_postgres:
        _assert_no_tuple_holds(jejak, key)
        return
    path = jejak.store.sqlite_path
    assert path is not None
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    assert any(p.name.endswith("-wal") for p in files) or files
    dump = b"".join(p.read_bytes() for p in files)
    assert len(dump) > 10_000
    assert key not in dump, "the destroyed key's bytes are still in the store's files"
    # The scan can see keys: her identity key, still alive, is found.
    alive = _wrapped_key(jejak, erased.beneficiary_id, KeyPurpose.IDENTITY)
    assert alive is not None and alive in dump


def _assert_no_tuple_holds(jejak: Jejak, key: bytes) -> None:
    """pageinspect: no tuple of vault_subject_keys, live or dead, holds the destroyed key.

    VACUUM keeps a dead row version while any transaction older than the erasure is open in
    the database (ADR 0055): tests of other workers share it. The erasure's own VACUUM is run
    again until those have ended, for at most half a minute; the key must then be gone.
    """
    deadline = time.monotonic() + 30
    held, seen_alive = _tuples_holding(jejak, key)
    while held and time.monotonic() < deadline:
        time.sleep(0.5)
        with jejak.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM vault_subject_keys")
        held, seen_alive = _tuples_holding(jejak, key)
    assert held == 0, "a tuple of vault_subject_keys, live or dead, still holds the key"
    assert seen_alive, "the scan can see keys: a live key is found"


def _tuples_holding(jejak: Jejak, key: bytes) -> tuple[int, bool]:
    """How many tuples of vault_subject_keys hold `key`, and whether a live key was seen."""
    with jejak.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
        pages = conn.scalar(
            text(
                "SELECT pg_relation_size('vault_subject_keys') / current_setting('block_size')::int"
            )
        )
        assert pages and pages > 0
        held = 0
        alive = _wrapped_key(jejak, erased_identity_subject(jejak), KeyPurpose.IDENTITY)
        seen_alive = False
        for page in range(pages):
            rows = conn.execute(
                text(
                    "SELECT t_data FROM public.heap_page_items("
                    "public.get_raw_page('vault_subject_keys', :page))"
                ),
                {"page": page},
            ).scalars()
            for data in rows:
                if data is None:
                    continue
                held += key in bytes(data)
                seen_alive = seen_alive or (alive is not None and alive in bytes(data))
    return held, seen_alive


def erased_identity_subject(jejak: Jejak) -> UUID:
    with jejak.engine.connect() as conn:
        return UUID(conn.scalar(text("SELECT beneficiary_id FROM erasures")))


def test_her_duplicate_index_entries_stay_so_her_nik_is_still_refused(erased: Erased) -> None:
    jejak = erased.jejak
    with jejak.engine.connect() as conn:
        kinds = set(
            conn.scalars(
                select(vault_duplicate_index.c.kind).where(
                    vault_duplicate_index.c.subject_id == str(erased.beneficiary_id)
                )
            )
        )
    assert "nik" in kinds
    site = jejak.app.beneficiary(erased.beneficiary_id).site_id
    (again,) = jejak.app.beneficiaries.register_roster(
        site,
        [NewBeneficiary("TRK-JP-0009", "Contoh Sembilan")],
        provenance=by(OPERATOR, date(2025, 3, 6)),
    )

    with pytest.raises(NikAlreadyInProgramme):
        jejak.app.beneficiaries.verify_identity(
            again.aggregate_id,
            evidence=IdentityEvidence(NIK, BIRTH, Sex.FEMALE),
            provenance=by(OPERATOR, date(2025, 3, 6), "ktp"),
        )


def test_a_restricted_case_takes_no_further_step_and_the_recorder_may_not_approve(
    erased: Erased,
) -> None:
    jejak = erased.jejak
    other = erased.others[0]
    erasure_id = request(jejak, other, "02/PDP/III/2025")
    same = Actor("dpo", Role.SUPERVISOR, "Dinas Sosial Provinsi Kalimantan Utara")
    with pytest.raises(SamePersonApproves):
        jejak.app.erasures.approve(erasure_id, provenance=Provenance(same, date(2025, 3, 5), MEMO))
    assert not jejak.vault.is_erased(other, KeyPurpose.CASEFILE), "a refusal destroys nothing"
    jejak.app.erasures.approve(
        erasure_id, provenance=Provenance(SECOND_SUPERVISOR, date(2025, 3, 5), MEMO)
    )

    with pytest.raises(SubjectRestricted):
        jejak.app.beneficiaries.verify_identity(
            other,
            evidence=IdentityEvidence(
                make_nik("657104", BIRTH, Sex.FEMALE, 9124), BIRTH, Sex.FEMALE
            ),
            provenance=by(OPERATOR, date(2025, 3, 6), "ktp"),
        )
    assert isinstance(jejak.app.load(Erasure, erasure_id), Erasure)
