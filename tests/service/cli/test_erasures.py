"""`jejak erasure`: her request recorded by the officer, refused to its recorder, approved by a
supervisor, listed, and her notice written, from the command line (ADR 0055)."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from domain.recording import Role
from domain.sealed import KeyPurpose
from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import run_journey

PASSWORD = "erasure-password-9"
RECORD = [
    "erasure",
    "record",
    *("--case", "TRK-JP-0001", "--letter", "01/PDP/III/2025", "--letter-date", "2025-03-03"),
    *("--received-at", "2025-03-03T09:30", "--reason", "Permohonan penghapusan data pribadi"),
    *("--on", "2025-03-04"),
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store holding the journey's paid case, an officer `dpo` and a supervisor `spv`."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        run_journey(jejak.app)
        jejak.runner.catch_up()
        accounts = fast_accounts(jejak)
        accounts.create("dpo", PASSWORD, Role.DPO, "Dinsos Kaltara", "D")
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos Kaltara", "S")
        accounts.create("opi", PASSWORD, Role.OPERATOR, "Dinsos Kaltara", "O")
    finally:
        jejak.close()
    return tmp_path


def test_recorded_by_the_officer_approved_by_a_supervisor_and_her_notice_written(
    store: Path,
) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, [*RECORD, "--as", "opi"])
    assert refused.exit_code != 0
    recorded = runner.invoke(cli, [*RECORD, "--as", "dpo"])
    assert recorded.exit_code == 0, recorded.output
    match = re.search(r"[0-9a-f-]{36}", recorded.output)
    assert match is not None
    erasure = match.group(0)

    early = runner.invoke(
        cli, ["erasure", "notice", erasure, "--out", str(store / "n.pdf"), "--as", "dpo"]
    )
    assert early.exit_code == 1 and "NOT_DECIDED_YET" in early.output
    approved = runner.invoke(
        cli,
        [
            *("erasure", "approve", erasure, "--memo", "05/ND/PDP/III/2025"),
            *("--on", "2025-03-05", "--as", "spv"),
        ],
    )
    assert approved.exit_code == 0, approved.output
    listed = runner.invoke(cli, ["erasure", "list", "--as", "spv"])
    assert "EXECUTED" in listed.output and "kept until 2029-09-10" in listed.output
    written = runner.invoke(
        cli, ["erasure", "notice", erasure, "--out", str(store / "n.pdf"), "--as", "dpo"]
    )
    assert written.exit_code == 0, written.output
    assert (store / "n.pdf").read_bytes().startswith(b"%PDF")

    jejak = Jejak.open()
    try:
        assert jejak.vault.is_erased(_her(jejak), KeyPurpose.CASEFILE)
    finally:
        jejak.close()


def _her(jejak: Jejak) -> UUID:
    with jejak.engine.connect() as conn:
        return UUID(conn.scalar(text("SELECT beneficiary_id FROM erasures")))
