"""Evidence bundles: built on each store, checked by the standalone verifier, and any altered
byte makes it fail with a clear message."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from domain.recording import DocumentRef, Provenance, Role
from domain.site import InspectionOutcome
from domain.units import EVERYTHING
from service.files.evidence.bundle import Scope
from service.files.evidence.export import export_bundle
from service.files.evidence.verify_bundle import BundleInvalid, verify_bundle
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.system import Jejak
from tests.contract.journey import NAME, NIK, OPERATOR, run_journey

AUDITOR = Account("aud", Role.AUDITOR, "BPK Perwakilan Kalimantan Utara", "Pemeriksa", True)


def bundle_file(
    jejak: Jejak, tmp_path: Path, scope: Scope, *, clear_reason: str | None = None
) -> Path:
    path = tmp_path / "bundle.zip"
    path.write_bytes(export_bundle(jejak, AUDITOR, scope, clear_reason=clear_reason).content)
    return path


def test_a_beneficiarys_bundle_verifies_offline_and_says_what_it_proved(
    jejak: Jejak, tmp_path: Path
) -> None:
    journey = run_journey(jejak.app)
    path = bundle_file(jejak, tmp_path, Scope("beneficiary", journey.beneficiary_id))

    proved = verify_bundle(path)

    assert any("are in the chain up to the signed checkpoint" in p for p in proved)
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        readable = bundle.read("readable.json").decode()
    assert {
        "events.jsonl",
        "readable.json",
        "proof.json",
        "summary.pdf",
        "verify_bundle.py",
    } <= names
    assert NAME not in readable and NIK not in readable, "masked unless asked"


def inspection_with_a_report(jejak: Jejak) -> tuple[Scope, str, bytes]:
    """A journey whose site's inspection cites a stored report; the site's scope, its hash."""
    journey = run_journey(jejak.app)
    report = b"Laporan pemantauan pasca penutupan, Juata Permai"
    stored = jejak.documents.put(
        report,
        media_type="text/plain",
        filename="pemantauan.txt",
        kind="other",
        uploaded_by=OPERATOR,
    )
    jejak.app.sites.record_inspection(
        journey.site_id,
        outcome=InspectionOutcome.QUIET,
        provenance=Provenance(
            OPERATOR,
            date(2019, 9, 2),
            DocumentRef("laporan", "LP/1", date(2019, 9, 2), "Dinsos", stored.sha256),
        ),
    )
    return Scope("site", journey.site_id), stored.sha256, report


def test_a_bundle_carries_the_documents_its_events_cite(jejak: Jejak, tmp_path: Path) -> None:
    scope, sha256, report = inspection_with_a_report(jejak)
    path = bundle_file(jejak, tmp_path, scope, clear_reason="Pemeriksaan LKPD 2019")

    proved = verify_bundle(path)

    with zipfile.ZipFile(path) as bundle:
        assert bundle.read(f"documents/{sha256}") == report
        assert "withheld.json" not in bundle.namelist()
    assert any(p.startswith("1 documents hash") for p in proved)


@pytest.mark.parametrize(
    "viewer",
    [AUDITOR, Account("adm", Role.ADMIN, "Dinsos Kaltara", "Administrator", True)],
    ids=["auditor without a reason", "administrator"],
)
def test_a_document_the_requester_may_not_see_is_withheld_and_its_hash_kept(
    jejak: Jejak, tmp_path: Path, viewer: Account
) -> None:
    scope, sha256, report = inspection_with_a_report(jejak)
    path = tmp_path / "bundle.zip"
    path.write_bytes(export_bundle(jejak, viewer, scope).content)

    proved = verify_bundle(path)

    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        withheld = json.loads(bundle.read("withheld.json"))["documents"]
        everything = b"".join(bundle.read(name) for name in names)
    assert f"documents/{sha256}" not in names and report not in everything
    assert withheld == [{"sha256": sha256, "kind": "other"}]
    assert any(p.startswith("0 documents hash") for p in proved)
    assert any(p.startswith("1 documents withheld from you") for p in proved)


def test_a_withheld_document_also_carried_does_not_verify(jejak: Jejak, tmp_path: Path) -> None:
    scope, sha256, report = inspection_with_a_report(jejak)
    path = bundle_file(jejak, tmp_path, scope)
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(forged, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        for info in source.infolist():
            if info.filename not in ("manifest.json", "manifest.sig"):
                target.writestr(info, source.read(info.filename))
        target.writestr(f"documents/{sha256}", report)
        manifest["files"][f"documents/{sha256}"] = sha256
        signed = json.dumps(manifest).encode()
        target.writestr("manifest.json", signed)
        target.writestr("manifest.sig", jejak.checkpoints.signer.sign_bytes(signed))

    with pytest.raises(BundleInvalid) as refused:
        verify_bundle(forged)

    assert "both carried and withheld" in str(refused.value)


def test_the_script_runs_alone_with_only_python_and_cryptography(
    jejak: Jejak, tmp_path: Path
) -> None:
    journey = run_journey(jejak.app)
    path = bundle_file(jejak, tmp_path, Scope("site", journey.site_id))
    script = tmp_path / "verify_bundle.py"
    with zipfile.ZipFile(path) as bundle:
        script.write_bytes(bundle.read("verify_bundle.py"))
    pem = tmp_path / "pinned.pem"
    pem.write_text(jejak.checkpoints.signer.public_key_pem())

    run = subprocess.run(
        [sys.executable, "-I", str(script), str(path), "--public-key", str(pem)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("VERIFIED")


@pytest.mark.parametrize("member", ["events.jsonl", "readable.json", "summary.pdf", "proof.json"])
def test_altering_any_byte_of_the_bundle_fails_with_a_clear_message(
    jejak: Jejak, tmp_path: Path, member: str
) -> None:
    journey = run_journey(jejak.app)
    path = bundle_file(jejak, tmp_path, Scope("beneficiary", journey.beneficiary_id))
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]
            target.writestr(info, data)

    with pytest.raises(BundleInvalid) as refused:
        verify_bundle(altered)

    assert member in str(refused.value) and "altered" in str(refused.value)


def test_a_bundle_signed_by_another_key_is_refused_with_the_pinned_key(
    jejak: Jejak, tmp_path: Path
) -> None:
    run_journey(jejak.app)
    path = bundle_file(jejak, tmp_path, Scope("programme"))
    from service.security.checkpoints import CheckpointSigner

    other = CheckpointSigner.from_seed(bytes(32)).public_key_pem().encode()

    with pytest.raises(BundleInvalid) as refused:
        verify_bundle(path, pinned_key=other)

    assert "signature is not valid" in str(refused.value)


def test_personal_data_in_clear_only_when_the_auditor_gives_a_reason_and_it_is_logged(
    jejak: Jejak, tmp_path: Path
) -> None:
    journey = run_journey(jejak.app)
    path = bundle_file(
        jejak,
        tmp_path,
        Scope("beneficiary", journey.beneficiary_id),
        clear_reason="Uji petik pembayaran 2019",
    )

    with zipfile.ZipFile(path) as bundle:
        readable = json.loads(bundle.read("readable.json"))
    entries = [e for e in jejak.access_log.recent(10) if e.action == "export_evidence_bundle"]

    assert any(r["facts"].get("name") == NAME for r in readable)
    assert entries and "in clear" in (entries[0].detail or "")
    assert "reason: Uji petik pembayaran 2019" in (entries[0].detail or "")


def test_an_auditors_bundle_in_clear_is_the_reveal_act_logged_on_each_case_it_unmasks(
    jejak: Jejak, tmp_path: Path
) -> None:
    journey = run_journey(jejak.app)
    reason = "Uji petik pembayaran 2019"
    path = bundle_file(jejak, tmp_path, Scope("site", journey.site_id), clear_reason=reason)

    with zipfile.ZipFile(path) as bundle:
        readable = bundle.read("readable.json").decode()
    reveals = [e for e in jejak.access_log.recent(20) if e.action == "reveal_personal_data"]
    by_case = {e.subject_id: e for e in reveals}

    assert NAME in readable and NIK in readable
    # Her sex and the assessment notes are not revealable: masked even in a bundle in clear.
    assert "Wants to open a tailoring stall" not in readable
    assert len(reveals) == len(by_case) == 3
    assert {e.subject_kind for e in reveals} == {"beneficiary"}
    assert set(by_case) == {journey.beneficiary_id, *journey.others}
    assert by_case[journey.beneficiary_id].detail == (
        f"bundle: name,nik,birth_date,phone,bank_account,bank_account_holder; reason: {reason}"
    )
    assert by_case[journey.others[0]].detail == f"bundle: name; reason: {reason}"
    history = ReadModels.of(jejak, EVERYTHING).history.of(AUDITOR, journey.beneficiary_id)
    (shown,) = [item for item in history if item["event"] == "PersonalDataRevealed"]
    assert (shown["reason"], shown["facts"]["via"]) == (reason, "bundle")
    assert "bank_account" in shown["facts"]["fields"]


@pytest.mark.parametrize(
    "viewer",
    [AUDITOR, Account("sup", Role.SUPERVISOR, "Dinsos Kaltara", "Supervisor", True)],
    ids=["auditor, masked", "supervisor, who sees her data in clear anyway"],
)
def test_a_bundle_that_unmasks_nothing_for_a_reason_logs_no_reveal(
    jejak: Jejak, viewer: Account
) -> None:
    journey = run_journey(jejak.app)

    export_bundle(jejak, viewer, Scope("beneficiary", journey.beneficiary_id))

    assert not [e for e in jejak.access_log.recent(20) if e.action == "reveal_personal_data"]


def test_a_period_bundle_holds_what_happened_in_that_period(jejak: Jejak, tmp_path: Path) -> None:
    run_journey(jejak.app)
    path = bundle_file(
        jejak, tmp_path, Scope("period", start=date(2019, 8, 1), end=date(2019, 8, 31))
    )

    with zipfile.ZipFile(path) as bundle:
        readable = json.loads(bundle.read("readable.json"))

    assert readable and all("2019-08" in str(r["occurred_on"]) for r in readable)
    assert verify_bundle(path)


def test_the_same_evidence_gives_the_same_bytes(jejak: Jejak) -> None:
    journey = run_journey(jejak.app)
    jejak.runner.catch_up()
    from datetime import UTC, datetime

    from service.files.evidence.bundle import EvidenceBundler
    from service.queries.reveal import Reveal

    bundler = EvidenceBundler(
        jejak.engine,
        jejak.raw_log(),
        jejak.checkpoints,
        jejak.documents,
        jejak.app.mapper.to_domain_event,
    )
    at = datetime(2020, 1, 1, tzinfo=UTC)
    scope = Scope("beneficiary", journey.beneficiary_id)
    first = bundler.build(scope, Reveal(jejak.vault, AUDITOR), at).content
    second = bundler.build(scope, Reveal(jejak.vault, AUDITOR), at).content
    assert io.BytesIO(first).getvalue() == second


def test_a_bundle_from_a_tampered_log_does_not_verify(jejak: Jejak, tmp_path: Path) -> None:
    journey = run_journey(jejak.app)
    jejak.runner.catch_up()
    table = jejak.app.recorder.events_table_name  # type: ignore[attr-defined]
    position = "rowid" if jejak.store.kind == "sqlite" else "notification_id"
    with jejak.engine.begin() as conn:
        first = conn.execute(text(f"SELECT MIN({position}) FROM {table}")).scalar_one()
        conn.execute(
            text(f"UPDATE {table} SET state = :s WHERE {position} = :p"), {"s": b"{}", "p": first}
        )

    path = bundle_file(jejak, tmp_path, Scope("site", journey.site_id))

    with pytest.raises(BundleInvalid) as refused:
        verify_bundle(path)
    assert f"position {first} differs from its chain link" in str(refused.value)
