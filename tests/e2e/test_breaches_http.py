"""The breach register through HTTP (UU PDP Pasal 46), as the data-protection officer keeps it:
a laptop with two women's case data lost, recorded, confirmed, remedied, both women and the
agency notified within 3x24 hours, closed; the notices read back from their PDFs. Every other
role is refused its commands, and those that do not read the privacy registers its reads."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.e2e.conftest import login
from tests.e2e.test_http import SITE, doc, post

NUMBER = "KDP-2024-001"


def breach_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occurred_on": "2024-12-02",
        "number": NUMBER,
        "discovered_on": "2024-12-02",
        "discovered_time": "09.15",
        "happened_from": "2024-11-30",
        "channel": "lost_device",
        "categories": ["identity", "financial"],
        "case_numbers": ["TRK-JP-0001", "TRK-JP-0002"],
        "description": "Laptop berisi ekspor daftar penerima manfaat tertinggal di taksi",
    }
    return body | changes


def two_cases(client: TestClient) -> None:
    site = post(client, "opi", "/api/sites", SITE)["id"]
    for n in (1, 2):
        post(
            client,
            "opi",
            f"/api/sites/{site}/beneficiaries",
            {"occurred_on": "2016-03-20", "case_number": f"TRK-JP-000{n}", "name": "Contoh Ani"},
        )


def get(client: TestClient, user: str, path: str, expect: int = 200) -> Any:
    response = client.get(path, headers=login(client, user))
    assert response.status_code == expect, response.text
    return response


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def keep(name: str, content: bytes) -> None:
    # Where JEJAK_KEEP_PDFS names a folder, the notices are kept there to be looked at as pages.
    folder = os.environ.get("JEJAK_KEEP_PDFS")
    if folder:
        with open(os.path.join(folder, name), "wb") as out:
            out.write(content)


def test_a_breach_is_recorded_notified_within_72_hours_and_closed(client: TestClient) -> None:
    two_cases(client)
    breach = post(client, "dpo", "/api/privacy/breaches", breach_body())["id"]
    base = f"/api/privacy/breaches/{breach}"
    post(client, "dpo", f"{base}/confirmation", {"occurred_on": "2024-12-02"})
    post(
        client,
        "dpo",
        f"{base}/remediations",
        {"occurred_on": "2024-12-02", "summary": "Akun surel di laptop dinonaktifkan"},
    )
    notice = {"occurred_on": "2024-12-03", "sent_time": "14.00", "channel": "letter"}
    first = post(
        client,
        "dpo",
        f"{base}/notices",
        notice
        | {
            "recipient": "subject",
            "case_numbers": ["TRK-JP-0001"],
            "document": doc("surat", "2024-12-03"),
        },
    )
    at = "2024-12-03T15:00:00%2B08:00"
    running = get(
        client, "sup", f"/api/privacy/breaches/{NUMBER}?as_at={at}&after={first['position']}"
    )
    assert running.json()["clock"] == "running"
    assert running.json()["cases_outstanding"] == ["TRK-JP-0002"]
    agency = get(client, "dpo", f"/api/privacy/breaches/{NUMBER}/notices/agency.pdf")
    text = pdf_text(agency.content)
    keep("agency.pdf", agency.content)
    assert "PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI" in text
    assert "Kementerian Komunikasi dan Digital" in text
    assert "2 orang" in text and "1 dari 2 orang telah diberi tahu" in text
    assert "TRK-JP" not in text  # the agency is told how many, never which cases
    post(
        client,
        "dpo",
        f"{base}/notices",
        notice
        | {"recipient": "agency", "channel": "email", "document": doc("surat", "2024-12-03")},
    )
    last = post(
        client,
        "dpo",
        f"{base}/notices",
        notice
        | {
            "recipient": "subject",
            "case_numbers": ["TRK-JP-0002"],
            "document": doc("surat", "2024-12-03"),
        },
    )

    one = get(client, "dpo", f"/api/privacy/breaches/{NUMBER}?after={last['position']}").json()
    assert one["state"] == "NOTIFIED" and one["clock"] == "met"
    assert one["notified_in_time"] is True
    assert [e["event"] for e in one["history"]][-2:] == ["NoticeSent", "NotificationCompleted"]
    hers = get(client, "dpo", f"/api/privacy/breaches/{NUMBER}/notices/subjects/TRK-JP-0002.pdf")
    keep("subject.pdf", hers.content)
    text = pdf_text(hers.content)
    assert "Pemilik Data Pribadi" in text and "nomor kasus TRK-JP-0002" in text
    assert "Contoh Ani" not in text
    assert "2 Desember 2024 09.15 WITA" in text
    closed = post(
        client,
        "dpo",
        f"{base}/closure",
        {"occurred_on": "2024-12-20", "document": doc("laporan", "2024-12-20")},
    )
    listed = get(client, "sup", f"/api/privacy/breaches?after={closed['position']}").json()
    assert [(b["number"], b["state"]) for b in listed["items"]] == [(NUMBER, "CLOSED")]


def test_a_notice_before_any_remediation_is_refused_with_its_code(client: TestClient) -> None:
    two_cases(client)
    breach = post(client, "dpo", "/api/privacy/breaches", breach_body())["id"]
    post(
        client, "dpo", f"/api/privacy/breaches/{breach}/confirmation", {"occurred_on": "2024-12-02"}
    )

    refused = post(
        client,
        "dpo",
        f"/api/privacy/breaches/{breach}/notices",
        {
            "occurred_on": "2024-12-02",
            "sent_time": "11.00",
            "recipient": "agency",
            "channel": "email",
            "document": doc("surat", "2024-12-02"),
        },
        expect=409,
    )
    assert refused["error"]["code"] == "REMEDIATION_REQUIRED"


def test_an_unknown_case_and_a_missing_scope_are_refused(client: TestClient) -> None:
    two_cases(client)
    unknown = post(
        client,
        "dpo",
        "/api/privacy/breaches",
        breach_body(case_numbers=["TRK-JP-0009"]),
        expect=422,
    )
    none = post(client, "dpo", "/api/privacy/breaches", breach_body(case_numbers=[]), expect=422)
    assert unknown["error"]["field"] == "case_numbers"
    assert none["error"]["code"] == "AFFECTED_NOT_STATED"


@pytest.mark.parametrize("user", ["opi", "sup", "aud", "adm"])
def test_only_the_data_protection_officer_records_a_breach(client: TestClient, user: str) -> None:
    refused = post(client, user, "/api/privacy/breaches", breach_body(case_numbers=[]), expect=403)
    assert refused["error"]["code"] == "ROLE_FORBIDDEN"


@pytest.mark.parametrize(("user", "status"), [("opi", 403), ("aud", 403), ("adm", 403)])
def test_the_register_is_read_by_the_privacy_registers_readers_only(
    client: TestClient, user: str, status: int
) -> None:
    two_cases(client)
    post(client, "dpo", "/api/privacy/breaches", breach_body())
    get(client, user, "/api/privacy/breaches", expect=status)
    get(client, user, f"/api/privacy/breaches/{NUMBER}", expect=status)
    get(client, user, f"/api/privacy/breaches/{NUMBER}/notices/agency.pdf", expect=status)
    get(
        client,
        user,
        f"/api/privacy/breaches/{NUMBER}/notices/subjects/TRK-JP-0001.pdf",
        expect=status,
    )
