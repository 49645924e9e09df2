"""Free text through HTTP: a reason, a venue, a skill or a bank's failure reason holding a
number or her name is refused with a 422 naming the field, and nothing is written (ADR 0041)."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from service.files.bankfiles import ResultLine, render_result_file
from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import NAME, NIK, SITE, closed_site, doc, post
from tests.e2e.test_money_http import approved_batch, funded_grant, result_file, upload_result


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


def refused_naming(response: Any, field: str, text: str) -> None:
    """A 422 PERSONAL_DATA_IN_TEXT naming `field`, never echoing the text."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("PERSONAL_DATA_IN_TEXT", field)
    assert text not in response.text


def test_a_sosialisasi_venue_holding_a_phone_number_is_a_422_and_nothing_is_written(
    client: TestClient,
) -> None:
    site = post(client, "opi", "/api/sites", SITE)["id"]
    head = system_of(client).app.position()
    venue = "Rumah RT, hubungi 0812 3456 7890"

    response = client.post(
        f"/api/sites/{site}/sosialisasi",
        json={
            "occurred_on": "2017-08-10",
            "venue": venue,
            "attendance": 50,
            "facilitators": ["Bu Rina (Dinsos)"],
            "document": doc("notulen", "2017-08-10"),
        },
        headers=login(client, "opi"),
    )

    refused_naming(response, "venue", venue)
    assert system_of(client).app.position() == head


@pytest.mark.parametrize(
    "skill", ["menjahit bersama Ani", "menjahit, NIK 6571045708900003"], ids=["her name", "a NIK"]
)
def test_a_training_skill_naming_her_is_a_422_and_nothing_is_written(
    client: TestClient, skill: str
) -> None:
    her = registered(client)
    base = f"/api/beneficiaries/{her}"
    post(
        client,
        "opi",
        f"{base}/identity-verification",
        {"occurred_on": "2018-11-20", "nik": NIK, "birth_date": "1990-04-05", "sex": "F"},
    )
    post(
        client,
        "opi",
        f"{base}/assessment",
        {
            "occurred_on": "2019-01-11",
            "home_region": {"code": "35.78.06.1004"},
            "path": "return_home",
            "document": doc("surat_keterangan", "2019-01-11"),
        },
    )
    post(client, "opi", f"{base}/training-departure", {"occurred_on": "2019-02-11"})
    before = history(client, her)

    response = client.post(
        f"{base}/training-completion",
        json={"occurred_on": "2019-06-28", "skill": skill},
        headers=login(client, "opi"),
    )

    refused_naming(response, "skill", skill)
    assert history(client, her) == before


@pytest.mark.parametrize(
    "failure_reason",
    [f"REK A/N {NAME.upper()} DITUTUP", "REKENING 0012345678 DITUTUP"],
    ids=["her name", "an account number"],
)
def test_a_bank_failure_reason_naming_her_is_a_422_and_nothing_is_written(
    client: TestClient, failure_reason: str
) -> None:
    _, entitlement = funded_grant(client)
    batch = approved_batch(client, entitlement)
    transfer = client.post(
        f"/api/payment-batches/{batch}/transfer-file",
        json={"occurred_on": "2019-08-02"},
        headers=login(client, "sup"),
    ).content
    (row,) = csv.DictReader(io.StringIO(transfer.decode()))
    line = ResultLine(row["transfer_ref"], int(row["amount"]), "FAILED", None, None, failure_reason)
    head = system_of(client).app.position()

    response = client.post(
        f"/api/payment-batches/{batch}/bank-result?occurred_on=2019-08-05",
        content=render_result_file(row["batch_number"], [line]),
        headers={**login(client, "sup"), "Content-Type": "text/csv"},
    )

    refused_naming(response, "failure_reason", failure_reason)
    assert row["transfer_ref"] in response.json()["error"]["message"]
    assert system_of(client).app.position() == head
    assert system_of(client).app.entitlement(UUID(entitlement)).state == "ORDERED"


def test_a_receipt_whose_reason_names_her_is_a_422_and_nothing_is_written(
    client: TestClient,
) -> None:
    _, entitlement = funded_grant(client)
    batch = approved_batch(client, entitlement)
    transfer = client.post(
        f"/api/payment-batches/{batch}/transfer-file",
        json={"occurred_on": "2019-08-02"},
        headers=login(client, "sup"),
    ).content
    upload_result(client, batch, result_file(transfer), 201)
    head = system_of(client).app.position()
    receipt = {"occurred_on": "2019-08-09", "document": doc("bast", "2019-08-09")}
    reason = "Diterima sendiri oleh Endtoend"

    response = client.post(
        f"/api/entitlements/{entitlement}/receipt",
        json={**receipt, "reason": reason},
        headers=login(client, "opi"),
    )

    refused_naming(response, "reason", reason)
    assert system_of(client).app.position() == head
    post(client, "opi", f"/api/entitlements/{entitlement}/receipt", receipt)
