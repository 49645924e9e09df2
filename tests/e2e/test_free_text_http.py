"""Free text through HTTP: a reason holding a phone number or her name is refused with a 422
naming the field, and nothing is written (ADR 0041)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import login
from tests.e2e.test_http import NAME, closed_site, post


def registered(client: TestClient) -> str:
    site = closed_site(client)
    body = {"occurred_on": "2016-03-20", "case_number": "TRK-JP-0001", "name": NAME}
    return str(post(client, "opi", f"/api/sites/{site}/beneficiaries", body)["id"])


def history(client: TestClient, beneficiary: str) -> list[Any]:
    response = client.get(f"/api/beneficiaries/{beneficiary}/history", headers=login(client, "opi"))
    assert response.status_code == 200, response.text
    events: list[Any] = response.json()
    return events


@pytest.mark.parametrize(
    "reason",
    ["Pindah, nomor baru 0812-3456-7890", f"Ibu {NAME.split()[1]} pulang ke Jawa"],
    ids=["a phone number", "her name"],
)
def test_a_withdrawal_whose_reason_holds_personal_data_is_a_422_and_nothing_is_written(
    client: TestClient, reason: str
) -> None:
    her = registered(client)
    before = history(client, her)

    refused = post(
        client,
        "opi",
        f"/api/beneficiaries/{her}/withdrawal",
        {"occurred_on": "2016-04-01", "reason": reason},
        422,
    )

    assert (refused["error"]["code"], refused["error"]["field"]) == (
        "PERSONAL_DATA_IN_TEXT",
        "reason",
    )
    assert reason not in str(refused)
    assert history(client, her) == before
    post(
        client,
        "opi",
        f"/api/beneficiaries/{her}/withdrawal",
        {"occurred_on": "2016-04-01", "reason": "Pulang ke daerah asal"},
    )
