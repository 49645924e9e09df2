"""Retention through HTTP: what is due, a legal hold that keeps her from destruction, and a
destruction approved on four eyes only, with its berita acara pemusnahan.

The journey's woman (TRK-JP-0001) closed her case on 10 September 2019: her case file's five
years ended on 10 September 2024, so it is due today.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from domain.sealed import KeyPurpose
from service.provenance import today_wita
from tests.contract.journey import run_journey
from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import post

BASE = "/api/privacy/retention"


def get(client: TestClient, user: str, path: str, expect: int = 200) -> Any:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == expect, response.text
    return response.json() if "json" in response.headers.get("content-type", "") else response


def today() -> str:
    return today_wita().isoformat()


def memo() -> dict[str, str]:
    """The memo (nota dinas) a destruction is proposed, and decided, on."""
    return {
        "kind": "nota_dinas",
        "number": "ND/7/PDP/2030",
        "issued_on": today(),
        "issuer": "Dinsos Provinsi Kalimantan Utara",
    }


def letter(kind: str = "surat") -> dict[str, str]:
    return {"kind": kind, "number": "B/77/XII/2026", "issued_on": today(), "issuer": "Polda"}


def test_a_hold_keeps_her_and_only_another_supervisor_approves(client: TestClient) -> None:
    jejak = system_of(client)
    her = run_journey(jejak.app).beneficiary_id
    jejak.runner.catch_up()

    due = get(client, "dpo", f"{BASE}/due")
    assert [(r["case_number"], r["category"]) for r in due["items"]] == [
        ("TRK-JP-0001", "case_file")
    ]
    later = get(client, "sup", f"{BASE}/due?as_of=2035-01-01")
    assert {r["category"] for r in later["items"]} == {"case_file", "identity_minimum"}
    get(client, "opi", f"{BASE}/due", expect=403)
    get(client, "aud", f"{BASE}/due", expect=403)

    placed = post(
        client,
        "dpo",
        f"{BASE}/holds",
        {
            "occurred_on": today(),
            "kind": "investigation",
            "beneficiary_ids": [str(her)],
            "document": letter(),
            "reason": "penyelidikan penyaluran bansos",
        },
    )
    hold = placed["id"]
    held = get(client, "dpo", f"{BASE}/due?after={placed['position']}")["items"][0]
    assert held["held"] and held["held_by"][0]["kind"] == "investigation"
    refused = post(
        client,
        "dpo",
        f"{BASE}/destructions",
        {"occurred_on": today(), "document": memo()},
        expect=409,
    )
    assert refused["error"]["code"] == "NOTHING_DUE"
    named = {"beneficiary_id": str(her), "category": "case_file"}
    refused = post(
        client,
        "dpo",
        f"{BASE}/destructions",
        {"occurred_on": today(), "items": [named], "document": memo()},
        expect=409,
    )
    assert refused["error"]["code"] == "LEGAL_HOLD"
    post(
        client,
        "sup",
        f"{BASE}/holds/{hold}/lifting",
        {"occurred_on": today(), "document": letter()},
    )

    post(
        client,
        "opi",
        f"{BASE}/destructions",
        {"occurred_on": today(), "document": memo()},
        expect=403,
    )
    unwritten = post(client, "sup", f"{BASE}/destructions", {"occurred_on": today()}, expect=409)
    assert unwritten["error"]["code"] == "DOCUMENT_REQUIRED"
    proposed = post(
        client, "sup", f"{BASE}/destructions", {"occurred_on": today(), "document": memo()}
    )
    (listed,) = get(client, "sup", f"{BASE}/destructions?after={proposed['position']}")["items"]
    number = listed["number"]
    approval = f"{BASE}/destructions/{number}/approval"
    same = post(client, "sup", approval, {"occurred_on": today(), "document": memo()}, expect=409)
    assert same["error"]["code"] == "SAME_PERSON_APPROVES"
    post(client, "dpo", approval, {"occurred_on": today(), "document": memo()}, expect=403)
    done = post(client, "sup2", approval, {"occurred_on": today(), "document": memo()})
    assert done["state"] == "CARRIED_OUT"

    assert jejak.vault.is_erased(her, KeyPurpose.CASEFILE)
    assert not jejak.vault.is_erased(her, KeyPurpose.IDENTITY)
    shown = get(client, "dpo", f"{BASE}/destructions/{number}?after={done['position']}")
    assert [e["event"] for e in shown["history"]][-1] == "DestructionCarriedOut"
    assert shown["destroyed"][0]["case_number"] == "TRK-JP-0001"
    pdf = get(client, "dpo", f"{BASE}/destructions/{number}/berita-acara")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert get(client, "dpo", f"{BASE}/due")["items"] == []


def test_a_period_is_set_as_an_event_and_refused_below_its_floor(client: TestClient) -> None:
    decree = {
        "kind": "decree",
        "number": "188.45/JRA/2026",
        "issued_on": today(),
        "issuer": "Gubernur Kalimantan Utara",
    }
    body = {
        "occurred_on": today(),
        "category": "identity_minimum",
        "years": 7,
        "document": decree,
        "reason": "JRA",
    }
    path = f"{BASE}/periods"
    response = client.post(path, json=body, headers=login(client, "dpo"))
    assert (
        response.status_code == 409 and response.json()["error"]["code"] == "RETENTION_BELOW_FLOOR"
    )
    set_by_dpo = client.post(path, json=body | {"years": 12}, headers=login(client, "dpo"))
    assert set_by_dpo.status_code == 201, set_by_dpo.text
    response = client.post(path, json=body | {"years": 12}, headers=login(client, "aud"))
    assert response.status_code == 403
    # Read once the read models have read the period set (not the refused write's nothing).
    position = set_by_dpo.json()["position"]
    periods = get(client, "sup", f"{BASE}/periods?after={position}")["items"]
    identity = next(p for p in periods if p["category"] == "identity_minimum")
    assert identity["years"] == 12 and not identity["is_default"]
    assert [e["event"] for e in identity["history"]] == ["RetentionPeriodSet"]
    case_file = next(p for p in periods if p["category"] == "case_file")
    assert case_file["is_default"] and case_file["years"] == 5
