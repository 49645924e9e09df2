"""`jejak correct` and `jejak history`: corrections from the command line, as named people."""

from __future__ import annotations

import base64
import secrets
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from domain.beneficiary import Beneficiary
from domain.recording import Role
from service.cli import cli
from service.settings import Settings
from service.system import Jejak
from tests.conftest import fast_accounts
from tests.contract.journey import UEP, run_journey

PASSWORD = "supervisor-password-9"
PAPER = [
    "--doc-kind",
    "nota_dinas",
    "--doc-number",
    "ND/2019/10",
    "--doc-date",
    "2019-10-01",
    "--doc-issuer",
    "Dinsos",
]


@pytest.fixture
def journeyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UUID:
    """A store holding the journey and two supervisors; her credited capital's id."""
    url = f"sqlite:///{tmp_path}/cli.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("JEJAK_DATABASE_URL", url)
    monkeypatch.setenv("JEJAK_MASTER_KEY", key)
    monkeypatch.setenv("JEJAK_PASSWORD", PASSWORD)
    jejak = Jejak.start(Settings(database_url=url, master_key=key))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos", "S")
        accounts.create("spv2", PASSWORD, Role.SUPERVISOR, "Kemensos", "S2")
        return run_journey(jejak.app).entitlements[0]
    finally:
        jejak.close()


def correct(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["correct", *arguments])
    return result.exit_code, result.output


def test_a_date_is_corrected_and_the_history_shows_both(journeyed: UUID) -> None:
    code, output = correct(
        "date", "TRK-JP", "2", "2017-08-12", "--as", "spv", "--on", "2019-10-01",
        "--reason", "the minutes are dated 12 August", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    history = CliRunner().invoke(cli, ["history", "TRK-JP", "--as", "spv"])

    assert history.exit_code == 0, history.output
    lines = history.output.splitlines()
    assert any(line.startswith("v2 2017-08-10 SosialisasiHeld") for line in lines)
    assert any("[corrected by v5]" in line for line in lines)
    assert any("SiteDateCorrected" in line and "12 August" in line for line in lines)


def test_her_pendataan_date_is_corrected_by_her_case_number(journeyed: UUID) -> None:
    code, output = correct(
        "date", "TRK-JP-0001", "1", "2016-03-21", "--as", "spv", "--on", "2019-10-01",
        "--reason", "counted the day after", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    jejak = Jejak.start()
    try:
        her = jejak.app.beneficiary(Beneficiary.create_id("TRK-JP-0001"))
        assert her.pendataan_on == date(2016, 3, 21)
    finally:
        jejak.close()


def test_a_money_correction_is_approved_by_a_second_supervisor_only(journeyed: UUID) -> None:
    capital = str(journeyed)
    code, output = correct(
        "money", capital, "4", "--amount", str(UEP - 50_000), "--as", "spv",
        "--on", "2019-10-01", "--reason", "held back by the bank", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    same = correct("approve", capital, "--as", "spv", "--on", "2019-10-02")
    second = correct("approve", capital, "--as", "spv2", "--on", "2019-10-02")

    assert same[0] == 1 and "FOUR_EYES_REQUIRED" in same[1]
    assert second[0] == 0, second[1]
    jejak = Jejak.start()
    try:
        assert jejak.app.entitlement(journeyed).credited_amount == UEP - 50_000
    finally:
        jejak.close()


def test_a_correction_that_changes_nothing_is_refused_with_its_code(journeyed: UUID) -> None:
    code, output = correct(
        "date", "TRK-JP", "2", "2017-08-10", "--as", "spv", "--on", "2019-10-01",
        "--reason", "checking", *PAPER,
    )  # fmt: skip

    assert code == 1 and "NOTHING_TO_CORRECT" in output
