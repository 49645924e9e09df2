"""A roster over HTTP is checked row by row against the store before anything is written, and a
refusal names the row (ADR 0029). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.beneficiary import Beneficiary
from service.errors import NotFound
from tests.e2e.conftest import system_of
from tests.e2e.test_http import closed_site, post


def _person(n: int, phone: str | None = None) -> dict[str, str | None]:
    return {"case_number": f"TRK-JP-{n:04d}", "name": f"Contoh Daftar {n}", "phone": phone}


def test_a_roster_with_a_registered_case_number_names_its_row_and_writes_nothing(
    store_client: TestClient,
) -> None:
    site = closed_site(store_client)
    roster = f"/api/sites/{site}/roster"
    post(store_client, "opi", roster, {"occurred_on": "2016-03-20", "people": [_person(2)]})

    refused = post(
        store_client,
        "opi",
        roster,
        {"occurred_on": "2016-03-20", "people": [_person(1), _person(2), _person(3)]},
        expect=409,
    )

    assert refused["error"] == {
        "code": "ALREADY_REGISTERED",
        "message": "row 2: case number TRK-JP-0002 is already registered",
        "field": "case_number",
    }
    app = system_of(store_client).app
    for unwritten in (1, 3):
        with pytest.raises(NotFound):
            app.beneficiary(Beneficiary.create_id(f"TRK-JP-{unwritten:04d}"))


def test_a_roster_row_and_a_single_registration_meet_the_same_phone_rule(
    store_client: TestClient,
) -> None:
    site = closed_site(store_client)
    bad = post(
        store_client,
        "opi",
        f"/api/sites/{site}/roster",
        {"occurred_on": "2016-03-20", "people": [_person(1), _person(2, phone="12ab")]},
        expect=422,
    )
    single = post(
        store_client,
        "opi",
        f"/api/sites/{site}/beneficiaries",
        {"occurred_on": "2016-03-20"} | _person(3, phone="12ab"),
        expect=422,
    )
    assert "phone" in bad["error"]["field"] and single["error"]["field"] == "phone"
    assert "12ab" not in str(bad) + str(single)
