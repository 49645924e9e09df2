"""Published reports through HTTP: a supervisor sends the third quarter of 2019 to the
ministry, entries made later show in the comparison, and the refusals have their codes."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from fastapi.testclient import TestClient

from tests.e2e.conftest import login
from tests.e2e.test_http import doc, post, returned_beneficiary

KEMENSOS = "Direktorat Rehabilitasi Sosial Tuna Sosial, Kementerian Sosial RI"


def publication(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurred_on": "2019-10-07",
        "period_start": "2019-07-01",
        "period_end": "2019-09-30",
        "addressee": KEMENSOS,
        "document": doc("surat_pengantar", "2019-10-07"),
    }
    return body | changes


def get(client: TestClient, user: str, path: str, expect: int = 200) -> dict[str, Any]:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_the_published_quarter_beside_today_after_late_entries(client: TestClient) -> None:
    her = returned_beneficiary(client)
    key = {**login(client, "sup"), "Idempotency-Key": str(uuid4())}
    first = client.post("/api/reports", json=publication(), headers=key)
    retried = client.post("/api/reports", json=publication(), headers=key)
    assert first.status_code == 201, first.text
    assert retried.json() == first.json() and retried.headers["Idempotent-Replayed"] == "true"
    report = first.json()
    assert report["version"] == 1 and report["state"] == "PUBLISHED"
    assert report["log_position"] == report["position"] - 1
    # Entered after the publication: an inspection of August, and a second woman counted at
    # pendataan in 2016 whose registration was forgotten.
    site = get(client, "aud", f"/api/beneficiaries/{her}")["site_id"]
    inspection = post(
        client,
        "opi",
        f"/api/sites/{site}/inspections",
        {"occurred_on": "2019-08-01", "outcome": "quiet", "document": doc("laporan", "2019-08-01")},
    )
    forgotten = post(
        client,
        "opi",
        f"/api/sites/{site}/beneficiaries",
        {"occurred_on": "2016-03-20", "case_number": "TRK-JP-0002", "name": "Contoh Dua"},
    )

    compared = get(client, "aud", f"/api/reports/{report['id']}/comparison?changed_only=true")

    assert compared["published"]["content_intact"] is True and compared["reproducible"] is True
    assert compared["published"]["content_sha256"] == report["content_sha256"]
    changed = {r["figure"]: (r["published"], r["today"]) for r in compared["figures"]}
    assert changed["sites.TRK-JP.in_period.inspections"] == (0, 1)
    assert changed["sites.TRK-JP.registered_by_end"] == (1, 2)
    assert changed["programme.cases_at_end.REGISTERED"] == (0, 1)
    events = {e["position"]: e for e in compared["events"]}
    assert sorted(events) == [inspection["position"], forgotten["position"]]
    assert events[inspection["position"]]["dated_in_period"] is True
    assert events[forgotten["position"]]["dated_in_period"] is False
    assert events[forgotten["position"]]["subject"] == "TRK-JP-0002"
    assert "Contoh" not in str(compared), "no personal data in a report"
    listed = get(client, "opi", f"/api/reports?after={report['position']}")
    assert [r["report_id"] for r in listed["items"]] == [report["id"]]
    one = get(client, "aud", f"/api/reports/{report['id']}")
    assert one["content_intact"] is True
    assert one["content"]["sites"]["TRK-JP"]["in_period"]["returned_home"] == 1
    assert one["versions"][0]["document"]["number"] == "DEMO/surat_pengantar/1"


def test_a_correction_recorded_after_the_publication_explains_what_it_moved(
    client: TestClient,
) -> None:
    her = returned_beneficiary(client)
    report = post(client, "sup", "/api/reports", publication())
    site = get(client, "aud", f"/api/beneficiaries/{her}")["site_id"]
    history = client.get(f"/api/beneficiaries/{her}/history", headers=login(client, "aud"))
    (returned,) = [e for e in history.json() if e["event"] == "ReturnedHome"]
    correction = {
        "occurred_on": "2019-10-21",
        "reason": "the surat tiba is dated 30 June",
        "document": doc("surat_tiba", "2019-06-30"),
    }
    # She came home on 30 June, before the quarter, and the site's name was misspelt.
    redated = post(
        client,
        "opi",
        f"/api/beneficiaries/{her}/corrections/date",
        correction | {"corrects_version": returned["version"], "corrected_date": "2019-06-30"},
    )
    renamed = post(
        client, "opi", f"/api/sites/{site}/corrections/details", correction | {"name": "Juata"}
    )

    compared = get(client, "sup", f"/api/reports/{report['id']}/comparison?changed_only=true")

    assert compared["reproducible"] is True and compared["unexplained"] == []
    changed = {r["figure"]: (r["published"], r["today"]) for r in compared["figures"]}
    assert changed["sites.TRK-JP.in_period.returned_home"] == (1, 0)
    assert changed["programme.in_period.returned_home"] == (1, 0)
    assert changed["sites.TRK-JP.site_name"][1] == "Juata"
    events = {e["position"]: e for e in compared["events"]}
    assert sorted(events) == [redated["position"], renamed["position"]]
    assert events[redated["position"]]["event"] == "BeneficiaryDateCorrected"
    assert events[redated["position"]]["corrects"] == {
        "version": returned["version"],
        "event": "ReturnedHome",
        "previous_date": "2019-07-10",
        "corrected_date": "2019-06-30",
    }
    assert "sites.TRK-JP.in_period.returned_home" in events[redated["position"]]["figures"]
    assert events[renamed["position"]]["figures"] == ["sites.TRK-JP.site_name"]


def test_a_correction_is_a_republication_with_a_reason(client: TestClient) -> None:
    returned_beneficiary(client)
    report = post(client, "sup", "/api/reports", publication())
    again = client.post("/api/reports", json=publication(), headers=login(client, "sup"))
    assert again.status_code == 409 and error_code(again) == "REPORT_ALREADY_PUBLISHED"
    path = f"/api/reports/{report['id']}/republications"
    correction = {
        "occurred_on": "2019-10-21",
        "replaces_version": 1,
        "reason": "The figures are sent again with the corrected letter",
        "document": doc("surat_pengantar", "2019-10-21"),
    }
    unchanged = client.post(path, json=correction, headers=login(client, "sup"))
    assert unchanged.status_code == 409 and error_code(unchanged) == "REPORT_UNCHANGED"
    no_reason = client.post(path, json=correction | {"reason": None}, headers=login(client, "sup"))
    assert no_reason.status_code == 409 and error_code(no_reason) == "REASON_REQUIRED"
    post(
        client,
        "opi",
        f"/api/sites/{get(client, 'aud', '/api/sites')['items'][0]['site_id']}/inspections",
        {"occurred_on": "2019-08-01", "outcome": "quiet", "document": doc("laporan", "2019-08-01")},
    )

    corrected = post(client, "sup2", path, correction)

    assert corrected["version"] == 2 and corrected["content_sha256"] != report["content_sha256"]
    stale = client.post(path, json=correction, headers=login(client, "sup"))
    assert stale.status_code == 409 and error_code(stale) == "VERSION_CONFLICT"
    one = get(client, "aud", f"/api/reports/{report['id']}?version=1")
    assert one["shown_version"] == 1 and one["latest_version"] == 2
    assert one["versions"][1]["replaces_sha256"] == report["content_sha256"]
    assert get(client, "aud", f"/api/reports/{report['id']}/comparison")["figures_changed"] == 0


def test_an_auditor_an_operator_or_an_administrator_cannot_publish(client: TestClient) -> None:
    for user in ("aud", "opi", "adm"):
        refused = client.post("/api/reports", json=publication(), headers=login(client, user))
        assert refused.status_code == 403, refused.text
        assert error_code(refused) == "ROLE_FORBIDDEN"
    # Operators read what was published, but do not replay the log.
    draft = "/api/reports/figures?period_start=2019-07-01&period_end=2019-09-30"
    assert get(client, "opi", draft, expect=403)["error"]["code"] == "ROLE_FORBIDDEN"


def test_a_period_that_ends_before_it_starts_or_is_not_over_is_refused(
    client: TestClient,
) -> None:
    backwards = client.post(
        "/api/reports",
        json=publication(period_start="2019-09-30", period_end="2019-07-01"),
        headers=login(client, "sup"),
    )
    not_over = client.post(
        "/api/reports",
        json=publication(occurred_on="2019-09-29"),
        headers=login(client, "sup"),
    )
    draft = client.get(
        "/api/reports/figures?period_start=2019-09-30&period_end=2019-07-01",
        headers=login(client, "sup"),
    )

    for refused in (backwards, not_over, draft):
        assert refused.status_code == 422, refused.text
        assert error_code(refused) == "PERIOD_INVALID"
        assert refused.json()["error"]["field"] == "period_end"
    no_letter = client.post(
        "/api/reports", json=publication(document=None), headers=login(client, "sup")
    )
    assert no_letter.status_code == 409 and error_code(no_letter) == "DOCUMENT_REQUIRED"


def test_an_unknown_report_is_not_found(client: TestClient) -> None:
    unknown = uuid4()
    for path in (f"/api/reports/{unknown}", f"/api/reports/{unknown}/comparison"):
        assert get(client, "aud", path, expect=404)["error"]["code"] == "NOT_FOUND"
    refused = client.post(
        f"/api/reports/{unknown}/republications",
        json={
            "occurred_on": "2019-10-21",
            "replaces_version": 1,
            "reason": "Corrected",
            "document": doc("surat_pengantar", "2019-10-21"),
        },
        headers=login(client, "sup"),
    )
    assert refused.status_code == 404


def test_the_draft_figures_are_what_a_publication_would_freeze(client: TestClient) -> None:
    returned_beneficiary(client)
    draft = get(client, "sup", "/api/reports/figures?period_start=2019-07-01&period_end=2019-09-30")
    report = post(client, "sup", "/api/reports", publication())

    one = get(client, "aud", f"/api/reports/{report['id']}")
    assert one["content"] == draft
    assert get(client, "aud", "/api/reports?report_kind=programme_figures")["total"] == 1


def test_the_draft_figures_can_be_asked_as_known_at_a_past_position(client: TestClient) -> None:
    returned_beneficiary(client)
    path = "/api/reports/figures?period_start=2019-07-01&period_end=2019-09-30"
    now = get(client, "sup", path)
    head = now["known_at_position"]
    assert get(client, "sup", f"{path}&known_at={head}") == now
    before = get(client, "sup", f"{path}&known_at=1")
    assert before["known_at_position"] == 1 and before != now
    bad = client.get(f"{path}&known_at=soon", headers=login(client, "sup"))
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "known_at")
