"""An erasure in a real headless Chromium (ADR 0055): a supervisor opens the request the
data-protection officer recorded, approves it with the step form on its page, and her case page
then says "dihapus" where her case file was and "dibatasi" where her identity is kept."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import text

from domain.privacy.erasure import WITA
from domain.recording import Actor, DocumentRef, Provenance, Role
from service.system import Jejak
from tests.browser.conftest import fill_document, open_as, serve_demo
from tests.conftest import DemoTemplate

pytestmark = pytest.mark.browser

CASE = "TRK-JP-0004"


def her_request(jejak: Jejak) -> None:
    """Her letter, recorded by the officer before the demo is served."""
    jejak.runner.catch_up()
    officer = Actor("dpo", Role.DPO, "DINSOS-KALTARA")
    letter = DocumentRef("surat", "01/PDP/VI/2020", date(2020, 6, 22), "Pemohon")
    with jejak.engine.connect() as conn:
        her = conn.scalar(
            text("SELECT beneficiary_id FROM beneficiary_status WHERE case_number = :n"),
            {"n": CASE},
        )
    jejak.app.erasures.record_request(
        beneficiary_id=UUID(her),
        received_at=datetime(2020, 6, 22, 9, 30, tzinfo=WITA),
        provenance=Provenance(officer, date(2020, 6, 23), letter, "Permohonan penghapusan"),
    )
    jejak.runner.catch_up()


def test_a_supervisor_approves_on_the_page_and_her_case_reads_dihapus(
    tmp_path: Path, demo_template: DemoTemplate
) -> None:
    from playwright.sync_api import sync_playwright

    with serve_demo(tmp_path, demo_template, her_request) as url, sync_playwright() as p:
        page = open_as(p, url + "/privacy/erasures", "supervisor", "supervisor-kaltara-2016")
        page.wait_for_selector("#erasures")
        page.click(f"#erasures a:text('{CASE}')")
        page.wait_for_selector("#erasure-facts")
        assert page.inner_text("#erasure-state") == "Menunggu keputusan"
        page.click("#step-approve_erasure summary")
        form = page.locator("#step-approve_erasure form")
        form.locator("input[name=occurred_on]").fill("2020-06-24")
        fill_document(form, "nota_dinas", "05/ND/PDP/VI/2020", "2020-06-24", "Kepala Dinas Sosial")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#erasure-notice")
        assert page.inner_text("#erasure-state") == "Dilaksanakan"
        assert "Nomor telepon" in page.inner_text("#erasure-deleted")
        page.screenshot(path=str(tmp_path / "erasure.png"), full_page=True)

        page.goto(url + f"/cases/{CASE}")
        page.wait_for_selector("#erasure-mark")
        assert "Berkas kasus dihapus" in page.inner_text("#erasure-mark")
        personal = page.inner_text("#personal")
        assert "dihapus" in personal and "dibatasi" in personal
        assert "[erased]" not in personal and "[restricted]" not in personal
