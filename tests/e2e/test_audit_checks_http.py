"""The audit checks through HTTP: auditors read the findings, their evidence and the rules;
a supervisor acknowledges a finding, once, with a reason; nobody deletes one."""

from __future__ import annotations

import csv
import io

import openpyxl
from fastapi.testclient import TestClient

from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import closed_site, post


def test_an_auditor_reads_the_unfunded_closure_and_a_supervisor_acknowledges_it(
    client: TestClient,
) -> None:
    site = closed_site(client)
    auditor = login(client, "aud")
    listed = client.get("/api/audit/findings", params={"rule": "A23", "after": 4}, headers=auditor)
    assert listed.status_code == 200, listed.text
    (finding,) = listed.json()["items"]
    assert (finding["site_id"], finding["severity"], finding["status"]) == (site, "F", "open")
    assert "no funds in place" in finding["summary"]
    one = client.get(f"/api/audit/findings/{finding['finding_id']}", headers=auditor).json()
    assert [e["event"] for e in one["evidence_events"]] == ["SiteClosed"]
    assert one["evidence_events"][0]["document"]["kind"] == "berita_acara"

    path = f"/api/audit/findings/{finding['finding_id']}/acknowledgement"
    body = {"occurred_on": "2019-01-15", "reason": "The 2018 funds were diverted"}
    assert client.post(path, json=body, headers=auditor).status_code == 403
    refused = client.post(path, json={"occurred_on": "2019-01-15"}, headers=login(client, "sup"))
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "REASON_REQUIRED")
    done = post(client, "sup", path, body)
    again = client.post(path, json=body, headers=login(client, "sup2"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ALREADY_REGISTERED")

    acknowledged = client.get(
        "/api/audit/findings",
        params={"acknowledged": True, "after": done["position"]},
        headers=auditor,
    ).json()
    assert [f["finding_id"] for f in acknowledged["items"]] == [finding["finding_id"]]
    assert acknowledged["items"][0]["status"] == "open"
    assert acknowledged["items"][0]["acknowledgement_reason"] == body["reason"]


def test_unknown_findings_and_bad_filters_are_refused(client: TestClient) -> None:
    auditor = login(client, "aud")
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/audit/findings/{unknown}", headers=auditor).status_code == 404
    missing = client.post(
        f"/api/audit/findings/{unknown}/acknowledgement",
        json={"occurred_on": "2019-01-15", "reason": "x"},
        headers=login(client, "sup"),
    )
    assert missing.status_code == 404
    bad = client.get("/api/audit/findings", params={"severity": "X"}, headers=auditor)
    assert bad.status_code == 422
    assert client.get("/api/audit/findings", headers=login(client, "opi")).status_code == 403


def test_the_rules_are_served_as_declared(client: TestClient) -> None:
    rules = client.get("/api/audit/rules", headers=login(client, "aud")).json()
    by_id = {r["rule_id"]: r for r in rules}
    assert by_id["A15"]["escalates_to"] == "B" and by_id["A15"]["severity"] == "F"
    assert by_id["A14"]["thresholds"] == ["withdrawal_days"]
    assert by_id["A25"]["run"] is False and by_id["A25"]["why"]


def test_an_auditor_exports_the_findings_as_csv_and_xlsx_and_each_export_is_recorded(
    client: TestClient,
) -> None:
    closed_site(client)
    auditor = login(client, "aud")
    client.get("/api/audit/findings", params={"after": 4}, headers=auditor)

    as_csv = client.get("/api/audit/findings.csv", params={"rule": "A23"}, headers=auditor)
    as_xlsx = client.get("/api/audit/findings.xlsx", headers=auditor)

    assert as_csv.status_code == 200, as_csv.text
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [r["Aturan"] for r in rows] == ["A23"]
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).worksheets[-1]
    assert any(cell.value == "A23" for row in sheet.iter_rows() for cell in row)
    # The records are a read model: read them once it has caught up with both exports' events.
    after = system_of(client).app.position()
    recorded = client.get("/api/audit/exports", params={"after": after}, headers=auditor).json()[
        "items"
    ]
    assert {"audit_findings.csv", "audit_findings.xlsx"} <= {r["export_name"] for r in recorded}
    assert client.get("/api/audit/findings.csv", headers=login(client, "opi")).status_code == 403
