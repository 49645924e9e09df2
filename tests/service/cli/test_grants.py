"""`jejak units`, `jejak users move`, `jejak assignments` and `jejak grants`, run as a user
would (ADR 0045)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.recording import Actor, Provenance, Role
from service.cli.main import cli
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts

PASSWORD = "cli-password-1"
SET_UP = Provenance(Actor("adm", Role.ADMIN, "-"), date(2016, 1, 4))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store without units, with an administrator, a supervisor and an examiner opened in
    January 2016."""
    jejak = Jejak.start(cli_store(tmp_path, monkeypatch, PASSWORD))
    try:
        accounts = fast_accounts(jejak)
        for username, role in (
            ("adm", Role.ADMIN),
            ("spv.t", Role.SUPERVISOR),
            ("bpk.ani", Role.AUDITOR),
        ):
            accounts.create(username, PASSWORD, role, "Dinsos", username, provenance=SET_UP)
    finally:
        jejak.close()
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_units_accounts_moves_and_an_assignment_answer_who_could(store: Path) -> None:
    for code, kind, region in (
        ("DINSOS-TARAKAN", "regency", "65.71"),
        ("DINSOS-NUNUKAN", "regency", "65.03"),
        ("BPK-KALTARA", "audit_body", "65"),
    ):
        run(
            *("units", "add", "--code", code, "--name", code.title(), "--kind", kind),
            *("--region", region, "--as", "adm", "--on", "2016-01-04"),
        )
    assert "DINSOS-NUNUKAN" in run("units", "list")
    run("users", "move", "spv.t", "--unit", "DINSOS-TARAKAN", "--as", "adm", "--on", "2016-02-01")
    run(
        *("users", "move", "spv.t", "--unit", "DINSOS-NUNUKAN", "--as", "adm"),
        *("--on", "2019-09-01", "--letter", "SK/12/2019", "--letter-issuer", "Kepala Dinas"),
    )
    run("users", "move", "bpk.ani", "--unit", "BPK-KALTARA", "--as", "adm", "--on", "2016-02-01")
    run(
        *("assignments", "give", "bpk.ani", "--unit", "DINSOS-TARAKAN"),
        *("--from", "2019-07-01", "--until", "2019-09-30", "--letter", "ST/45/BPK/2019"),
        *("--letter-issuer", "BPK Perwakilan Kaltara", "--as", "adm", "--on", "2019-06-28"),
    )

    august = run(
        *("grants", "who-could", "--command", "approve_batch"),
        *("--unit", "DINSOS-TARAKAN", "--on", "2019-08-01", "--as", "bpk.ani"),
    )
    september = run(
        *("grants", "who-could", "--command", "approve_batch"),
        *("--region", "65.71", "--on", "2019-09-01", "--as", "bpk.ani"),
    )
    history = run("grants", "history", "spv.t", "--as", "adm")
    assignments = run("assignments", "list", "--as", "bpk.ani")

    assert "spv.t" in august and "1 could approve_batch" in august
    assert "0 could approve_batch" in september
    assert "2019-08-31" in history and "SK/12/2019" in history
    assert "DINSOS-TARAKAN" in assignments and "ST/45/BPK/2019" in assignments
    assert "every account's row follows" in run("users", "check").lower()


def test_an_unknown_unit_and_a_reader_without_the_role_are_refused(store: Path) -> None:
    run(
        *("units", "add", "--code", "DINSOS-TARAKAN", "--name", "Tarakan", "--kind", "regency"),
        *("--region", "65.71", "--as", "adm", "--on", "2016-01-04"),
    )
    runner = CliRunner()
    unknown = runner.invoke(
        cli, ["users", "move", "spv.t", "--unit", "DINSOS-BULUNGAN", "--as", "adm"]
    )
    by_a_supervisor = runner.invoke(
        cli,
        [
            "grants",
            "who-could",
            "--command",
            "approve_batch",
            "--unit",
            "DINSOS-TARAKAN",
            "--as",
            "spv.t",
        ],
    )

    assert unknown.exit_code == 1 and "UNIT_UNKNOWN" in unknown.output
    assert by_a_supervisor.exit_code == 2 and "ROLE_FORBIDDEN" in by_a_supervisor.output
