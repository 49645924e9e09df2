"""`jejak access-log`: the access log on the command line for the data-protection officer and
the auditors, refused to other roles (ADR 0042)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.recording import Role
from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts

PASSWORD = "access-log-password-1"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with a DPO `pdp`, an operator `opi`, an administrator `adm` and two logins of
    `opi`."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("pdp", PASSWORD, Role.DPO, "Dinsos Kaltara", "PPDP")
        accounts.create("opi", PASSWORD, Role.OPERATOR, "Dinsos Tarakan", "Operator")
        accounts.create("adm", PASSWORD, Role.ADMIN, "Dinsos Kaltara", "Administrator")
        for _ in range(2):
            jejak.access_log.record("opi", Role.OPERATOR, "login")
    finally:
        jejak.close()
    return tmp_path


def test_the_dpo_reads_the_log_as_csv_filtered_and_the_read_is_logged(store: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["access-log", "--as", "pdp", "--user-id", "opi", "--format", "csv"]
    )
    table = runner.invoke(cli, ["access-log", "--as", "pdp"])
    newest = runner.invoke(cli, ["access-log", "--as", "pdp", "--limit", "1", "--format", "csv"])

    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [(r[2], r[4], r[9]) for r in rows[1:]] == [("opi", "login", "cli")] * 2
    assert table.exit_code == 0, table.output
    (entry,) = list(csv.reader(io.StringIO(newest.stdout.lstrip("\ufeff"))))[1:]
    assert (entry[2], entry[4]) == ("pdp", "read_access_log")
    assert entry[8] == "table, 3 rows, filters: none"


def test_an_operator_may_not_read_the_log(store: Path) -> None:
    result = CliRunner().invoke(cli, ["access-log", "--as", "opi"])
    assert result.exit_code == 2 and "ROLE_FORBIDDEN" in result.output


def test_an_instant_without_its_time_zone_is_a_usage_error(store: Path) -> None:
    result = CliRunner().invoke(cli, ["access-log", "--as", "pdp", "--from", "2026-12-06T10:00"])
    assert result.exit_code == 2 and "time zone" in result.output


def test_an_administrator_adds_a_dpo_account(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JEJAK_NEW_PASSWORD", "another-password-1")
    added = CliRunner().invoke(
        cli,
        [
            *("users", "add", "ppdp2", "dpo"),
            *("--org-unit", "Dinsos", "--display-name", "PPDP", "--as", "adm"),
        ],
    )
    assert added.exit_code == 0, added.output
    assert "Created ppdp2 (dpo)." in added.output


def test_the_chain_is_sealed_signed_kept_and_verified_on_the_command_line(
    store: Path,
) -> None:
    runner = CliRunner()
    held = store / "access-log-checkpoints.json"

    sealed = runner.invoke(cli, ["access-log", "seal"])
    signed = runner.invoke(cli, ["access-log", "checkpoint", "--as", "adm"])
    kept = runner.invoke(cli, ["access-log", "checkpoints", "--as", "pdp", "--out", str(held)])
    intact = runner.invoke(cli, ["access-log", "verify", "--as", "pdp", "--checkpoints", str(held)])

    assert sealed.exit_code == 0, sealed.output
    assert "Sealed 2 entries; the chain's head is entry 2." in sealed.output
    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.stdout)["format"] == "jejak-access-log-checkpoint-v1"
    assert kept.exit_code == 0, kept.output
    assert len(json.loads(held.read_text())["checkpoints"]) == 1
    assert intact.exit_code == 0, intact.output
    assert "intact up to entry" in intact.output and "1 signed checkpoints" in intact.output

    with sqlite3.connect(store / "cli.db") as conn:
        conn.execute("UPDATE access_log SET user_id = 'someone' WHERE id = 2")
    broken = runner.invoke(cli, ["access-log", "verify", "--as", "pdp", "--checkpoints", str(held)])

    assert broken.exit_code == 1, broken.output
    assert "BROKEN at entry 2: changed" in broken.output
    logged = runner.invoke(
        cli, ["access-log", "--as", "pdp", "--action", "verify_access_log", "--format", "csv"]
    )
    details = [r[8] for r in csv.reader(io.StringIO(logged.stdout.lstrip("\ufeff")))][1:]
    assert details[0].startswith("broken at entry 2: changed")
    assert details[1].startswith("intact up to entry")


def test_the_chain_refuses_the_roles_it_is_not_for(store: Path) -> None:
    runner = CliRunner()
    for command in (["verify"], ["checkpoints"]):
        refused = runner.invoke(cli, ["access-log", *command, "--as", "opi"])
        assert refused.exit_code == 2 and "ROLE_FORBIDDEN" in refused.output, command
    unsigned = runner.invoke(cli, ["access-log", "checkpoint", "--as", "pdp"])
    assert unsigned.exit_code == 2 and "ROLE_FORBIDDEN" in unsigned.output
    unnamed = runner.invoke(cli, ["access-log", "verify"])
    assert unnamed.exit_code == 2 and "--as" in unnamed.output


def test_the_event_logs_checkpoints_are_not_the_access_logs(store: Path) -> None:
    runner = CliRunner()
    events = store / "event-checkpoints.json"
    checkpoint = {
        "format": "jejak-checkpoint-v1",
        "position": 1,
        "link_hash": "0" * 64,
        "signed_at": "2026-12-06T00:00:00+00:00",
        "key_id": "0" * 16,
        "signature": "",
    }
    events.write_text(json.dumps({"checkpoints": [checkpoint]}))

    refused = runner.invoke(
        cli, ["access-log", "verify", "--as", "pdp", "--checkpoints", str(events)]
    )

    assert refused.exit_code == 1 and "INVALID_VALUE" in refused.output
    assert "jejak access-log checkpoints" in refused.output
