"""The money reports at a cut through HTTP: the ledger, her payment history and the budget
"as at" a business date and "as known at" a position or recording time."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.contract.journey import run_money_story
from tests.e2e.conftest import login, system_of


def test_the_ledger_her_payments_and_the_budget_answer_at_a_cut(store_client: TestClient) -> None:
    jejak = system_of(store_client)
    story = run_money_story(jejak.app)
    head = jejak.app.position()
    jejak.runner.catch_up()
    auditor = login(store_client, "aud")

    today = store_client.get("/api/ledger?limit=500", headers=auditor).json()
    assert "known_at" not in today
    summer = store_client.get("/api/ledger?as_at=2019-08-31&limit=500", headers=auditor).json()
    assert (summer["as_at"], summer["known_at"]) == ("2019-08-31", None)
    assert any(r["event"] == "FundsReturned" for r in today["items"])
    assert not any(r["event"] == "FundsReturned" for r in summer["items"])
    assert summer["total"] < today["total"]
    at_head = store_client.get(f"/api/ledger?known_at={head}&limit=500", headers=auditor).json()
    assert at_head["items"] == today["items"]

    first = story.people[0]
    hers = store_client.get(
        f"/api/beneficiaries/{first}/payments?as_at=2019-08-31", headers=auditor
    ).json()
    assert hers["as_at"] == "2019-08-31"
    assert hers["items"] and all(r["beneficiary_id"] == str(first) for r in hers["items"])
    assert hers["items"][-1]["paid_total_beneficiary"] == sum(
        r["paid_effect"] for r in hers["items"]
    )

    end_of_2018 = store_client.get("/api/budget?as_at=2018-12-30", headers=auditor).json()
    assert [(b["fiscal_year"], b["state"]) for b in end_of_2018["items"]] == [(2018, "OPEN")]
    live = store_client.get("/api/budget", headers=auditor).json()
    assert [b["fiscal_year"] for b in live["items"]] == [2018, 2019]


def test_a_cut_that_names_no_position_or_time_is_a_422_on_known_at(
    store_client: TestClient,
) -> None:
    answer = store_client.get(
        "/api/ledger?known_at=last-tuesday", headers=login(store_client, "aud")
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == "known_at" and error["code"] == "INVALID_VALUE"
    naive = store_client.get(
        "/api/budget?known_at=2019-08-31T10:00:00", headers=login(store_client, "aud")
    )
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "known_at"


def test_the_reconciliation_answers_at_a_cut(store_client: TestClient) -> None:
    from tests.contract.test_reconciliation_at import statement_entered_late

    jejak = system_of(store_client)
    before = statement_entered_late(jejak)
    auditor = login(store_client, "aud")
    august = {"start": "2019-08-01", "end": "2019-08-31", "as_of": "2019-12-31"}

    def counts(**cut: object) -> dict[str, int]:
        answer = store_client.get("/api/reconciliation", params={**august, **cut}, headers=auditor)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert all(str(body[k]) == str(v) for k, v in cut.items())
        found: dict[str, int] = body["counts"]
        return found

    assert counts()["matched"] == 4
    assert counts(known_at=before)["matched"] == 0
    assert counts(as_at="2019-09-30")["matched"] == 4
    assert counts(as_at="2019-08-15")["not_on_statement"] == 4
    bad = store_client.get(
        "/api/reconciliation", params={**august, "known_at": "later"}, headers=auditor
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "known_at")
