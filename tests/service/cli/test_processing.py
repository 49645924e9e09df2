"""`jejak processing record|dpia`: the record of processing and the impact assessment on the
command line, for the data-protection officer and the supervisors (ADR 0060)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts

PASSWORD = "processing-password-9"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = cli_store(tmp_path, monkeypatch, PASSWORD)
    jejak = Jejak.start(settings)
    try:
        accounts = fast_accounts(jejak)
        for role in Role:
            accounts.create(role.value, PASSWORD, role, "Dinas Sosial Kota Tarakan", role.value)
    finally:
        jejak.close()
    return settings


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["processing", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_the_dpo_writes_the_record_as_json_and_the_assessment_as_pdf(
    store: Settings, tmp_path: Path
) -> None:
    code, output = run("record", "--as", "dpo")
    assert code == 0, output
    record = json.loads(output)
    assert {a["key"] for a in record["activities"]} >= {"registration", "payment"}

    out = tmp_path / "dpia.pdf"
    code, output = run("dpia", "--format", "pdf", "--out", str(out), "--as", "supervisor")
    assert code == 0, output
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "PENILAIAN DAMPAK PELINDUNGAN DATA PRIBADI" in text


@pytest.mark.parametrize("username", ["operator", "auditor", "admin"])
def test_the_other_roles_are_refused(store: Settings, username: str) -> None:
    code, output = run("record", "--as", username)
    assert code == 2
    assert "ROLE_FORBIDDEN" in output


def test_the_dpo_records_a_review_of_the_assessment(store: Settings) -> None:
    args = [
        "review",
        "--conclusion",
        "measures_needed",
        "--next-review",
        "2027-03-01",
        "--reason",
        "Tinjau ulang setelah kerja sama Dukcapil",
        "--on",
        "2026-12-01",
    ]
    code, output = run(*args, "--as", "dpo")
    assert code == 0, output
    assert "Review recorded" in output and "measures_needed" in output

    code, output = run(*args, "--as", "supervisor")
    assert code != 0 and "ROLE_FORBIDDEN" in output
