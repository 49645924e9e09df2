"""`jejak backup` and `jejak restore` on the command line (ADR 0059)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from domain.sealed import KeyPurpose
from service.cli.main import cli
from service.commands.beneficiaries import NewBeneficiary
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store
from tests.contract.journey import OPERATOR, by, closed_site


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = cli_store(tmp_path, monkeypatch, "unused-password-1")
    jejak = Jejak.start(settings)
    try:
        jejak.app.beneficiaries.register_roster(
            closed_site(jejak.app),
            [NewBeneficiary("TRK-JP-0001", "Contoh Satu", "+62 811 5555 0001")],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    finally:
        jejak.close()
    return settings


def test_a_backup_restored_prints_the_erasures_it_made_again(
    store: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("backups")
    code, output = run("backup", str(folder), "--prune")
    assert code == 0, output
    assert "log position" in output and "Deleted 0 backup(s) older than 14 days" in output
    (manifest,) = folder.glob("*.manifest.json")

    jejak = Jejak.start(store)
    try:
        # The one woman registered is the one subject with keys.
        with jejak.engine.connect() as conn:
            her = conn.exec_driver_sql("SELECT subject_id FROM vault_subject_keys").scalar()
        assert her is not None
        jejak.vault.erase(UUID(her), {KeyPurpose.CASEFILE})
    finally:
        jejak.close()

    code, output = run("restore", str(manifest))
    assert code == 0, output
    assert "Re-applied 1 erasure(s)" in output and "1 were recorded after the backup" in output
    assert f"{her} casefile erased" in output
    code, output = run("verify")
    assert code == 0 and "intact" in output, output


def test_a_backup_into_the_key_folder_is_refused(store: Settings) -> None:
    code, output = run("backup", str(store.key_file.parent / "backups"))
    assert code == 1
    assert "BACKUP_BESIDE_KEY" in output
