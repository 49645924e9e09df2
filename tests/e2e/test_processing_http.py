"""The record of processing and the impact assessment over HTTP (ADR 0060): read and exported
by the data-protection officer and the supervisors, refused to every other role; each file
handed out is recorded as an export."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.e2e.conftest import login

READS = ("/api/privacy/processing", "/api/privacy/impact-assessment")
EXPORTS = tuple(f"{path}/export?format={f}" for path in READS for f in ("pdf", "csv", "json"))


@pytest.mark.parametrize("username", ["dpo", "sup"])
def test_the_officers_read_and_export_the_record_and_the_assessment(
    client: TestClient, username: str
) -> None:
    headers = login(client, username)

    record = client.get("/api/privacy/processing", headers=headers)
    assessment = client.get("/api/privacy/impact-assessment", headers=headers)
    pdf = client.get("/api/privacy/processing/export?format=pdf", headers=headers)
    rows = client.get("/api/privacy/processing/export?format=csv", headers=headers)
    risks = client.get("/api/privacy/impact-assessment/export?format=pdf", headers=headers)

    assert record.status_code == 200, record.text
    body = record.json()
    assert [a["key"] for a in body["activities"]][:3] == [
        "registration",
        "rehabilitation",
        "payment",
    ]
    assert {f["field"] for f in body["fields"]} >= {"nik", "bank_account", "assessment_notes"}
    assert assessment.json()["required"] is True
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-jejak-export-id"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "CATATAN KEGIATAN PEMROSESAN DATA PRIBADI" in text
    assert "Pasal 20 ayat (2) huruf c" in text
    table = list(csv.DictReader(io.StringIO(rows.text)))
    assert any(r["kolom"] == "bank_account" and r["pasal_4"] == "spesifik" for r in table)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(risks.content)).pages)
    assert "PENILAIAN DAMPAK PELINDUNGAN DATA PRIBADI" in text


@pytest.mark.parametrize("username", ["opi", "aud", "adm"])
def test_no_other_role_reads_or_exports_them(client: TestClient, username: str) -> None:
    headers = login(client, username)
    for path in (*READS, *EXPORTS):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 403, path
        assert answer.json()["error"]["code"] == "ROLE_FORBIDDEN"


def test_an_unknown_format_is_refused_naming_the_parameter(client: TestClient) -> None:
    answer = client.get("/api/privacy/processing/export?format=docx", headers=login(client, "dpo"))
    assert answer.status_code == 422
    assert "format" in answer.text


def test_the_dpo_records_a_review_of_the_assessment_it_then_shows(client: TestClient) -> None:
    dpo = login(client, "dpo")
    before = client.get("/api/privacy/impact-assessment", headers=dpo).json()
    assert before["reviewed"] is False and before["reviews"] == []
    body = {
        "assessment_sha256": before["sha256"],
        "conclusion": "acceptable",
        "next_review_on": "2027-06-01",
        "occurred_on": "2026-12-01",
        "reason": "Langkah pengamanan memadai; tinjau lagi setelah kerja sama Dukcapil",
    }

    answer = client.post("/api/privacy/impact-assessment/reviews?after=0", json=body, headers=dpo)
    refused = client.post(
        "/api/privacy/impact-assessment/reviews", json=body, headers=login(client, "sup")
    )
    late = client.post(
        "/api/privacy/impact-assessment/reviews",
        json={**body, "next_review_on": "2026-11-30"},
        headers=dpo,
    )

    assert answer.status_code == 201, answer.text
    assert refused.status_code == 403
    assert late.status_code == 422
    assert late.json()["error"]["code"] == "NEXT_REVIEW_NOT_AFTER_REVIEW"
    position = answer.json()["position"]
    after = client.get(f"/api/privacy/impact-assessment?after={position}", headers=dpo).json()
    assert after["reviewed"] is True
    (review,) = after["reviews"]
    assert review["conclusion"] == "acceptable" and review["reviewed_by"] == "dpo"
    assert review["next_review_on"] == "2027-06-01"
