"""Subject requests and the 72-hour clocks through HTTP, as the data-protection officer and
the supervisors use them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.conftest import login
from tests.e2e.test_http import post

RECEIVED_AT = "2026-04-06T09:30:00+08:00"
# The letter answering her: a request is always answered in writing.
ANSWER = {
    "kind": "surat",
    "number": "480/PDP/IV/2026",
    "issued_on": "2026-04-08",
    "issuer": "Dinsos Provinsi Kalimantan Utara",
}


def request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurred_on": "2026-04-06",
        "number": "PDP-2026-001",
        "kind": "access_copy",
        "received_at": RECEIVED_AT,
        "channel": "in_person",
        "requester": "subject",
        "verification_method": "ktp_in_person",
        "verification_result": "pending",
        "summary": "Meminta salinan data pribadinya",
    }
    return body | changes


def get(client: TestClient, user: str, path: str, expect: int = 200) -> Any:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == expect, response.text
    return response.json()


def test_a_request_is_recorded_its_clock_listed_and_it_is_refused(client: TestClient) -> None:
    made = post(client, "dpo", "/api/privacy/requests", request_body())
    assert made["state"] == "OPEN"

    listed = get(client, "sup", f"/api/privacy/requests?after={made['position']}")
    (row,) = listed["items"]
    assert row["number"] == "PDP-2026-001"
    assert row["due_at"] == "2026-04-09T01:30:00Z"
    assert row["ran_out"] is True  # judged now, years after April 2026
    clocks = get(client, "dpo", "/api/privacy/clocks?running=true")
    assert [c["label"] for c in clocks["items"]] == ["PDP-2026-001"]
    assert clocks["items"][0]["href"] == "/privacy/requests/PDP-2026-001"

    refusal = {
        "occurred_on": "2026-04-08",
        "refusal_reason": "reveals_others_data",
        "explanation": "Berkas memuat data pribadi penerima manfaat lain",
    }
    unwritten = post(
        client, "dpo", f"/api/privacy/requests/{made['id']}/refusal", refusal, expect=409
    )
    assert unwritten["error"]["code"] == "DOCUMENT_REQUIRED"
    refused = post(
        client,
        "dpo",
        f"/api/privacy/requests/{made['id']}/refusal",
        refusal | {"document": ANSWER},
    )
    assert refused["state"] == "REFUSED"
    one = get(client, "dpo", f"/api/privacy/requests/PDP-2026-001?after={refused['position']}")
    assert one["refusal_reason"] == "reveals_others_data" and one["running"] is False


def test_only_the_officer_records_and_only_the_officer_and_supervisors_read(
    client: TestClient,
) -> None:
    post(client, "sup", "/api/privacy/requests", request_body(), expect=403)
    post(client, "opi", "/api/privacy/requests", request_body(), expect=403)
    for user in ("opi", "aud", "adm"):
        get(client, user, "/api/privacy/requests", expect=403)
        get(client, user, "/api/privacy/clocks", expect=403)
    get(client, "sup", "/api/privacy/clocks")


def test_refusals_carry_stable_codes(client: TestClient) -> None:
    naive = post(
        client,
        "dpo",
        "/api/privacy/requests",
        request_body(received_at="2026-04-06T09:30:00"),
        expect=422,
    )
    assert "received_at" in str(naive)
    made = post(client, "dpo", "/api/privacy/requests", request_body())
    unverified = post(
        client,
        "dpo",
        f"/api/privacy/requests/{made['id']}/grant",
        {"occurred_on": "2026-04-08", "done": "Salinan diserahkan", "document": ANSWER},
        expect=409,
    )
    assert unverified["error"]["code"] == "REQUESTER_NOT_VERIFIED"
    by_letter = request_body(number="PDP-2026-003", channel="letter")
    unlettered = post(client, "dpo", "/api/privacy/requests", by_letter, expect=409)
    assert unlettered["error"]["code"] == "LETTER_REQUIRED"
    her_letter = ANSWER | {"number": "tanpa nomor", "issued_on": "2026-04-03", "issuer": "Pemohon"}
    post(client, "dpo", "/api/privacy/requests", by_letter | {"document": her_letter})
    again = post(client, "dpo", "/api/privacy/requests", request_body(), expect=409)
    assert again["error"]["code"] == "ALREADY_REGISTERED"
    personal = post(
        client,
        "dpo",
        "/api/privacy/requests",
        request_body(number="PDP-2026-002", summary="NIK pemohon 6571014506990003"),
        expect=422,
    )
    assert personal["error"]["code"] == "PERSONAL_DATA_IN_TEXT"


def test_her_copy_is_the_officers_and_only_for_an_identified_access_request(
    client: TestClient,
) -> None:
    made = post(client, "dpo", "/api/privacy/requests", request_body(kind="objection"))
    assert made["state"] == "OPEN"
    copy = "/api/privacy/requests/PDP-2026-001/copy"

    assert client.post(copy, headers=login(client, "sup")).status_code == 403
    refused = client.post(copy, headers=login(client, "dpo"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "NOT_AN_ACCESS_REQUEST"
    missing = client.post("/api/privacy/requests/PDP-2026-404/copy", headers=login(client, "dpo"))
    assert missing.status_code == 404
