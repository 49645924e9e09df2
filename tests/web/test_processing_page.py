"""The record of processing page, `/privacy/processing`: readable tables in Indonesian and the
downloads, for the data-protection officer and the supervisors only (ADR 0060)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from domain.privacy.assessment_review import Conclusion
from domain.recording import Actor, Provenance, Role
from service.queries.processing import impact_assessment
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


def test_a_review_recorded_shows_on_the_page_and_in_the_pdf(demo_client: TestClient) -> None:
    log_in_page(demo_client, "dpo", ACCOUNTS["dpo"])
    jejak = demo_client.app.state.jejak  # type: ignore[attr-defined]
    assessment = impact_assessment(jejak.engine, datetime.now(UTC))
    jejak.app.processing.review_impact_assessment(
        assessment_sha256=assessment.sha256,
        conclusion=Conclusion.MEASURES_NEEDED,
        next_review_on=date(2027, 3, 1),
        provenance=Provenance(
            Actor("dpo", Role.DPO, "Dinas"), date(2026, 12, 1), None, "Perlu pelatihan petugas"
        ),
    )
    jejak.runner.catch_up()

    page = demo_client.get("/privacy/processing").text

    assert "Tinjauan terakhir adalah atas versi penilaian ini." in page
    assert "Perlu langkah tambahan" in page and "Perlu pelatihan petugas" in page
    assert "1 Maret 2027" in page
