"""The reveal act over HTTP, as each role, on SQLite and PostgreSQL (ADR 0046): one field of one
case in clear for a reason, never cached, written to the access log and shown on her case's
history; refused without a fit reason, for another field, and to the roles that see masked."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import NAME, NIK, post, returned_beneficiary

REASON = "Pencocokan KTP dengan berita acara"


def reveal(
    client: TestClient, user: str, case: str, body: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = client.post(
        f"/api/beneficiaries/{case}/reveal", json=body, headers=login(client, user)
    )
    assert response.status_code == expect, response.text
    if expect == 200:
        assert response.headers["cache-control"] == "no-store"
    answer: dict[str, Any] = response.json()
    return answer


def test_operators_supervisors_and_auditors_see_one_field_in_clear_for_a_reason(
    store_client: TestClient,
) -> None:
    case = returned_beneficiary(store_client)

    shown = {
        user: reveal(store_client, user, case, {"field": field, "reason": REASON})
        for user, field in (("opi", "name"), ("sup", "nik"), ("aud", "birth_date"))
    }

    assert shown == {
        "opi": {"field": "name", "value": NAME},
        "sup": {"field": "nik", "value": NIK},
        "aud": {"field": "birth_date", "value": "1990-04-05"},
    }
    # The auditor's reads of the case stay masked: the act shows one field, once.
    read = store_client.get(f"/api/beneficiaries/{case}", headers=login(store_client, "aud"))
    assert NAME not in read.text and NIK not in read.text


@pytest.mark.parametrize("user", ["adm", "dpo"])
def test_administrators_and_the_dpo_are_refused_whatever_they_state(
    client: TestClient, user: str
) -> None:
    case = returned_beneficiary(client)

    refused = reveal(client, user, case, {"field": "nik", "reason": REASON}, expect=403)

    assert refused["error"]["code"] == "REVEAL_NOT_ALLOWED"
    assert NIK not in str(refused)


@pytest.mark.parametrize("user", ["opi", "aud"])
@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"field": "nik"}, "REASON_REQUIRED", "reason"),
        ({"field": "nik", "reason": "  "}, "REASON_REQUIRED", "reason"),
        ({"field": "nik", "reason": f"cek NIK {NIK}"}, "PERSONAL_DATA_IN_TEXT", "reason"),
        ({"field": "assessment_notes", "reason": REASON}, "FIELD_NOT_REVEALABLE", "field"),
        ({"field": "password", "reason": REASON}, "FIELD_NOT_REVEALABLE", "field"),
    ],
)
def test_a_missing_or_unfit_reason_and_another_field_are_refused_naming_the_input(
    client: TestClient, user: str, body: dict[str, str], code: str, field: str
) -> None:
    case = returned_beneficiary(client)

    refused = reveal(client, user, case, body, expect=422)

    assert (refused["error"]["code"], refused["error"]["field"]) == (code, field)
    assert NIK not in str(refused)


def test_an_unknown_case_is_not_found(client: TestClient) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    refused = reveal(client, "aud", unknown, {"field": "nik", "reason": REASON}, expect=404)
    assert refused["error"]["code"] == "NOT_FOUND"


def test_the_reveal_is_in_the_access_log_and_on_her_history_without_the_value(
    store_client: TestClient,
) -> None:
    case = returned_beneficiary(store_client)
    reveal(store_client, "aud", case, {"field": "nik", "reason": REASON})

    log = store_client.get(
        f"/api/access-log?action=reveal_personal_data&subject_id={case}",
        headers=login(store_client, "dpo"),
    ).json()
    history = store_client.get(
        f"/api/beneficiaries/{case}/history", headers=login(store_client, "aud")
    ).json()

    (entry,) = log["items"]
    assert (entry["user_id"], entry["role"], entry["interface"]) == ("aud", "auditor", "api")
    assert (entry["case_number"], entry["detail"]) == (
        "TRK-JP-0001",
        f"field: nik; reason: {REASON}",
    )
    revealed = history[-1]
    assert revealed["event"] == "PersonalDataRevealed" and revealed["version"] is None
    assert revealed["actor"] == {"user_id": "aud", "role": "auditor"}
    assert revealed["reason"] == REASON
    assert revealed["facts"] == {"fields": ["nik"], "via": "field", "interface": "api"}
    assert NIK not in str(history) and NIK not in str(log)


def test_a_reveal_after_a_later_step_stands_after_it_on_her_history(client: TestClient) -> None:
    case = returned_beneficiary(client)
    reveal(client, "sup", case, {"field": "name", "reason": REASON})
    post(client, "sup", f"/api/beneficiaries/{case}/case-closure", {"occurred_on": "2019-09-01"})
    system_of(client).runner.catch_up()

    history = client.get(f"/api/beneficiaries/{case}/history", headers=login(client, "sup"))

    assert [item["event"] for item in history.json()][-2:] == [
        "PersonalDataRevealed",
        "CaseClosed",
    ]
