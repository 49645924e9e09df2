"""The automatic audit checks' findings at a cut through HTTP, on both stores: a receipt
signed in time but entered months later leaves the finding open as known before it was
entered, and resolved as at any date once it is known (ADR 0028)."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient

from domain.decree import entitlement_id
from tests.contract.journey import CAPITAL, OPERATOR, by, run_money_story
from tests.e2e.conftest import login, system_of


def test_the_findings_answer_as_known_at_a_position_and_as_at_a_date(
    store_client: TestClient,
) -> None:
    jejak = system_of(store_client)
    story = run_money_story(jejak.app)
    capital = entitlement_id(story.people[0], *CAPITAL)
    before = jejak.app.position()
    jejak.app.money.acknowledge_receipt(
        capital, provenance=by(OPERATOR, date(2019, 8, 10), "receipt")
    )
    jejak.runner.catch_up()
    auditor = login(store_client, "aud")

    def receipt_finding(**cut: object) -> list[dict[str, object]]:
        answer = store_client.get(
            "/api/audit/findings", params={"rule": "A16", **cut}, headers=auditor
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert {k: body.get(k) for k in cut} == {
            k: str(v) if k == "as_at" else v for k, v in cut.items()
        }
        return [f for f in body["items"] if f["subject_id"] == str(capital)]

    (then,) = receipt_finding(known_at=before)
    assert then["status"] == "open" and then["resolved_position"] is None
    (now,) = receipt_finding(as_at="2019-12-31")
    assert now["status"] == "resolved" and now["resolved_position"] == before + 1
    assert receipt_finding(as_at="2019-08-31") == []
    today = store_client.get("/api/audit/findings", params={"rule": "A16"}, headers=auditor)
    assert "known_at" not in today.json()

    exported = store_client.get(
        "/api/audit/findings.csv", params={"rule": "A16", "known_at": before}, headers=auditor
    )
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert any(r["Status"] == "open" for r in rows), rows[:1]


def test_a_cut_on_the_findings_with_a_bad_position_or_date_is_a_422(
    store_client: TestClient,
) -> None:
    auditor = login(store_client, "aud")
    bad = store_client.get("/api/audit/findings?known_at=yesterday", headers=auditor)
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "known_at")
    bad = store_client.get("/api/audit/findings?as_at=2019-02-30", headers=auditor)
    assert bad.status_code == 422 and "as_at" in bad.text
