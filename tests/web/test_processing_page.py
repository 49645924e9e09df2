"""The record of processing page, `/privacy/processing`: readable tables in Indonesian and the
downloads, for the data-protection officer and the supervisors only (ADR 0060)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import log_in_page
from tests.web.test_privacy_pages import ACCOUNTS


@pytest.mark.parametrize("username", ["dpo", "supervisor"])
def test_the_officers_read_the_record_and_the_assessment(
    demo_client: TestClient, username: str
) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])

    page = demo_client.get("/privacy/processing")

    assert page.status_code == 200
    text = page.text
    assert "<h2>Catatan pemrosesan</h2>" in text
    assert "Pendataan dan verifikasi identitas penerima manfaat" in text
    assert "Nomor rekening bank" in text and "spesifik" in text
    assert "<code>beneficiary_status</code>" in text
    assert "Penilaian dampak (Pasal 34)" in text
    for link in (
        "/api/privacy/processing/export?format=pdf",
        "/api/privacy/impact-assessment/export?format=csv",
    ):
        assert f'href="{link}"' in text
        assert demo_client.get(link).status_code == 200, link


@pytest.mark.parametrize("username", ["operator", "auditor", "admin"])
def test_the_other_roles_are_refused(demo_client: TestClient, username: str) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])

    assert demo_client.get("/privacy/processing").status_code == 403
