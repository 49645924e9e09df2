"""Corrections through HTTP: a wrong date, name or amount corrected by a new event that the
history shows beside the original, with its reason, actor and document (ADR 0022)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from service.system import Jejak
from tests.contract.journey import UEP
from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import NAME, closed_site, doc, pay_her_aid, post, returned_beneficiary

CORRECTION = {
    "occurred_on": "2019-10-01",
    "reason": "the minutes are dated 12 August",
    "document": doc("nota_dinas", "2019-10-01"),
}


def get(client: TestClient, user: str, path: str) -> Any:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == 200, response.text
    return response.json()


def credit_version(client: TestClient, entitlement: str) -> int:
    history = get(client, "sup", f"/api/entitlements/{entitlement}/history")
    (credit,) = [e for e in history if e["event"] == "CreditedToAccount"]
    version: int = credit["version"]
    return version


def test_a_wrong_sosialisasi_date_is_corrected_and_the_history_keeps_both(
    client: TestClient,
) -> None:
    site = closed_site(client)
    corrected = post(
        client,
        "opi",
        f"/api/sites/{site}/corrections/date",
        CORRECTION | {"corrects_version": 2, "corrected_date": "2017-08-12"},
    )

    view = get(client, "opi", f"/api/sites/{site}?after={corrected['position']}")
    assert (view["last_sosialisasi_on"], view["state"]) == ("2017-08-12", "CLOSED")
    assert "dated_events" not in view
    history = get(client, "aud", f"/api/sites/{site}/history")
    original, correction = history[1], history[corrected["version"] - 1]
    assert (original["event"], original["occurred_on"]) == ("SosialisasiHeld", "2017-08-10")
    assert original["corrections"] == [corrected["version"]]
    assert correction["event"] == "SiteDateCorrected"
    assert correction["facts"]["previous_date"] == "2017-08-10"
    assert correction["reason"] == CORRECTION["reason"]
    assert (correction["actor"]["user_id"], correction["document"]["kind"]) == ("opi", "nota_dinas")


def test_a_correction_without_a_reason_is_a_422_and_one_breaking_a_guard_a_409(
    client: TestClient,
) -> None:
    site = closed_site(client)
    path = f"/api/sites/{site}/corrections/date"
    body = CORRECTION | {"corrects_version": 2, "corrected_date": "2018-12-29"}

    missing = post(client, "opi", path, {k: v for k, v in body.items() if k != "reason"}, 422)
    blank = post(client, "opi", path, body | {"reason": "  "}, 422)
    late = post(client, "opi", path, body, 409)

    assert (missing["error"]["code"], missing["error"]["field"]) == ("REQUEST_INVALID", "reason")
    assert (blank["error"]["code"], blank["error"]["field"]) == ("REQUEST_INVALID", "reason")
    assert late["error"]["code"] == "SITE_CLOSURE_NEEDS_SOSIALISASI"
    unknown = post(client, "opi", path, body | {"corrects_version": 40}, 409)
    assert unknown["error"]["code"] == "CORRECTED_EVENT_UNKNOWN"


def test_her_corrected_name_is_shown_to_staff_and_masked_for_auditors(client: TestClient) -> None:
    b = returned_beneficiary(client)
    corrected = post(
        client,
        "opi",
        f"/api/beneficiaries/{b}/corrections/details",
        CORRECTION | {"name": "Contoh Ani Benar", "reason": "her KTP"},
    )

    staff = get(client, "opi", f"/api/beneficiaries/{b}?after={corrected['position']}")
    auditor = get(client, "aud", f"/api/beneficiaries/{b}")
    assert staff["name"] == "Contoh Ani Benar"
    assert auditor["name"] == "C. A. B."
    (correction,) = [
        e
        for e in get(client, "sup", f"/api/beneficiaries/{b}/history")
        if e["event"] == "BeneficiaryDetailsCorrected"
    ]
    assert correction["facts"]["previous"]["name"] == NAME
    assert correction["facts"]["corrected"]["name"] == "Contoh Ani Benar"


def test_a_money_correction_needs_a_second_supervisor_and_then_moves_the_ledger(
    client: TestClient, sqlite_jejak: Jejak
) -> None:
    b = returned_beneficiary(client)
    capital, _ = (str(e) for e in pay_her_aid(sqlite_jejak, b))
    path = f"/api/entitlements/{capital}/money-corrections"
    request = CORRECTION | {
        "corrects_version": credit_version(client, capital),
        "amount": UEP - 50_000,
        "reason": "the bank's letter: Rp 50.000 held back",
    }

    forbidden = client.post(path, json=request, headers=login(client, "aud"))
    assert forbidden.status_code == 403
    headers = {**login(client, "sup"), "Idempotency-Key": "correct-capital-1"}
    first = client.post(path, json=request, headers=headers)
    retried = client.post(path, json=request, headers=headers)
    assert first.status_code == 201, first.text
    assert retried.json() == first.json(), "a retried request gets the first answer"
    pending = get(client, "sup", f"/api/entitlements/{capital}?after={first.json()['position']}")
    assert pending["credited_amount"] == UEP, "pending: nothing changed"
    assert (pending["correction_requested_by"], pending["correction_amount"]) == (
        "sup",
        UEP - 50_000,
    )
    waiting = get(client, "sup2", "/api/entitlements?correction_pending=true")["items"]
    assert [e["entitlement_id"] for e in waiting] == [capital]

    same = post(client, "sup", f"{path}/approval", {"occurred_on": "2019-10-02"}, 409)
    assert same["error"]["code"] == "FOUR_EYES_REQUIRED"
    approved = post(client, "sup2", f"{path}/approval", {"occurred_on": "2019-10-02"})

    view = get(client, "sup", f"/api/entitlements/{capital}?after={approved['position']}")
    assert view["credited_amount"] == UEP - 50_000
    assert view["correction_requested_by"] is None
    assert get(client, "sup2", "/api/entitlements?correction_pending=true")["items"] == []
    payments = get(client, "sup", f"/api/beneficiaries/{b}/payments")
    rows = [r for r in payments["items"] if r["entitlement_id"] == capital]
    assert [r["event"] for r in rows][-2:] == ["CreditedToAccount", "MoneyCorrectionApproved"]
    assert rows[-1]["paid_effect"] == -50_000
    budget = get(client, "sup", "/api/budget")["items"]
    assert (
        sum(line["credited"] for line in budget)
        == sum(r["amount"] for r in payments["items"] if r["event"] == "CreditedToAccount") - 50_000
    )
    original = system_of(client).app.history(UUID(capital))
    assert any(type(e).__name__ == "CreditedToAccount" and e.amount == UEP for e in original)


def test_a_corrected_pendataan_date_that_would_make_her_a_minor_is_a_409(
    client: TestClient,
) -> None:
    b = returned_beneficiary(client)
    path = f"/api/beneficiaries/{b}/corrections/date"
    body = CORRECTION | {"corrects_version": 1, "reason": "the roster's date"}

    minor = post(client, "opi", path, body | {"corrected_date": "2008-04-04"}, 409)
    adult = post(client, "opi", path, body | {"corrected_date": "2016-03-21"})

    assert (minor["error"]["code"], minor["error"]["field"]) == (
        "BENEFICIARY_IS_MINOR",
        "corrected_date",
    )
    view = get(client, "opi", f"/api/beneficiaries/{b}?after={adult['position']}")
    assert view["pendataan_on"] == "2016-03-21"
