"""The audit register and the export records through HTTP, as supervisors and auditors use them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import login, system_of
from tests.e2e.test_documents_http import RECEIPT, SHA256, upload
from tests.e2e.test_http import SITE, doc, post

LHP = "23.B/LHP/XIX.TJS/05/2020"


def finding_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurred_on": "2020-05-27",
        "audit_body": "BPK RI Perwakilan Kalimantan Utara",
        "lhp_number": LHP,
        "lhp_date": "2020-05-20",
        "lhp_received_on": "2020-05-25",
        "finding_number": "3.2",
        "title": "Bantuan UEP belum dapat ditelusuri ke rekening penerima",
        "recommendation": "Merekonsiliasi penyaluran UEP dengan rekening koran",
        "responsible_position": "Kepala Dinas Sosial Provinsi Kalimantan Utara",
        "document": doc("lhp", "2020-05-20"),
    }
    return body | changes


def get(client: TestClient, user: str, path: str, expect: int = 200) -> dict[str, Any]:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_finding_is_recorded_answered_judged_and_closed(client: TestClient) -> None:
    site = post(client, "opi", "/api/sites", SITE)["id"]
    finding = post(client, "sup", "/api/audit/register", finding_body(site_ids=[site]))["id"]
    base = f"/api/audit/register/{finding}"
    post(
        client,
        "sup",
        f"{base}/responses",
        {
            "occurred_on": "2020-07-20",
            "summary": "Rekonsiliasi selesai",
            "document": doc("surat", "2020-07-20"),
        },
    )
    post(
        client,
        "sup",
        f"{base}/follow-up-acceptance",
        {"occurred_on": "2020-09-01", "document": doc("surat", "2020-09-01")},
    )
    closed = post(
        client,
        "sup",
        f"{base}/closure",
        {"occurred_on": "2020-12-01", "document": doc("laporan", "2020-12-01")},
    )

    one = get(client, "aud", f"{base}?after={closed['position']}&as_of=2021-01-04")
    assert one["state"] == "CLOSED" and one["answered_late"] is False
    assert one["site_ids"] == [site] and not one["overdue"]
    assert [e["event"] for e in one["history"]] == [
        "FindingRecorded",
        "ResponseSubmitted",
        "FollowUpAccepted",
        "FindingClosed",
    ]
    assert one["history"][0]["actor"]["user_id"] == "sup"


def test_the_register_lists_overdue_findings_and_the_worklist_shows_them(
    client: TestClient,
) -> None:
    post(client, "sup", "/api/audit/register", finding_body())
    last = post(client, "sup", "/api/audit/register", finding_body(finding_number="3.3"))

    overdue = get(
        client, "aud", f"/api/audit/register?overdue=true&as_of=2020-07-25&after={last['position']}"
    )
    work = get(client, "opi", "/api/worklist?kind=audit_finding&as_of=2020-07-25")

    assert overdue["total"] == 2
    assert {i["days_overdue"] for i in overdue["items"]} == {1}
    assert get(client, "aud", "/api/audit/register?overdue=true&as_of=2020-07-24")["total"] == 0
    assert [i["next_action"] for i in work["items"]] == ["submit_response", "submit_response"]
    assert all(i["overdue"] and i["due_on"] == "2020-07-24" for i in work["items"])


@pytest.mark.parametrize("user", ["aud", "adm", "opi"])
def test_only_supervisors_record_findings(client: TestClient, user: str) -> None:
    refused = post(client, user, "/api/audit/register", finding_body(), expect=403)

    assert refused["error"]["code"] == "ROLE_FORBIDDEN"


@pytest.mark.parametrize("user", ["aud", "opi", "adm"])
def test_only_supervisors_answer_or_judge_a_finding(client: TestClient, user: str) -> None:
    finding = post(client, "sup", "/api/audit/register", finding_body())["id"]
    base = f"/api/audit/register/{finding}"
    answer = {"occurred_on": "2020-07-20", "summary": "x", "document": doc("surat", "2020-07-20")}

    assert post(client, user, f"{base}/responses", answer, expect=403)
    assert post(client, user, f"{base}/closure", {"occurred_on": "2020-07-20"}, expect=403)


def test_personal_data_in_a_recommendation_is_refused_without_being_echoed(
    client: TestClient,
) -> None:
    nik = "6571014507950003"
    refused = post(
        client,
        "sup",
        "/api/audit/register",
        finding_body(recommendation=f"Tagih dari NIK {nik}"),
        expect=422,
    )

    assert refused["error"]["code"] == "PERSONAL_DATA_IN_TEXT"
    assert refused["error"]["field"] == "recommendation"
    assert nik not in str(refused)


def test_a_guard_refusal_is_a_409_with_its_code(client: TestClient) -> None:
    finding = post(client, "sup", "/api/audit/register", finding_body())["id"]

    refused = post(
        client,
        "sup",
        f"/api/audit/register/{finding}/follow-up-rejection",
        {"occurred_on": "2020-07-20", "document": doc("surat", "2020-07-20"), "reason": "x"},
        expect=409,
    )

    assert refused["error"]["code"] == "TRANSITION_NOT_ALLOWED"


def test_a_document_download_is_recorded_as_an_export(client: TestClient) -> None:
    upload(client, "opi")

    response = client.get(
        f"/api/documents/{SHA256}",
        params={"in_clear": "true", "reason": "Uji petik BAST"},
        headers=login(client, "aud"),
    )
    after = system_of(client).app.position()
    exports = get(client, "aud", f"/api/audit/exports?content_sha256={SHA256}&after={after}")

    assert response.status_code == 200
    assert response.headers["x-jejak-export-sha256"] == hashlib.sha256(RECEIPT).hexdigest()
    (record,) = exports["items"]
    assert record["export_id"] == response.headers["x-jejak-export-id"]
    assert (record["actor_id"], record["export_name"], record["export_format"]) == (
        "aud",
        "document",
        "original",
    )
    assert record["filters"] == {"kind": "receipt", "sha256": SHA256}
    assert get(client, "opi", "/api/audit/exports", expect=403)["error"]["code"] == "ROLE_FORBIDDEN"


def test_auditors_list_restatements_and_open_their_rows(client: TestClient) -> None:
    from service.commands import restatements
    from service.security.accounts import Account

    jejak = system_of(client)
    site = post(client, "opi", "/api/sites", SITE)["id"]
    jejak.runner.catch_up()
    rebuilt = restatements.prepare(jejak, ["site_status"])
    supervisor = jejak.accounts.authenticate("sup", "supervisor-password-1")
    assert isinstance(supervisor, Account)
    done = restatements.switch(rebuilt, supervisor, "Replayed after the site fold was corrected")

    listed = client.get("/api/restatements", headers=login(client, "aud"))
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert item["restatement_id"] == str(done.restatement_id)
    assert item["summary"] == {"site_status": {"added": 0, "removed": 0, "changed": 0, "rows": 1}}
    one = client.get(f"/api/restatements/{done.restatement_id}", headers=login(client, "aud"))
    assert one.status_code == 200 and one.json()["rows"] == []
    assert client.get("/api/restatements", headers=login(client, "opi")).status_code == 403
    missing = client.get(f"/api/restatements/{site}", headers=login(client, "aud"))
    assert missing.status_code == 404
