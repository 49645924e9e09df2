"""`jejak roster import`: a pendataan roster from a CSV file, checked line by line against its
rules and the store, then registered in one transaction (ADR 0029). On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.beneficiary import Beneficiary
from domain.recording import Role
from service.cli.main import cli
from service.errors import NotFound
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import closed_site

PASSWORD = "operator-password-9"


@pytest.fixture
def store(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A store with the closed site TRK-JP, an operator and an auditor."""
    settings = cli_store(tmp_path, monkeypatch, PASSWORD)
    monkeypatch.setenv("JEJAK_DATABASE_URL", store_url)
    settings = settings.model_copy(update={"database_url": store_url})
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
    # Tracebacks are never the answer; the console's line wrapping is undone for matching.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


def imported(roster: Path) -> tuple[int, str]:
    """`jejak roster import` of the file at TRK-JP by the operator."""
    return run(str(roster), "--site", "TRK-JP", "--as", "operator1")


def test_an_operator_imports_a_roster_and_nothing_personal_is_printed(
    store: Settings, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", range(1, 26))
    code, output = imported(roster)
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
    code, output = imported(roster)
    assert code == 1
    assert "line 7" in output and "site code TRK-JP" in output
    twice = write_roster(tmp_path / "twice.csv", range(1, 4), extra="TRK-JP-0002,Kembar,\n")
    code, output = imported(twice)
    assert code == 1 and "line 5" in output and "also on line 3" in output
    assert not any(registered(store, range(1, 6)))


def registered(store: Settings, numbers: range) -> list[bool]:
    jejak = Jejak.start(store)
    try:
        found = []
        for n in numbers:
            try:
                jejak.app.beneficiary(Beneficiary.create_id(f"TRK-JP-{n:04d}"))
                found.append(True)
            except NotFound:
                found.append(False)
        return found
    finally:
        jejak.close()


def test_a_file_whose_line_702_is_already_registered_writes_nothing_and_names_the_line(
    store: Settings, tmp_path: Path
) -> None:
    earlier = write_roster(tmp_path / "earlier.csv", range(9000, 9001))
    assert imported(earlier)[0] == 0
    # Lines 2 to 701 are new people; line 702 repeats the case number registered above.
    roster = write_roster(
        tmp_path / "roster.csv", range(1, 701), extra="TRK-JP-9000,Contoh Lagi,\n"
    )

    code, output = imported(roster)

    assert code == 1
    assert "ALREADY_REGISTERED" in output and "line 702" in output and "TRK-JP-9000" in output
    assert "Contoh" not in output
    assert not any(registered(store, range(1, 701)))

    # The same file without that line goes in whole.
    fixed = write_roster(tmp_path / "fixed.csv", range(1, 701))
    code, output = imported(fixed)
    assert code == 0 and "Registered 700 people" in output
    assert all(registered(store, range(1, 701)))


def test_a_rerun_of_an_imported_file_is_refused_whole_naming_its_first_line(
    store: Settings, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", range(1, 6))
    assert imported(roster)[0] == 0
    code, output = imported(roster)
    assert code == 1
    assert "line 2: case number TRK-JP-0001 is already registered" in output
    assert "so are 4 later rows" in output


def test_a_phone_the_api_would_refuse_is_refused_on_its_line(
    store: Settings, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", range(1, 4), extra="TRK-JP-0004,Contoh,12ab\n")
    code, output = imported(roster)
    assert code == 1
    assert "INVALID_VALUE" in output and "line 5" in output and "phone" in output
    assert "12ab" not in output
    assert not any(registered(store, range(1, 4)))


def test_a_file_that_is_not_utf8_is_refused_naming_the_file_and_line(
    store: Settings, tmp_path: Path
) -> None:
    roster = tmp_path / "latin1.csv"
    roster.write_bytes(
        "case_number,name,phone\nTRK-JP-0001,Contoh Satu,\nTRK-JP-0002,Contoh Dü,\n".encode(
            "latin-1"
        )
    )
    code, output = imported(roster)
    assert code == 1
    assert "INVALID_VALUE: latin1.csv, line 3: not UTF-8" in output


def test_a_line_over_the_csv_field_limit_is_refused_naming_the_file_and_line(
    store: Settings, tmp_path: Path
) -> None:
    roster = write_roster(
        tmp_path / "huge.csv", range(1, 3), extra=f"TRK-JP-0003,{'x' * 200_000},\n"
    )
    code, output = imported(roster)
    assert code == 1
    assert "huge.csv, line 4: field larger than field limit" in output
    assert "xxxx" not in output


def test_an_auditor_cannot_import(store: Settings, tmp_path: Path) -> None:
    code, output = run(
        str(write_roster(tmp_path / "r.csv", range(1, 3))), "--site", "TRK-JP", "--as", "auditor1"
    )
    assert code == 1 and "ROLE_FORBIDDEN" in output
