"""Which unit holds each site and case, on SQLite and PostgreSQL (ADR 0044): units set up after
the first records take over the sites of their region and the cases still there; a case sent
to a training centre in the system waits for the centre's acceptance, and one returned to a
home region with no unit goes to the province; every save is held to its actor's scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.beneficiary import Beneficiary, IdentityEvidence, ReintegrationPath
from domain.errors import OutOfScope
from domain.identity import Sex
from domain.recording import Actor, Provenance, Role
from domain.units import EVERYTHING, Unit, UnitInfo, UnitKind
from projections.custody import case_units, site_units
from service.commands.beneficiaries import NewBeneficiary
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.system import Jejak
from tests.contract.journey import BIRTH, HOME, NIK, OPERATOR, by, closed_site

UNITS = (
    UnitInfo("DINSOS-KALTARA", "Dinsosnakertrans Kaltara", UnitKind.PROVINCE, "65"),
    UnitInfo("DINSOS-TARAKAN", "Dinas Sosial Kota Tarakan", UnitKind.REGENCY, "65.71"),
    UnitInfo("DINSOS-NUNUKAN", "Dinas Sosial Kab. Nunukan", UnitKind.REGENCY, "65.03"),
    UnitInfo(
        "PSKW-SAMARINDA", "UPTD PSKW Samarinda", UnitKind.TRAINING_CENTRE, "64.72", ("KTM-PSKW-HM",)
    ),
)
TARAKAN = Actor("tarakan", Role.OPERATOR, "DINSOS-TARAKAN")
NUNUKAN = Actor("nunukan", Role.OPERATOR, "DINSOS-NUNUKAN")
CENTRE = Actor("pskw", Role.OPERATOR, "PSKW-SAMARINDA")
CASE = Beneficiary.create_id("TRK-JP-0001")
PROVINCE = Account("sup", Role.SUPERVISOR, "DINSOS-KALTARA", "Supervisor", True)


def custody(jejak: Jejak) -> tuple[str | None, str | None]:
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        row = conn.execute(
            select(case_units.c.unit, case_units.c.incoming_unit).where(
                case_units.c.beneficiary_id == str(CASE)
            )
        ).one()
    return row.unit, row.incoming_unit


def next_actions(jejak: Jejak, unit: str) -> list[str]:
    scope = jejak.scopes.of("someone", Role.OPERATOR, unit)
    work = ReadModels.of(jejak, scope).worklist.list(
        as_of=date(2019, 3, 1),
        overdue_only=False,
        site_id=None,
        kind="beneficiary",
        limit=50,
        offset=0,
    )
    return [item["next_action"] for item in work.items]


def test_a_case_follows_her_events_from_unit_to_unit(jejak: Jejak) -> None:
    app = jejak.app
    site = closed_site(app)
    app.beneficiaries.register_roster(
        site,
        [NewBeneficiary("TRK-JP-0001", "Siti Contoh")],
        provenance=by(OPERATOR, date(2016, 3, 20)),
    )
    assert custody(jejak) == (None, None)
    admin = Provenance(Actor("adm", Role.ADMIN, "DINSOS-KALTARA"), date(2016, 1, 4))
    for info in UNITS:
        app.commit(Unit.establish(info, provenance=admin))

    # The units take over the site of their region and the case still held there.
    assert custody(jejak) == ("DINSOS-TARAKAN", None)
    with jejak.engine.connect() as conn:
        assert conn.execute(select(site_units.c.unit)).scalars().all() == ["DINSOS-TARAKAN"]

    # Another unit may not act on her case; nothing is written.
    before = app.position()
    with pytest.raises(OutOfScope):
        app.beneficiaries.verify_identity(
            CASE,
            evidence=IdentityEvidence(NIK, BIRTH, Sex.FEMALE),
            provenance=by(NUNUKAN, date(2018, 11, 20), "ktp"),
        )
    assert app.position() == before

    app.beneficiaries.verify_identity(
        CASE,
        evidence=IdentityEvidence(NIK, BIRTH, Sex.FEMALE),
        provenance=by(TARAKAN, date(2018, 11, 20), "ktp"),
    )
    app.beneficiaries.assess(
        CASE,
        home_region=HOME,
        path=ReintegrationPath.RETURN_HOME,
        notes=None,
        provenance=by(TARAKAN, date(2019, 1, 11), "surat_keterangan"),
    )
    app.beneficiaries.send_to_training(
        CASE, facility_id="KTM-PSKW-HM", provenance=by(TARAKAN, date(2019, 2, 11))
    )
    # Sent to a centre in the system: Tarakan holds her until the centre accepts.
    assert custody(jejak) == ("DINSOS-TARAKAN", "PSKW-SAMARINDA")
    # The centre's worklist asks it to accept her; Tarakan's still shows her training.
    assert next_actions(jejak, "PSKW-SAMARINDA") == ["accept_hand_over"]
    assert next_actions(jejak, "DINSOS-TARAKAN") == ["complete_training"]
    assert next_actions(jejak, "DINSOS-NUNUKAN") == []
    case = ReadModels.of(jejak, EVERYTHING).beneficiaries.one(PROVINCE, CASE)
    assert (case["held_by"], case["awaiting_acceptance_by"]) == ("DINSOS-TARAKAN", "PSKW-SAMARINDA")

    app.beneficiaries.accept_hand_over(CASE, provenance=by(CENTRE, date(2019, 2, 12)))
    assert custody(jejak) == ("PSKW-SAMARINDA", None)
    with pytest.raises(OutOfScope):
        app.beneficiaries.complete_training(
            CASE, skill="menjahit", provenance=by(TARAKAN, date(2019, 6, 28), "sertifikat")
        )

    app.beneficiaries.complete_training(
        CASE, skill="menjahit", provenance=by(CENTRE, date(2019, 6, 28), "sertifikat")
    )
    app.beneficiaries.confirm_return_home(
        CASE, confirming_kelurahan=HOME, provenance=by(CENTRE, date(2019, 7, 10), "surat_tiba")
    )
    # Her home (East Java) has no unit in the system: the province holds her, at once.
    assert custody(jejak) == ("DINSOS-KALTARA", None)
