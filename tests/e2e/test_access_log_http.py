"""The access log over HTTP: read and exported by the data-protection officer and the
auditors, filtered, refused to everyone else, each read itself logged (ADR 0042)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.e2e.conftest import login, system_of


@pytest.mark.parametrize("username", ["dpo", "aud"])
def test_the_dpo_and_auditors_read_the_access_log_and_their_read_is_logged(
    store_client: TestClient, username: str
) -> None:
    headers = login(store_client, username)

    first = store_client.get("/api/access-log?action=login", headers=headers)
    again = store_client.get("/api/access-log?limit=1", headers=headers)

    assert first.status_code == 200, first.text
    body = first.json()
    assert body["total"] >= 1 and {e["action"] for e in body["items"]} == {"login"}
    (login_entry,) = [e for e in body["items"] if e["user_id"] == username]
    assert login_entry["interface"] == "api" and login_entry["at"].endswith("+08:00")
    # The read is written after it is made, so the next read finds it.
    (newest,) = again.json()["items"]
    assert (newest["user_id"], newest["action"]) == (username, "read_access_log")
    assert newest["detail"] == "page, 1 rows, filters: action"
    assert newest["subject_kind"] == "access_log"


@pytest.mark.parametrize("username", ["opi", "sup", "adm"])
def test_no_other_role_reads_or_exports_it(store_client: TestClient, username: str) -> None:
    headers = login(store_client, username)
    for path in ("/api/access-log", "/api/access-log/export?format=xlsx"):
        response = store_client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "ROLE_FORBIDDEN"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("role=chief", "role"),
        ("interface=fax", "interface"),
        ("action=Drop Table", "action"),
        ("subject_id=TRK-JP-0001", "subject_id"),
        ("from=2026-12-06T10:00:00", "from"),
        ("to=yesterday", "to"),
        ("user_id=" + "x" * 65, "user_id"),
        ("limit=0", "limit"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(
    store_client: TestClient, query: str, field: str
) -> None:
    response = store_client.get(f"/api/access-log?{query}", headers=login(store_client, "dpo"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert f"query.{field}" in {error["field"], *(p["field"] for p in error.get("problems", ()))}


def test_a_time_range_in_wita_selects_the_entries_of_that_time(store_client: TestClient) -> None:
    headers = login(store_client, "dpo")
    before = store_client.get(
        "/api/access-log?to=2000-01-01T08:00:00%2B08:00", headers=headers
    ).json()
    now = store_client.get("/api/access-log?from=2000-01-01T00:00:00Z", headers=headers).json()
    assert before["total"] == 0 and now["total"] >= 1


def test_the_export_is_recorded_and_logged_and_holds_the_filtered_entries(
    store_client: TestClient,
) -> None:
    headers = login(store_client, "dpo")
    login(store_client, "opi")

    as_csv = store_client.get("/api/access-log/export?user_id=opi&format=csv", headers=headers)
    as_xlsx = store_client.get("/api/access-log/export?format=xlsx", headers=headers)

    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="log-akses-' in as_csv.headers["content-disposition"]
    assert as_csv.headers["x-jejak-export-id"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Nomor", "Waktu (WITA)", "Akun"]
    assert [r[2] for r in rows[1:]] == ["opi"]
    assert as_xlsx.status_code == 200, as_xlsx.text
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    assert any("Log akses" in name for name in workbook.sheetnames)
    logged = [
        e for e in system_of(store_client).access_log.recent(5) if e.action == "export_access_log"
    ]
    newest, older = (e.detail or "" for e in logged[:2])
    assert newest.startswith("xlsx, ") and newest.endswith(" rows, filters: none")
    assert older == "csv, 1 rows, filters: user_id"
