"""`jejak breaches`: the breach register from the command line, as the data-protection
officer; the notice to the agency written as a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts

PASSWORD = "breaches-password-9"
RECORD = [
    "breaches",
    "record",
    "KDP-2024-001",
    "--discovered",
    "2024-12-02T09:15",
    "--from",
    "2024-11-30",
    "--channel",
    "lost_device",
    "--category",
    "identity",
    "--category",
    "financial",
    "--estimate",
    "40",
    "--description",
    "Laptop berisi ekspor daftar penerima manfaat tertinggal di taksi",
    "--on",
    "2024-12-02",
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store with a data-protection officer `dpo` and a supervisor `spv`."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("dpo", PASSWORD, Role.DPO, "Dinsos Kaltara", "D")
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos Kaltara", "S")
    finally:
        jejak.close()
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_officer_records_notifies_and_closes_a_breach(store: Path) -> None:
    assert "recorded (SUSPECTED)" in run(*RECORD, "--as", "dpo")
    run("breaches", "confirm", "KDP-2024-001", "--on", "2024-12-02", "--as", "dpo")
    on = ("--on", "2024-12-03", "--as", "dpo")
    run("breaches", "remedy", "KDP-2024-001", "--summary", "Akun surel dinonaktifkan", *on)
    notice = ("notice", "KDP-2024-001", "--at", "10.00", "--letter", "001/PDP/XII/2024")
    run("breaches", *notice, "--to", "subject", "--all", "--channel", "announcement", *on)
    done = run("breaches", *notice, "--to", "agency", "--channel", "email", *on)
    assert "is NOTIFIED" in done

    listed = run("breaches", "list", "--as", "spv")
    assert "KDP-2024-001  NOTIFIED  cases 40" in listed and "clock met" in listed
    out = store / "agency.pdf"
    run("breaches", "notice-pdf", "KDP-2024-001", "--agency", "--out", str(out), "--as", "dpo")
    assert out.read_bytes().startswith(b"%PDF")


def test_a_supervisor_records_no_breach(store: Path) -> None:
    result = CliRunner().invoke(cli, [*RECORD, "--as", "spv"])

    assert result.exit_code != 0
    assert "ROLE_FORBIDDEN" in result.output
