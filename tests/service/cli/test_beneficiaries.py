"""`jejak beneficiaries reveal`: one field of her case in clear for a reason, from the command
line, as over HTTP (ADR 0046); `jejak history` lists the reveal among her events."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.commands.beneficiaries import NewBeneficiary
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import OPERATOR, by, closed_site

PASSWORD = "reveal-password-9"
SITI = "Siti Contohwati Aminah"
REASON = "Pencocokan daftar hadir"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A store with one woman registered at TRK-JP, and an account of each role."""
    settings = cli_store(tmp_path, monkeypatch, PASSWORD)
    jejak = Jejak.start(settings)
    try:
        accounts = fast_accounts(jejak)
        for role in Role:
            accounts.create(role.value, PASSWORD, role, "Dinsos Kota Tarakan", role.value)
        jejak.app.beneficiaries.register_roster(
            closed_site(jejak.app),
            [NewBeneficiary("TRK-JP-0001", SITI)],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    finally:
        jejak.close()
    return settings


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


def test_an_auditor_reveals_her_name_for_a_reason_and_her_history_lists_it(
    store: Settings,
) -> None:
    code, output = run(
        "beneficiaries", "reveal", "TRK-JP-0001", "name", "--reason", REASON, "--as", "auditor"
    )
    assert (code, output) == (0, SITI)

    code, history = run("history", "TRK-JP-0001", "--as", "admin")
    assert code == 0, history
    assert f"PersonalDataRevealed by auditor (auditor) via cli: name (field): {REASON}" in history
    assert SITI not in history


@pytest.mark.parametrize(
    ("user", "extra", "code"),
    [
        ("operator", [], "REASON_REQUIRED"),
        ("auditor", ["--reason", "cek 6571045708900004"], "PERSONAL_DATA_IN_TEXT"),
        ("dpo", ["--reason", REASON], "REVEAL_NOT_ALLOWED"),
        ("admin", ["--reason", REASON], "REVEAL_NOT_ALLOWED"),
    ],
)
def test_a_reveal_without_a_fit_reason_or_by_a_role_that_sees_masked_is_refused(
    store: Settings, user: str, extra: list[str], code: str
) -> None:
    exit_code, output = run("beneficiaries", "reveal", "TRK-JP-0001", "name", *extra, "--as", user)
    assert exit_code == 1 and code in output
    assert SITI not in output


def test_a_field_not_of_a_case_is_refused_naming_the_fields(store: Settings) -> None:
    exit_code, output = run(
        "beneficiaries", "reveal", "TRK-JP-0001", "sex", "--reason", REASON, "--as", "operator"
    )
    assert exit_code == 1 and "FIELD_NOT_REVEALABLE" in output and "bank_account" in output
