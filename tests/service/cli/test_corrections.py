"""`jejak correct` and `jejak history`: corrections from the command line, as named people."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import pytest
from typer.testing import CliRunner

from domain.beneficiary import Beneficiary
from domain.recording import RegionRef, Role
from domain.site import Site
from service.cli.main import cli
from service.settings import Settings
from service.system import Jejak
from tests.conftest import fast_accounts
from tests.contract.journey import UEP, run_journey

T = TypeVar("T")
PASSWORD = "supervisor-password-9"
PAPER = [
    "--doc-kind",
    "nota_dinas",
    "--doc-number",
    "ND/2019/10",
    "--doc-date",
    "2019-10-01",
    "--doc-issuer",
    "Dinsos",
]


@pytest.fixture
def journeyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> UUID:
    """A store holding the journey and two supervisors; her credited capital's id."""
    url = f"sqlite:///{tmp_path}/cli.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("JEJAK_DATABASE_URL", url)
    monkeypatch.setenv("JEJAK_MASTER_KEY", key)
    monkeypatch.setenv("JEJAK_PASSWORD", PASSWORD)
    jejak = Jejak.start(Settings(database_url=url, master_key=key))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos", "S")
        accounts.create("spv2", PASSWORD, Role.SUPERVISOR, "Kemensos", "S2")
        return run_journey(jejak.app).entitlements[0]
    finally:
        jejak.close()


def correct(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["correct", *arguments])
    return result.exit_code, result.output


def _stored(read: Callable[[Jejak], T]) -> T:
    """What `read` finds in the store the commands wrote to."""
    jejak = Jejak.start()
    try:
        return read(jejak)
    finally:
        jejak.close()


def test_a_date_is_corrected_and_the_history_shows_both(journeyed: UUID) -> None:
    code, output = correct(
        "date", "TRK-JP", "2", "2017-08-12", "--as", "spv", "--on", "2019-10-01",
        "--reason", "the minutes are dated 12 August", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    history = CliRunner().invoke(cli, ["history", "TRK-JP", "--as", "spv"])

    assert history.exit_code == 0, history.output
    lines = history.output.splitlines()
    assert any(line.startswith("v2 2017-08-10 SosialisasiHeld") for line in lines)
    assert any("[corrected by v5]" in line for line in lines)
    assert any("SiteDateCorrected" in line and "12 August" in line for line in lines)


def test_her_pendataan_date_is_corrected_by_her_case_number(journeyed: UUID) -> None:
    code, output = correct(
        "date", "TRK-JP-0001", "1", "2016-03-21", "--as", "spv", "--on", "2019-10-01",
        "--reason", "counted the day after", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    her = _stored(lambda j: j.app.beneficiary(Beneficiary.create_id("TRK-JP-0001")))
    assert her.pendataan_on == date(2016, 3, 21)


def test_a_money_correction_is_approved_by_a_second_supervisor_only(journeyed: UUID) -> None:
    capital = str(journeyed)
    code, output = correct(
        "money", capital, "4", "--amount", str(UEP - 50_000), "--as", "spv",
        "--on", "2019-10-01", "--reason", "held back by the bank", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    same = correct("approve", capital, "--as", "spv", "--on", "2019-10-02")
    second = correct("approve", capital, "--as", "spv2", "--on", "2019-10-02")

    assert same[0] == 1 and "FOUR_EYES_REQUIRED" in same[1]
    assert second[0] == 0, second[1]
    assert _stored(lambda j: j.app.entitlement(journeyed).credited_amount) == UEP - 50_000


def test_a_correction_that_changes_nothing_is_refused_with_its_code(journeyed: UUID) -> None:
    code, output = correct(
        "date", "TRK-JP", "2", "2017-08-10", "--as", "spv", "--on", "2019-10-01",
        "--reason", "checking", *PAPER,
    )  # fmt: skip

    assert code == 1 and "NOTHING_TO_CORRECT" in output


def test_a_site_s_aliases_and_kelurahan_are_corrected_as_over_http(journeyed: UUID) -> None:
    code, output = correct(
        "site-details", "TRK-JP", "--alias", "Juwata Permai", "--alias", "Juata Permai Laut",
        "--kelurahan", "65.71.04.1003", "--as", "spv", "--on", "2019-10-01",
        "--reason", "the kelurahan's letter", *PAPER,
    )  # fmt: skip
    assert code == 0, output
    site = _stored(lambda j: j.app.site(Site.create_id("TRK-JP")))
    assert site.aliases == ("Juwata Permai", "Juata Permai Laut")
    assert site.kelurahan == RegionRef("kemendagri", "65.71.04.1003")

    code, output = correct(
        "site-details", "TRK-JP", "--no-aliases", "--as", "spv", "--on", "2019-10-01",
        "--reason", "no other name is in use", *PAPER,
    )  # fmt: skip
    assert code == 0, output
    assert _stored(lambda j: j.app.site(Site.create_id("TRK-JP")).aliases) == ()


def test_both_alias_options_at_once_are_refused(journeyed: UUID) -> None:
    code, output = correct(
        "site-details", "TRK-JP", "--alias", "Juwata", "--no-aliases", "--as", "spv",
        "--on", "2019-10-01", "--reason", "r", *PAPER,
    )  # fmt: skip

    assert code == 2 and "--alias" in output


@pytest.mark.parametrize(
    ("subject", "version", "kind"),
    [("TRK-JP", 3, "decree"), ("TRK-JP-0001", 5, "sertifikat")],
    ids=["the site's closure decree", "her training certificate"],
)
def test_a_document_reference_is_corrected_on_a_site_or_her_case(
    journeyed: UUID, subject: str, version: int, kind: str
) -> None:
    code, output = correct(
        "document", subject, str(version), "--corrected-kind", kind,
        "--corrected-number", "DEMO/CORRECT/1", "--corrected-date", "2018-12-20",
        "--corrected-issuer", "Wali Kota Tarakan", "--as", "spv", "--on", "2019-10-01",
        "--reason", "the number was typed wrongly", *PAPER,
    )  # fmt: skip
    assert code == 0, output

    history = CliRunner().invoke(cli, ["history", subject, "--as", "spv"])
    lines = history.output.splitlines()
    assert any(line.startswith(f"v{version} ") and "[corrected by" in line for line in lines)
    assert any("DocumentCorrected" in line and "typed wrongly" in line for line in lines)
    assert "DEMO/CORRECT/1" in history.output
