"""`jejak money`: bank files and statements from the command line, as a named supervisor."""

from __future__ import annotations

import base64
import csv
import io
import secrets
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from domain.payment_batch import PaymentBatch
from domain.recording import Role
from service.cli.main import cli
from service.files.bankfiles import ResultLine, render_result_file
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import SUPERVISOR, by
from tests.contract.test_money_contract import KEMENSOS, ready_to_order, returned_home, uep


@pytest.fixture
def approved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with one approved batch B-1 and the supervisor `spv` (password in the env)."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, "supervisor-password-9"))
    try:
        fast_accounts(jejak).create("spv", "supervisor-password-9", Role.SUPERVISOR, "Dinsos", "S")
        app = jejak.app
        people = returned_home(app, 1)
        ready_to_order(app, people)
        batch = app.money.create_batch(
            batch_number="B-1",
            entitlement_ids=[uep(people[0])],
            provenance=by(SUPERVISOR, date(2019, 8, 1)),
        ).aggregate_id
        app.money.approve_batch(batch, provenance=by(KEMENSOS, date(2019, 8, 2)))
    finally:
        jejak.close()
    return tmp_path


def test_a_supervisor_writes_the_transfer_file_and_applies_the_banks_answer(approved: Path) -> None:
    runner = CliRunner()
    transfer = approved / "B-1.csv"
    exported = runner.invoke(
        cli,
        [
            "money",
            "transfer-file",
            "B-1",
            "--out",
            str(transfer),
            "--as",
            "spv",
            "--on",
            "2019-08-02",
        ],
    )
    assert exported.exit_code == 0, exported.output
    (row,) = list(csv.DictReader(io.StringIO(transfer.read_text())))
    answer = approved / "result.csv"
    answer.write_bytes(
        render_result_file(
            "B-1",
            [
                ResultLine(
                    row["transfer_ref"],
                    int(row["amount"]),
                    "CREDITED",
                    "K1",
                    date(2019, 8, 5),
                    None,
                )
            ],
        )
    )

    applied = runner.invoke(
        cli, ["money", "bank-result", "B-1", str(answer), "--as", "spv", "--on", "2019-08-05"]
    )
    again = runner.invoke(
        cli, ["money", "bank-result", "B-1", str(answer), "--as", "spv", "--on", "2019-08-05"]
    )

    assert applied.exit_code == 0 and "Credited 1" in applied.output, applied.output
    assert "applied before" in again.output
    jejak = Jejak.start()
    try:
        assert jejak.app.batch(PaymentBatch.create_id("B-1")).state == "SETTLED"
    finally:
        jejak.close()


def test_a_bad_result_file_is_listed_line_by_line_and_nothing_is_applied(approved: Path) -> None:
    runner = CliRunner()
    bad = approved / "bad.csv"
    bad.write_text(
        "batch_number,transfer_ref,amount,status,bank_reference,value_date,failure_reason\nB-1,B-1-99999,1,CREDITED,K,2019-08-05,\n"
    )

    refused = runner.invoke(
        cli, ["money", "bank-result", "B-1", str(bad), "--as", "spv", "--on", "2019-08-05"]
    )

    assert refused.exit_code == 1
    assert "BANK_FILE_REJECTED" in refused.output and "line 2: UNKNOWN_LINE" in refused.output


