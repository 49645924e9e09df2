"""A NIK stays with the case that holds it, whatever retries and refusals come after (ADR 0029).

Over HTTP, on SQLite and PostgreSQL: a refused command gives back only the duplicate-index entry
it took itself, never one its case already held.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from domain.identity import Sex, make_nik
from tests.e2e.test_http import closed_site, doc, post

NIK = make_nik("657104", date(1990, 4, 5), Sex.FEMALE, 9311)
OTHER_NIK = make_nik("657104", date(1990, 4, 5), Sex.FEMALE, 9312)
ACCOUNT = "5301000000009311"


def _two_cases(client: TestClient) -> tuple[str, str]:
    site = closed_site(client)
    cases = [
        post(
            client,
            "opi",
            f"/api/sites/{site}/beneficiaries",
            {"occurred_on": "2016-03-20", "case_number": f"TRK-JP-00{n}", "name": name},
        )["id"]
        for n, name in ((11, "Contoh Satu Klaim"), (12, "Contoh Dua Klaim"))
    ]
    return cases[0], cases[1]


def _verify(client: TestClient, case: str, expect: int, nik: str = NIK) -> dict[str, Any]:
    return post(
        client,
        "opi",
        f"/api/beneficiaries/{case}/identity-verification",
        {"occurred_on": "2018-11-20", "nik": nik, "birth_date": "1990-04-05", "sex": "F"},
        expect=expect,
    )


def test_a_refused_retry_of_her_verification_keeps_her_nik_from_another_case(
    store_client: TestClient,
) -> None:
    first, second = _two_cases(store_client)
    _verify(store_client, first, 201)
    assert _verify(store_client, second, 409)["error"]["code"] == "NIK_ALREADY_IN_PROGRAMME"

    retry = _verify(store_client, first, 409)
    assert retry["error"]["code"] == "TRANSITION_NOT_ALLOWED"

    again = _verify(store_client, second, 409)
    assert again["error"]["code"] == "NIK_ALREADY_IN_PROGRAMME"


def test_a_refused_repeat_of_her_bank_account_keeps_it_from_another_case(
    store_client: TestClient,
) -> None:
    first, second = _two_cases(store_client)
    _verify(store_client, first, 201)
    _verify(store_client, second, 201, nik=OTHER_NIK)
    account = {
        "occurred_on": "2019-07-12",
        "bank_code": "124",
        "account_number": ACCOUNT,
        "holder_name": "Contoh Satu Klaim",
    }
    path = "/api/beneficiaries/{}/bank-account"
    post(
        store_client,
        "opi",
        path.format(first),
        account | {"document": doc("buku_tabungan", "2019-07-12")},
    )
    # The same account again, without its passbook: refused, and it must stay hers.
    refused = post(store_client, "opi", path.format(first), account, expect=409)
    assert refused["error"]["code"] == "DOCUMENT_REQUIRED"

    shared = post(
        store_client,
        "opi",
        path.format(second),
        account | {"document": doc("buku_tabungan", "2019-07-12")},
        expect=409,
    )
    assert shared["error"]["code"] == "BANK_ACCOUNT_SHARED"
