"""The audit checks through the application, on SQLite and PostgreSQL: what verification and the
money commands record is found by the projection the runner keeps, and an acknowledgement is a
command that keeps the finding."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from domain.beneficiary import IdentityEvidence
from domain.beneficiary_errors import ReasonRequired
from domain.decree import entitlement_id
from domain.identity import Sex, make_nik
from domain.recording import Provenance
from projections.audit_book import audit_of_log
from projections.audit_findings import audit_findings
from service.commands.base import AlreadyRegistered
from service.commands.beneficiaries import NewBeneficiary
from service.store.event_log import ApplicationEventSource
from service.system import Jejak
from tests.contract.journey import (
    BIRTH,
    CAPITAL,
    OPERATOR,
    SUPERVISOR,
    by,
    closed_site,
    paid_batch,
    ready_to_pay,
    returned_home,
)


def findings(jejak: Jejak) -> list[dict[str, Any]]:
    """The table as the runner left it, after checking it equals the pure fold of the log."""
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        rows = {r["finding_id"]: dict(r) for r in conn.execute(select(audit_findings)).mappings()}
    log = ApplicationEventSource(jejak.app).read_after(0, 100_000)
    assert rows == audit_of_log(log)[0]
    return list(rows.values())


def about(rows: list[dict[str, Any]], subject: object) -> dict[str, str]:
    """Rule id -> status of the findings about `subject`."""
    return {r["rule_id"]: r["status"] for r in rows if r["subject_id"] == str(subject)}


def test_the_same_name_and_birth_date_under_another_nik_is_found(jejak: Jejak) -> None:
    site_id = closed_site(jejak.app)
    first, second, third = (
        r.aggregate_id
        for r in jejak.app.beneficiaries.register_roster(
            site_id,
            [
                NewBeneficiary("TRK-JP-0001", "Contoh  Sari"),
                NewBeneficiary("TRK-JP-0002", "contoh sari"),
                NewBeneficiary("TRK-JP-0003", "Contoh Sari"),
            ],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    )
    for n, (person, born) in enumerate(
        ((first, BIRTH), (second, BIRTH), (third, date(1990, 1, 1))), start=9301
    ):
        jejak.app.beneficiaries.verify_identity(
            person,
            evidence=IdentityEvidence(make_nik("657104", born, Sex.FEMALE, n), born, Sex.FEMALE),
            provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
        )
    rows = findings(jejak)
    assert about(rows, second) == {"A06": "open"}
    assert about(rows, first) == about(rows, third) == {}


def test_a_nik_whose_region_no_kemendagri_list_knows_is_flagged_possibly_historic(
    jejak: Jejak,
) -> None:
    site_id = closed_site(jejak.app)
    unknown, known = (
        r.aggregate_id
        for r in jejak.app.beneficiaries.register_roster(
            site_id,
            [
                NewBeneficiary("TRK-JP-0001", "Contoh Satu"),
                NewBeneficiary("TRK-JP-0002", "Contoh Dua"),
            ],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    )
    # 64.04.01: a Kaltim kecamatan code from before Kaltara, in no list shipped today.
    for person, prefix in ((unknown, "640401"), (known, "120101")):
        jejak.app.beneficiaries.verify_identity(
            person,
            evidence=IdentityEvidence(make_nik(prefix, BIRTH, Sex.FEMALE, 9301), BIRTH, Sex.FEMALE),
            provenance=by(OPERATOR, date(2018, 11, 20), "ktp"),
        )
    rows = findings(jejak)

    assert about(rows, unknown) == {"A02": "open"}
    assert about(rows, known) == {}
    (a02,) = (r for r in rows if r["rule_id"] == "A02")
    assert "possibly historic" in a02["summary"]


def test_a_death_dated_before_a_credit_is_found_and_the_account_holder_flagged(
    jejak: Jejak,
) -> None:
    app = jejak.app
    site_id = closed_site(app)
    (bid,) = [
        r.aggregate_id
        for r in app.beneficiaries.register_roster(
            site_id,
            [NewBeneficiary("TRK-JP-0001", "Contoh Satu")],
            provenance=by(OPERATOR, date(2016, 3, 20)),
        )
    ]
    returned_home(app, bid, make_nik("657104", BIRTH, Sex.FEMALE, 9311))
    _, _, (capital, transport) = ready_to_pay(app, bid)
    paid_batch(app, "AUD-2019-01", [capital, transport], date(2019, 8, 1))
    # After the payment her account is changed to one in another name, by one person.
    app.beneficiaries.record_bank_account(
        bid,
        bank_code="124",
        account_number="5301234567000001",
        holder_name="Someone Else Entirely",
        provenance=by(OPERATOR, date(2019, 8, 20), "buku_tabungan"),
    )
    assert about(findings(jejak), bid) == {"A07": "open", "A24": "open"}
    # The death certificate arrives in September, dated the day before the credit.
    app.beneficiaries.record_death(bid, provenance=by(OPERATOR, date(2019, 8, 4), "surat_kematian"))
    rows = findings(jejak)
    assert about(rows, entitlement_id(bid, *CAPITAL))["A17"] == "open"
    assert about(rows, transport)["A17"] == "open"


def test_an_acknowledgement_needs_a_reason_is_made_once_and_keeps_the_finding(
    jejak: Jejak,
) -> None:
    closed_site(jejak.app)
    (closure,) = [r for r in findings(jejak) if r["rule_id"] == "A23"]
    finding_id = UUID(closure["finding_id"])

    def acknowledge(reason: str | None) -> None:
        jejak.app.audit_checks.acknowledge_finding(
            finding_id,
            rule_id="A23",
            subject_id=closure["subject_id"],
            provenance=Provenance(SUPERVISOR, date(2019, 1, 15), reason=reason),
        )

    with pytest.raises(ReasonRequired):
        acknowledge(None)
    acknowledge("The 2018 allocation was diverted to the Sulawesi earthquake relief")
    with pytest.raises(AlreadyRegistered):
        acknowledge("again")
    (after,) = [r for r in findings(jejak) if r["finding_id"] == str(finding_id)]
    assert after["status"] == "open" and after["acknowledged"]
    assert after["acknowledged_by"] == "sup"
    assert after["first_seen_position"] == closure["first_seen_position"]
