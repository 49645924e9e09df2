"""`jejak reports`: a supervisor publishes the third quarter of 2019 from the command line, an
auditor may not, and a late entry and a later correction show in the comparison."""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.beneficiary import Beneficiary
from domain.recording import Role
from service.cli.main import cli
from service.settings import Settings
from service.system import Jejak
from tests.conftest import fast_accounts
from tests.contract.journey import OPERATOR, by, run_journey, version_of

PASSWORD = "reports-password-9"
PUBLISH = [
    "reports",
    "publish",
    "--period",
    "2019-Q3",
    "--addressee",
    "Direktorat Rehabilitasi Sosial Tuna Sosial, Kementerian Sosial RI",
    "--letter",
    "400/7/DINSOS/2019",
    "--on",
    "2019-10-07",
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A store with one person's journey, a supervisor `spv` and an auditor `aud` (one
    password, in the environment); returns the store's URL and key."""
    url = f"sqlite:///{tmp_path}/cli.db"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("JEJAK_DATABASE_URL", url)
    monkeypatch.setenv("JEJAK_MASTER_KEY", key)
    monkeypatch.setenv("JEJAK_PASSWORD", PASSWORD)
    jejak = Jejak.start(Settings(database_url=url, master_key=key))
    try:
        accounts = fast_accounts(jejak)
        accounts.create("spv", PASSWORD, Role.SUPERVISOR, "Dinsos Provinsi Kaltara", "S")
        accounts.create("aud", PASSWORD, Role.AUDITOR, "Inspektorat", "A")
        run_journey(jejak.app)
    finally:
        jejak.close()
    return url, key


def test_a_supervisor_publishes_and_a_late_entry_shows_in_the_comparison(
    store: tuple[str, str],
) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, [*PUBLISH, "--as", "aud"])
    assert refused.exit_code == 1 and "ROLE_FORBIDDEN" in refused.output

    published = runner.invoke(cli, [*PUBLISH, "--as", "spv"])

    assert published.exit_code == 0, published.output
    assert "version 1" in published.output
    found = re.search(r"sha256\s+([0-9a-f]{64})", published.output)
    assert found is not None
    again = runner.invoke(cli, [*PUBLISH, "--as", "spv"])
    assert again.exit_code == 1 and "REPORT_ALREADY_PUBLISHED" in again.output
    url, key = store
    jejak = Jejak.start(Settings(database_url=url, master_key=key))
    try:
        late = jejak.app.beneficiaries.withdraw(
            Beneficiary.create_id("TRK-JP-0002"),
            provenance=by(OPERATOR, date(2019, 8, 15), reason="Moved away"),
        )
        # A wrong date found after it: her case was closed in October.
        her = Beneficiary.create_id("TRK-JP-0001")
        redated = jejak.app.corrections.correct_beneficiary_date(
            her,
            corrects_version=version_of(jejak.app, her, "CaseClosed"),
            corrected_date=date(2019, 10, 3),
            provenance=by(OPERATOR, date(2019, 10, 21), "berita_acara", "dated in the minutes"),
        )
    finally:
        jejak.close()

    compared = runner.invoke(cli, ["reports", "compare", "2019-Q3"])

    assert compared.exit_code == 0, compared.output
    assert "frozen figures match their sha256" in compared.output
    assert "sites.TRK-JP.in_period.withdrew: 0 -> 1 (+1)" in compared.output
    assert f"  {late.position}  BeneficiaryWithdrew  Beneficiary TRK-JP-0002" in compared.output
    assert "by opi (operator" in compared.output
    assert "sites.TRK-JP.in_period.cases_closed: 1 -> 0 (-1)" in compared.output
    assert (
        f"  {redated.position}  BeneficiaryDateCorrected  Beneficiary TRK-JP-0001"
        in compared.output
    )
    assert "corrects v" in compared.output
    assert " CaseClosed dated 2019-09-10 -> 2019-10-03" in compared.output
    listed = runner.invoke(cli, ["reports", "list"])
    assert listed.exit_code == 0 and found.group(1) in listed.output
    assert "1 of 1 reports." in listed.output
    shown = runner.invoke(cli, ["reports", "show", "2019-Q3", "--json"])
    assert shown.exit_code == 0, shown.output
    answer = json.loads(shown.output)
    assert answer["content_intact"] is True and answer["content_sha256"] == found.group(1)
    corrected = runner.invoke(
        cli,
        [*PUBLISH, "--as", "spv", "--replaces", "1", "--reason", "A withdrawal entered late"],
    )
    assert corrected.exit_code == 0 and "version 2" in corrected.output
    unknown = runner.invoke(cli, ["reports", "show", "2019-Q2"])
    assert unknown.exit_code == 1 and "NOT_FOUND" in unknown.output