def test_a_wrong_password_is_refused(approved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JEJAK_PASSWORD", "not-the-password")
    refused = CliRunner().invoke(
        cli,
        [
            "money",
            "transfer-file",
            "B-1",
            "--out",
            str(approved / "x.csv"),
            "--as",
            "spv",
            "--on",
            "2019-08-02",
        ],
    )
    assert refused.exit_code == 2 and "wrong password" in refused.output
    assert not (approved / "x.csv").exists()


def test_a_statement_is_kept_once(approved: Path) -> None:
    statement = approved / "rk.csv"
    statement.write_text(
        "value_date,bank_reference,amount,kind,description\n2019-08-05,K1,5500000,TRANSFER_OUT,Contoh\n"
    )
    args = [
        "money",
        "statement",
        str(statement),
        "--account-label",
        "Bank Kaltimtara",
        "--as",
        "spv",
        "--on",
        "2019-08-31",
    ]
    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and "Kept 1 movements" in first.output, first.output
    assert "imported before" in second.output


def test_reconcile_says_not_clean_until_the_statement_shows_the_transfer(approved: Path) -> None:
    runner = CliRunner()
    transfer = approved / "B-1.csv"
    runner.invoke(
        cli,
        [
            "money",
            "transfer-file",
            "B-1",
            "--out",
            str(transfer),
            "--as",
            "spv",
            "--on",
            "2019-08-02",
        ],
    )
    (row,) = list(csv.DictReader(io.StringIO(transfer.read_text())))
    answer = approved / "result.csv"
    answer.write_bytes(
        render_result_file(
            "B-1",
            [
                ResultLine(
                    row["transfer_ref"],
                    int(row["amount"]),
                    "CREDITED",
                    "K1",
                    date(2019, 8, 5),
                    None,
                )
            ],
        )
    )
    runner.invoke(
        cli, ["money", "bank-result", "B-1", str(answer), "--as", "spv", "--on", "2019-08-05"]
    )
    args = ["money", "reconcile", "--batch", "B-1", "--today", "2019-09-01"]

    before = runner.invoke(cli, args)
    statement = approved / "rk.csv"
    statement.write_text(
        f"value_date,bank_reference,amount,kind\n2019-08-05,K1,{row['amount']},TRANSFER_OUT\n"
    )
    runner.invoke(
        cli,
        [
            "money",
            "statement",
            str(statement),
            "--account-label",
            "Bank",
            "--as",
            "spv",
            "--on",
            "2019-08-31",
        ],
    )
    after = runner.invoke(cli, args)

    assert before.exit_code == 1 and "not_on_statement: K1" in before.output, before.output
    assert after.exit_code == 0 and "CLEAN" in after.output, after.output
    assert "Rp 5.500.000" in after.output


def test_funds_decree_allocation_and_batch_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/money.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("JEJAK_DATABASE_URL", url)
    monkeypatch.setenv("JEJAK_MASTER_KEY", key)
    monkeypatch.setenv("JEJAK_PASSWORD", "supervisor-password-9")
    jejak = Jejak.start(Settings(database_url=url, master_key=key))
    try:
        accounts = fast_accounts(jejak)
        for name in ("spv", "ppk"):
            accounts.create(name, "supervisor-password-9", Role.SUPERVISOR, "Dinsos", name)
        (person,) = returned_home(jejak.app, 1)
        jejak.app.beneficiaries.record_bank_account(
            person,
            bank_code="124",
            account_number="0012340000",
            holder_name="CONTOH SATU LEDGER",
            provenance=by(SUPERVISOR, date(2019, 7, 12), "buku_tabungan"),
        )
    finally:
        jejak.close()
    lines = tmp_path / "lines.csv"
    lines.write_text("case_number,component,tranche,amount\nTRK-JP-0001,uep,1,5500000\n")
    budget = ["--year", "2019", "--source", "apbn", "--line", "DIPA-2019"]
    decree = ["--authority", "Direktur Rehsos", "--decree", "SK/9/2019"]
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["money", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run(
        "commit",
        *budget,
        "--funder",
        "Kemensos",
        "--amount",
        "5500000",
        "--document-number",
        "DIPA-027",
        "--as",
        "spv",
        "--on",
        "2019-01-02",
    )
    run(
        "decree",
        str(lines),
        *decree,
        "--legal-basis",
        "Permensos",
        "--as",
        "spv",
        "--on",
        "2019-03-04",
    )
    run("allocate", *budget, *decree, "--as", "ppk", "--on", "2019-03-11")
    run("batch", "B-7", *decree, "--as", "spv", "--on", "2019-08-01")
    refused = runner.invoke(cli, ["money", "approve", "B-7", "--as", "spv", "--on", "2019-08-01"])
    approved = run("approve", "B-7", "--as", "ppk", "--on", "2019-08-02")
    closed = run("close-year", *budget, "--as", "ppk", "--on", "2019-12-31")

    assert refused.exit_code == 1 and "FOUR_EYES_REQUIRED" in refused.output
    assert "every line is ordered" in approved
    assert "Rp 0 lapsed" in closed
    unknown = runner.invoke(cli, ["money", "approve", "B-404", "--as", "ppk", "--on", "2019-08-02"])
    assert unknown.exit_code == 1 and "NOT_FOUND" in unknown.output


def test_the_lifecycles_roles_hold_on_the_command_line(
    approved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jejak = Jejak.start()
    try:
        accounts = fast_accounts(jejak)
        accounts.create("opr", "operator-password-9", Role.OPERATOR, "Dinsos", "O")
        accounts.create("adm", "operator-password-9", Role.ADMIN, "Dinsos", "A")
        before = jejak.app.position()
    finally:
        jejak.close()
    monkeypatch.setenv("JEJAK_PASSWORD", "operator-password-9")
    runner = CliRunner()
    transfer = approved / "B-1.csv"

    refused = [
        runner.invoke(cli, ["money", "transfer-file", "B-1", "--out", str(transfer), *who])
        for who in (
            ["--as", "opr", "--on", "2019-08-02"],
            ["--as", "adm", "--on", "2019-08-02"],
        )
    ]
    approval = runner.invoke(
        cli, ["correct", "approve", str(uep_of_b1()), "--as", "opr", "--on", "2019-08-03"]
    )

    for result in (*refused, approval):
        assert result.exit_code == 2, result.output
        assert "ROLE_FORBIDDEN" in result.output
    assert not transfer.exists()
    jejak = Jejak.start()
    try:
        assert jejak.app.position() == before
    finally:
        jejak.close()


def uep_of_b1() -> UUID:
    """The entitlement in batch B-1."""
    jejak = Jejak.start()
    try:
        (entitlement,) = jejak.app.batch(PaymentBatch.create_id("B-1")).lines.values()
        return entitlement.entitlement_id
    finally:
        jejak.close()
