"""The breach register's pages: the data-protection officer records a suspected breach on its
form, confirms it and records the remediation through the step forms on its page, and
downloads the notices; the supervisor reads the register; the other roles are refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import log_in_page
from tests.web.test_audit_pages import submit
from tests.web.test_privacy_pages import ACCOUNTS

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
BREACH = {
    "number": "KDP-2020-001",
    "discovered_on": "2020-06-29",
    "discovered_time": "09.15",
    "happened_from": "2020-06-27",
    "happened_to": "2020-06-27",
    "channel": "lost_device",
    "identity_exposed": "on",
    "financial_exposed": "on",
    "case_numbers": "TRK-JP-0004\nTRK-JP-0005",
    "description": "Laptop berisi ekspor daftar penerima manfaat tertinggal di taksi",
    "occurred_on": "2020-06-29",
}


def test_the_officer_records_a_breach_takes_its_steps_and_downloads_its_notices(
    demo_client: TestClient,
) -> None:
    log_in_page(demo_client, "dpo", ACCOUNTS["dpo"])
    empty = demo_client.get("/privacy/breaches")
    assert empty.status_code == 200 and "Catat dugaan kegagalan" in empty.text

    refused = submit(
        demo_client,
        "/privacy/breaches/new",
        BREACH | {"identity_exposed": "", "financial_exposed": ""},
    )
    assert refused.status_code == 422
    assert 'class="error"' in refused.text

    sent = submit(demo_client, "/privacy/breaches/new", BREACH)
    assert sent.status_code == 303, sent.text
    register = demo_client.get(sent.headers["location"])
    assert '<a href="/privacy/breaches/KDP-2020-001">KDP-2020-001</a>' in register.text
    assert "29 Juni 2020 09.15 WITA" in register.text
    assert "data identitas, data keuangan" in register.text
    assert "sisa 33 jam" in register.text  # judged at the end of the demo's viewing day

    page = "/privacy/breaches/KDP-2020-001"
    confirmed = submit(demo_client, f"{page}/steps/confirm_breach", {"occurred_on": "2020-06-29"})
    assert confirmed.status_code == 303, confirmed.text
    remedied = submit(
        demo_client,
        f"{page}/steps/record_remediation",
        {"occurred_on": "2020-06-29", "summary": "Kata sandi aplikasi diganti"},
    )
    assert remedied.status_code == 303, remedied.text
    html = demo_client.get(remedied.headers["location"]).text
    assert "Kata sandi aplikasi diganti" in html
    assert "TRK-JP-0004, TRK-JP-0005" in html  # still to be notified
    assert 'id="step-record_notice_sent"' in html
    assert UUID.search(html) is None
    agency = demo_client.get(f"{page}/notices/agency.pdf")
    assert agency.status_code == 200 and agency.content.startswith(b"%PDF")
    hers = demo_client.get(f"{page}/notices/subjects/TRK-JP-0004.pdf")
    assert hers.status_code == 200 and hers.headers["content-type"] == "application/pdf"
    assert demo_client.get(f"{page}/notices/subjects/TRK-JP-0001.pdf").status_code == 404

    letter = {
        "occurred_on": "2020-06-30",
        "sent_time": "10.00",
        "channel": "email",
        "document.kind": "surat",
        "document.number": "KDP-2020-001/L",
        "document.issued_on": "2020-06-30",
        "document.issuer": "Pejabat Pelindungan Data Pribadi",
    }
    unnamed = submit(demo_client, f"{page}/steps/record_notice_sent", letter | {"recipient": ""})
    assert unnamed.status_code == 422
    sent = submit(demo_client, f"{page}/steps/record_notice_sent", letter | {"recipient": "agency"})
    assert sent.status_code == 303, sent.text
    told = demo_client.get(sent.headers["location"]).text
    assert "KDP-2020-001/L" in told and "Lembaga (Komdigi)" in told
    assert "Lembaga belum diberi tahu" not in told


@pytest.mark.parametrize("username", ["operator", "auditor", "admin"])
def test_the_register_is_refused_to_those_who_do_not_read_the_privacy_registers(
    demo_client: TestClient, username: str
) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])

    assert demo_client.get("/privacy/breaches").status_code == 403
    assert demo_client.get("/privacy/breaches/new").status_code == 403


def test_a_supervisor_reads_the_register_but_records_nothing(demo_client: TestClient) -> None:
    log_in_page(demo_client, "supervisor", ACCOUNTS["supervisor"])

    page = demo_client.get("/privacy/breaches")

    assert page.status_code == 200
    assert 'href="/privacy/breaches/new"' not in page.text
    assert demo_client.get("/privacy/breaches/new").status_code == 403
