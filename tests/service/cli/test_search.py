"""`jejak search`: a case found by number or by her name (prompted, never an argument), and the
name index rebuilt by an administrator (ADR 0043)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.commands.beneficiaries import NewBeneficiary
from service.settings import Settings
from service.store.schema import vault_name_index
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import OPERATOR, by, closed_site

PASSWORD = "search-password-9"
SITI = "Siti Contohwati Aminah"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A store with two women registered at TRK-JP, and an account of each role."""
    settings = cli_store(tmp_path, monkeypatch, PASSWORD)
    jejak = Jejak.start(settings)
    try:
        accounts = fast_accounts(jejak)
        for role in Role:
            accounts.create(role.value, PASSWORD, role, "Dinsos Kota Tarakan", role.value)
        jejak.app.beneficiaries.register_roster(
            closed_site(jejak.app),
            [NewBeneficiary("TRK-JP-0001", SITI), NewBeneficiary("TRK-JP-0002", "Contoh Dua")],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    finally:
        jejak.close()
    return settings


def run(*args: str, answer: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["search", *args], input=answer)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


def test_an_auditor_finds_a_case_by_number_with_her_name_masked(store: Settings) -> None:
    code, output = run("case", "trk-jp-000", "--as", "auditor")
    assert code == 0, output
    assert "TRK-JP-0001 TRK-JP REGISTERED" in output and "2 of 2 cases" in output
    assert SITI not in output


def test_an_operator_finds_her_by_the_name_typed_at_the_prompt(store: Settings) -> None:
    code, output = run("name", "--as", "operator", answer="ibu siti contohwati aminah\n")
    assert code == 0, output
    assert f"TRK-JP-0001 TRK-JP REGISTERED {SITI}" in output and "1 of 1 cases" in output


def test_an_auditor_may_not_search_by_name(store: Settings) -> None:
    code, output = run("name", "--as", "auditor", answer=f"{SITI}\n")
    assert code != 0
    assert "NAME_SEARCH_NOT_ALLOWED" in output
    assert "TRK-JP-0001" not in output


def test_an_administrator_rebuilds_the_name_index_and_no_one_else_may(store: Settings) -> None:
    jejak = Jejak.open(store)
    try:
        with jejak.engine.begin() as conn:
            conn.execute(vault_name_index.delete())
    finally:
        jejak.close()
    assert run("name", "--as", "operator", answer=f"{SITI}\n")[1].endswith("0 of 0 cases.")

    refused, why = run("reindex", "--as", "operator")
    code, output = run("reindex", "--as", "admin")

    assert refused == 2 and "ROLE_FORBIDDEN" in why
    assert code == 0 and "2 names indexed" in output
    assert "1 of 1 cases" in run("name", "--as", "operator", answer=f"{SITI}\n")[1]
