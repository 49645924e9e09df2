"""`jejak register`: audit findings from the command line, as a named user."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts

PASSWORD = "register-password-9"
ADD = [
    "register",
    "add",
    "--body",
    "BPK RI Perwakilan Kalimantan Utara",
    "--lhp",
    "23.B/LHP/XIX.TJS/05/2020",
    "--lhp-date",
    "2020-05-20",
    "--received",
    "2020-05-25",
    "--finding",
    "3.2",
    "--title",
    "Bantuan UEP belum dapat ditelusuri",
    "--recommendation",
    "Merekonsiliasi penyaluran UEP dengan rekening koran",
    "--official",
    "Kepala Dinas Sosial Provinsi Kalimantan Utara",
    "--amount",
    "5500000",
    "--on",
    "2020-05-27",
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store with a supervisor `spv` and an auditor `aud` (one password, in the env)."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos Kaltara", "S")
        accounts.create("aud", PASSWORD, Role.AUDITOR, "Inspektorat", "A")
    finally:
        jejak.close()
    return tmp_path


def test_a_supervisor_records_answers_and_closes_a_finding(store: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, [*ADD, "--as", "spv"])
    assert added.exit_code == 0, added.output
    match = re.search(r"[0-9a-f-]{36}", added.output)
    assert match is not None
    finding = match.group(0)

    steps = [
        [
            *("respond", finding, "--summary", "Disetor ke kas daerah", "--letter", "400/1"),
            *("--recovered", "5500000", "--on", "2020-07-20"),
        ],
        ["accept", finding, "--letter", "45/S/2020", "--on", "2020-09-01"],
        ["close", finding, "--document-number", "HP-TLRHP/2020/2", "--on", "2020-12-01"],
    ]
    for step in steps:
        done = runner.invoke(cli, ["register", *step, "--as", "spv"])
        assert done.exit_code == 0, done.output
    listed = runner.invoke(cli, ["register", "list", "--today", "2021-01-04"])

    assert "CLOSED" in listed.output and "Rp 5.500.000 of Rp 5.500.000" in listed.output
    assert "Findings: 1 (overdue judged on 2021-01-04)" in listed.output


def test_overdue_findings_are_listed_with_their_days_late(store: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, [*ADD, "--as", "spv"])

    listed = runner.invoke(cli, ["register", "list", "--overdue", "--today", "2020-08-03"])

    assert "OPEN  due 2020-07-24 OVERDUE 10 days" in listed.output, listed.output


def test_an_auditor_account_changes_nothing(store: Path) -> None:
    refused = CliRunner().invoke(cli, [*ADD, "--as", "aud"])

    assert refused.exit_code == 1
    assert "ROLE_FORBIDDEN" in refused.output
    assert "Findings: 0" in CliRunner().invoke(cli, ["register", "list"]).output


def test_a_refusal_prints_its_code(store: Path) -> None:
    refused = CliRunner().invoke(cli, [*ADD[:-1], "2020-05-24", "--as", "spv"])

    assert refused.exit_code == 1
    assert "DATES_OUT_OF_ORDER" in refused.output
