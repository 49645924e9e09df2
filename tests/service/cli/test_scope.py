"""The command line is held to the caller's scope as HTTP is (ADR 0044): another unit's case
is not found, the programme's records are the overseers' only, and a case handed over to a
training centre is accepted there, after which it is the centre's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.beneficiary import Beneficiary, IdentityEvidence, ReintegrationPath
from domain.identity import Sex
from domain.recording import Actor, Provenance, Role
from domain.units import Unit, UnitInfo, UnitKind
from service.cli.main import cli
from service.commands.beneficiaries import NewBeneficiary
from service.settings import Settings
from service.system import Jejak
from tests.conftest import cli_store, fast_accounts
from tests.contract.journey import BIRTH, HOME, NIK, OPERATOR, by, closed_site

PASSWORD = "scope-password-9"
UNITS = (
    UnitInfo("DINSOS-KALTARA", "Dinsosnakertrans Kaltara", UnitKind.PROVINCE, "65"),
    UnitInfo("DINSOS-TARAKAN", "Dinas Sosial Kota Tarakan", UnitKind.REGENCY, "65.71"),
    UnitInfo("DINSOS-NUNUKAN", "Dinas Sosial Kab. Nunukan", UnitKind.REGENCY, "65.03"),
    UnitInfo(
        "PSKW-SAMARINDA", "UPTD PSKW Samarinda", UnitKind.TRAINING_CENTRE, "64.72", ("KTM-PSKW-HM",)
    ),
)
ACCOUNTS = {
    "tarakan": (Role.OPERATOR, "DINSOS-TARAKAN"),
    "nunukan": (Role.OPERATOR, "DINSOS-NUNUKAN"),
    "pskw": (Role.OPERATOR, "PSKW-SAMARINDA"),
    "dpo.nunukan": (Role.DPO, "DINSOS-NUNUKAN"),
    "dpo": (Role.DPO, "DINSOS-KALTARA"),
}
TARAKAN = Actor("tarakan", Role.OPERATOR, "DINSOS-TARAKAN")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """TRK-JP-0001 registered at Tarakan, then sent by Tarakan to train in Samarinda."""
    settings = cli_store(tmp_path, monkeypatch, PASSWORD)
    jejak = Jejak.start(settings)
    try:
        accounts = fast_accounts(jejak)
        for username, (role, unit) in ACCOUNTS.items():
            accounts.create(username, PASSWORD, role, unit, username)
        app = jejak.app
        site = closed_site(app)
        app.beneficiaries.register_roster(
            site,
            [NewBeneficiary("TRK-JP-0001", "Siti Contoh")],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
        admin = Provenance(Actor("adm", Role.ADMIN, "DINSOS-KALTARA"), date(2016, 1, 4))
        for info in UNITS:
            app.commit(Unit.establish(info, provenance=admin))
        case = Beneficiary.create_id("TRK-JP-0001")
        app.beneficiaries.verify_identity(
            case,
            evidence=IdentityEvidence(NIK, BIRTH, Sex.FEMALE),
            provenance=by(TARAKAN, date(2018, 11, 20), "ktp"),
        )
        app.beneficiaries.assess(
            case,
            home_region=HOME,
            path=ReintegrationPath.RETURN_HOME,
            notes=None,
            provenance=by(TARAKAN, date(2019, 1, 11), "surat_keterangan"),
        )
        app.beneficiaries.send_to_training(
            case, facility_id="KTM-PSKW-HM", provenance=by(TARAKAN, date(2019, 2, 11))
        )
    finally:
        jejak.close()
    return settings


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


def test_another_units_case_is_not_found_and_its_programme_records_are_the_overseers(
    store: Settings,
) -> None:
    assert "TRK-JP-0001" in run("search", "case", "TRK-JP", "--as", "tarakan")[1]
    assert "TRK-JP-0001" not in run("search", "case", "TRK-JP", "--as", "nunukan")[1]
    code, history = run("history", "TRK-JP-0001", "--as", "nunukan")
    assert code != 0 and "NOT_FOUND" in history

    assert run("access-log", "--as", "dpo")[0] == 0
    code, refused = run("access-log", "--as", "dpo.nunukan")
    assert code != 0 and "NOT_FOUND" in refused


def test_a_case_handed_over_is_the_receiving_units_once_it_accepts(store: Settings) -> None:
    # Until the centre accepts, Tarakan holds her case and the centre sees it to accept it.
    assert run("history", "TRK-JP-0001", "--as", "tarakan")[0] == 0
    assert run("history", "TRK-JP-0001", "--as", "pskw")[0] == 0
    code, refused = run(
        "beneficiaries", "accept-hand-over", "TRK-JP-0001", "--as", "nunukan", "--on", "2019-02-12"
    )
    assert code != 0 and "OUT_OF_SCOPE" in refused

    code, accepted = run(
        "beneficiaries", "accept-hand-over", "TRK-JP-0001", "--as", "pskw", "--on", "2019-02-12"
    )
    assert code == 0, accepted
    assert "PSKW-SAMARINDA" in accepted

    code, again = run(
        "beneficiaries", "accept-hand-over", "TRK-JP-0001", "--as", "pskw", "--on", "2019-02-13"
    )
    assert code != 0 and "HANDOVER_NOT_AWAITED" in again
    code, gone = run("history", "TRK-JP-0001", "--as", "tarakan")
    assert code != 0 and "NOT_FOUND" in gone
