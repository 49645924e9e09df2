"""`jejak money ledger` and `jejak money history`: the auditors' exports as a named account."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from domain.masks import mask_name
from domain.recording import Role
from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import NAME, TRANSPORT, UEP, run_journey
from tests.service.files.test_money_exports import pdf_text

PASSWORD = "export-password-12"


@pytest.fixture
def paid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with her paid journey (not yet projected), an auditor `bpk` and an operator
    `opi`, both with the password in the environment."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("bpk", PASSWORD, Role.AUDITOR, "BPK RI", "Auditor")
        accounts.create("opi", PASSWORD, Role.OPERATOR, "Dinsos Tarakan", "Operator")
        run_journey(jejak.app)
    finally:
        jejak.close()
    return tmp_path


def jejak_money(*args: str) -> str:
    result = CliRunner().invoke(cli, ["money", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_auditor_exports_the_ledger_as_xlsx_and_csv(paid: Path) -> None:
    workbook, table = paid / "ledger.xlsx", paid / "ledger.csv"

    jejak_money("ledger", "--out", str(workbook), "--as", "bpk")
    jejak_money("ledger", "--format", "csv", "--out", str(table), "--site", "TRK-JP", "--as", "bpk")
    jejak_money(
        "ledger",
        *("--format", "csv", "--out", str(paid / "none.csv"), "--to", "2018-12-31"),
        *("--as", "bpk"),
    )

    sheets = load_workbook(workbook).sheetnames
    assert sheets == ["Ringkasan", "Buku besar", "Posisi anggaran", "Per lokasi (seluruh program)"]
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert sum(int(row["Efek bayar"]) for row in rows) == UEP + TRANSPORT
    assert (paid / "none.csv").read_text(encoding="utf-8-sig").count("\n") == 1


def test_her_history_by_case_number_masks_her_name_for_an_auditor(paid: Path) -> None:
    out = paid / "history.pdf"

    output = jejak_money("history", "TRK-JP-0001", "--out", str(out), "--as", "bpk")

    assert f"Wrote {out}" in output.replace("\n", "")
    text = pdf_text(out.read_bytes())
    assert mask_name(NAME) in text and NAME not in text
    assert "Total diterima bersih Rp 3.250.000" in text


def test_an_operator_may_take_her_history_but_not_the_ledger(paid: Path) -> None:
    refused = CliRunner().invoke(
        cli, ["money", "ledger", "--out", str(paid / "x.xlsx"), "--as", "opi"]
    )
    jejak_money("history", "TRK-JP-0001", "--out", str(paid / "h.pdf"), "--as", "opi")

    assert refused.exit_code == 1 and "ROLE_FORBIDDEN" in refused.output
    assert not (paid / "x.xlsx").exists()
    text = pdf_text((paid / "h.pdf").read_bytes())
    assert NAME in text


def test_an_unknown_case_is_refused(paid: Path) -> None:
    missing = CliRunner().invoke(
        cli, ["money", "history", "TRK-JP-9999", "--out", str(paid / "h.pdf"), "--as", "bpk"]
    )

    assert missing.exit_code == 1 and "no case TRK-JP-9999" in missing.output
    assert not (paid / "h.pdf").exists()
