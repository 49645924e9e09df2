"""`jejak requests` and `jejak notices`: a request recorded and answered from the command line,
and the notice of a clock that ran out queued once and sent to a local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.commands.beneficiaries import NewBeneficiary
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import OPERATOR, by, closed_site
from tests.local_smtp import LocalSmtp, local_smtp

PASSWORD = "requests-password-9"
ADD = [
    "requests",
    "add",
    "PDP-2026-001",
    "--kind",
    "correction",
    "--received",
    "2026-04-06T09:30:00+08:00",
    "--channel",
    "letter",
    "--verification",
    "letter_with_ktp_copy",
    "--result",
    "pending",
    "--summary",
    "Meminta perbaikan tanggal lahir",
    "--letter",
    "tanpa nomor",
    "--letter-date",
    "2026-04-03",
    "--on",
    "2026-04-06",
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store with an officer `dpo` and a supervisor `spv` (one password, in the env)."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("dpo", PASSWORD, Role.DPO, "Dinsos Kaltara", "P")
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos Kaltara", "S")
    finally:
        jejak.close()
    return tmp_path


def test_the_officer_records_and_refuses_a_request(store: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, [*ADD, "--as", "spv"])
    assert refused.exit_code == 2 and "ROLE_FORBIDDEN" in refused.output

    added = runner.invoke(cli, [*ADD, "--as", "dpo"])
    assert added.exit_code == 0, added.output
    answered = runner.invoke(
        cli,
        [
            "requests",
            "refuse",
            "PDP-2026-001",
            "--reason",
            "endangers_safety_or_health",
            "--explanation",
            "Perbaikan membahayakan keselamatan subjek",
            "--letter",
            "480/PDP/IV/2026",
            "--on",
            "2026-04-07",
            "--as",
            "dpo",
        ],
    )
    assert answered.exit_code == 0, answered.output
    listed = runner.invoke(cli, ["requests", "list"])
    assert "PDP-2026-001  correction  REFUSED" in listed.output


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtp]:
    with local_smtp() as server:
        yield server


def test_notices_send_queues_once_and_delivers(
    store: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: LocalSmtp
) -> None:
    monkeypatch.setenv("JEJAK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JEJAK_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("JEJAK_NOTICE_RECIPIENTS", '{"dpo": ["ppdp@dinsos.example"]}')
    runner = CliRunner()
    assert runner.invoke(cli, [*ADD, "--as", "dpo"]).exit_code == 0

    first = runner.invoke(cli, ["notices", "send"])
    second = runner.invoke(cli, ["notices", "send"])

    assert first.exit_code == 0, first.output
    assert "Queued 1; sent 1" in first.output
    assert "Queued 0; sent 0" in second.output
    assert len(smtp_server.received.messages) == 1
    listed = runner.invoke(cli, ["notices", "list"])
    assert "sent" in listed.output and "PDP-2026-001" in listed.output


def test_the_officer_writes_her_copy_to_a_file_once(store: Path) -> None:
    jejak = Jejak.open()
    try:
        site = closed_site(jejak.app)
        (case,) = jejak.app.beneficiaries.register_roster(
            site,
            [NewBeneficiary("TRK-JP-0001", "Contoh Satu Salinan")],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    finally:
        jejak.close()
    runner = CliRunner()
    access = [*ADD[:3], "--kind", "access_copy", *ADD[5:], "--case", str(case.aggregate_id)]
    unchecked = [*access[:2], "PDP-2026-000", *access[3:]]
    assert runner.invoke(cli, [*unchecked, "--as", "dpo"]).exit_code == 0
    access[access.index("pending")] = "verified"
    assert runner.invoke(cli, [*access, "--as", "dpo"]).exit_code == 0
    out = store / "salinan.pdf"

    # Her data goes only to a requester whose identity was checked to be hers.
    unverified = runner.invoke(
        cli, ["requests", "copy", "PDP-2026-000", "--out", str(out), "--as", "dpo"]
    )
    assert unverified.exit_code != 0 and "REQUESTER_NOT_VERIFIED" in unverified.output
    assert not out.exists()

    written = runner.invoke(
        cli, ["requests", "copy", "PDP-2026-001", "--out", str(out), "--as", "dpo"]
    )
    again = runner.invoke(
        cli, ["requests", "copy", "PDP-2026-001", "--out", str(out), "--as", "dpo"]
    )
    refused = runner.invoke(
        cli, ["requests", "copy", "PDP-2026-001", "--out", str(store / "x.pdf"), "--as", "spv"]
    )

    assert written.exit_code == 0, written.output
    text = PdfReader(out).pages[0].extract_text()
    assert "Contoh Satu Salinan" in text and "Nomor kasus TRK-JP-0001" in text
    assert again.exit_code == 2 and "exists" in again.output  # never overwritten
    assert refused.exit_code == 2 and "ROLE_FORBIDDEN" in refused.output
