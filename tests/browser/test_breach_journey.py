"""The data-protection officer in a real headless Chromium, through the real server: she
records a suspected breach on its form, confirms it and records what was done from its page,
and downloads the notice to the agency, which reads as the letter Pasal 46 asks for."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import open_as

pytestmark = pytest.mark.browser


def test_the_officer_records_a_breach_and_downloads_the_agency_notice(
    served_demo: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        page = open_as(p, f"{served_demo}/privacy/breaches", "dpo", "dpo-kaltara-2016")
        expect(page.locator("h2")).to_have_text("Register kegagalan pelindungan data")

        # 1. The record form, filled in as she would, the cases by number, one a line.
        page.get_by_role("link", name="Catat dugaan kegagalan pelindungan data").click()
        page.fill("[name=number]", "KDP-2020-001")
        page.fill("[name=discovered_on]", "2020-06-29")
        page.fill("[name=discovered_time]", "09.15")
        page.fill("[name=happened_from]", "2020-06-27")
        page.select_option("[name=channel]", "lost_device")
        page.check("[name=identity_exposed]")
        page.check("[name=financial_exposed]")
        page.fill("[name=case_numbers]", "TRK-JP-0004\nTRK-JP-0005")
        page.fill("[name=description]", "Laptop berisi ekspor daftar penerima tertinggal")
        page.fill("[name=occurred_on]", "2020-06-29")
        page.screenshot(path=str(tmp_path / "breach-form.png"), full_page=True)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator(".done")).to_be_visible()
        row = page.locator("#breaches tbody tr", has_text="KDP-2020-001")
        expect(row).to_contain_text("29 Juni 2020 09.15 WITA")
        expect(row).to_contain_text("Dugaan")

        # 2. Its page: confirmed, then what was done, each from its step's form.
        row.get_by_role("link", name="KDP-2020-001").click()
        expect(page.locator("h2")).to_contain_text("KDP-2020-001")
        page.locator("#step-confirm_breach summary").click()
        page.locator("#step-confirm_breach button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("#breach-state")).to_have_text("Terkonfirmasi")
        page.locator("#step-record_remediation summary").click()
        page.locator("#step-record_remediation [name=summary]").fill("Kata sandi aplikasi diganti")
        page.locator("#step-record_remediation button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("#notices-owed")).to_contain_text("TRK-JP-0004, TRK-JP-0005")
        page.screenshot(path=str(tmp_path / "breach-page.png"), full_page=True)

        # 3. The notice to the agency, downloaded and read: counts, never a case number.
        with page.expect_download() as downloading:
            page.get_by_role("link", name="Pemberitahuan kepada lembaga (PDF)").click()
        pdf = Path(downloading.value.path()).read_bytes()
        (tmp_path / "agency.pdf").write_bytes(pdf)
        text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
        assert "PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI" in text
        assert "2 orang" in text and "Kata sandi aplikasi diganti" in text
        assert "TRK-JP-0004" not in text
