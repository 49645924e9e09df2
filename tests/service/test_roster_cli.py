"""`jejak roster import`: a pendataan roster from a CSV file, registered in rosters of `--chunk`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.beneficiary import Beneficiary
from domain.recording import Role
from service.application import NotFound
from service.cli import cli
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import closed_site

PASSWORD = "operator-password-9"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A store with the closed site TRK-JP, an operator and an auditor."""
    settings = cli_store(tmp_path, monkeypatch, PASSWORD)
    jejak = Jejak.start(settings)
    try:
        accounts = fast_accounts(jejak)
        accounts.create("operator1", PASSWORD, Role.OPERATOR, "Dinsos Kota Tarakan", "Operator")
        accounts.create("auditor1", PASSWORD, Role.AUDITOR, "BPK", "Auditor")
        closed_site(jejak.app)
    finally:
        jejak.close()
    return settings


def write_roster(path: Path, numbers: range, extra: str = "") -> Path:
    lines = ["case_number,name,phone"]
    lines += [f"TRK-JP-{n:04d},Contoh Orang {n},08125{n:06d}" for n in numbers]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["roster", "import", *args, "--on", "2016-03-20"])
    return result.exit_code, result.output


def test_an_operator_imports_a_roster_in_chunks_and_nothing_personal_is_printed(
    store: Settings, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", range(1, 26))
    code, output = run(str(roster), "--site", "TRK-JP", "--as", "operator1", "--chunk", "10")
    assert code == 0, output
    assert "Registered 25 people at TRK-JP" in output
    assert "Contoh" not in output and "08125" not in output
    jejak = Jejak.start(store)
    try:
        for n in (1, 10, 11, 25):
            person = jejak.app.beneficiary(Beneficiary.create_id(f"TRK-JP-{n:04d}"))
            assert jejak.vault.open(person.name) == f"Contoh Orang {n}"
            assert person.pendataan_on.isoformat() == "2016-03-20"
    finally:
        jejak.close()


def test_a_bad_row_is_named_by_its_line_and_nothing_is_written(
    store: Settings, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", range(1, 6), extra="NUN-XX-0001,Salah,\n")
    code, output = run(str(roster), "--site", "TRK-JP", "--as", "operator1")
    assert code == 1
    assert "line 7" in output and "site code TRK-JP" in output
    twice = write_roster(tmp_path / "twice.csv", range(1, 4), extra="TRK-JP-0002,Kembar,\n")
    code, output = run(str(twice), "--site", "TRK-JP", "--as", "operator1")
    assert code == 1 and "line 5" in output and "also on line 3" in output
    jejak = Jejak.start(store)
    try:
        with pytest.raises(NotFound):
            jejak.app.beneficiary(Beneficiary.create_id("TRK-JP-0001"))
    finally:
        jejak.close()


def test_a_roster_that_meets_a_registered_person_stops_there_and_says_how_far_it_got(
    store: Settings, tmp_path: Path
) -> None:
    assert (
        run(
            str(write_roster(tmp_path / "a.csv", range(15, 16))),
            "--site",
            "TRK-JP",
            "--as",
            "operator1",
        )[0]
        == 0
    )
    code, output = run(
        str(write_roster(tmp_path / "b.csv", range(1, 31))),
        "--site",
        "TRK-JP",
        "--as",
        "operator1",
        "--chunk",
        "10",
    )
    assert code == 1
    assert "ALREADY_REGISTERED" in output and "first 10 rows were registered" in output


def test_an_auditor_cannot_import(store: Settings, tmp_path: Path) -> None:
    code, output = run(
        str(write_roster(tmp_path / "r.csv", range(1, 3))), "--site", "TRK-JP", "--as", "auditor1"
    )
    assert code == 1 and "ROLE_FORBIDDEN" in output
