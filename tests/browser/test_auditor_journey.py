"""An examiner's visit in a real headless Chromium, through the real server (issue 16, point
6): she opens a woman's payment history from her case, downloads it as a PDF, verifies the log
and sees it intact, and views the programme dashboard as at 31 December 2018. Each step is
checked by what the page (or the file) then shows."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import open_as

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
# A Juata Permai case paid and closed by the end of the demo's story.
CASE = "TRK-JP-0004"


def test_an_auditor_checks_a_payment_history_the_log_and_a_past_year(
    served_demo: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        page = open_as(p, f"{served_demo}/cases/{CASE}", "auditor", "auditor-kaltara-2016")
        expect(page.locator("h2")).to_have_text(f"Kasus {CASE}")

        # 1. Her payment history, from her case page, and its PDF.
        page.get_by_role("link", name="Riwayat pembayaran").click()
        page.wait_for_load_state()
        assert page.url.split("?")[0].endswith(f"/cases/{CASE}/payments")
        expect(page.locator("#payments tbody tr").first).to_be_visible()
        expect(page.locator("#payments .running-total").last).to_contain_text("Rp")
        with page.expect_download() as downloading:
            page.get_by_role("link", name="Unduh PDF").click()
        pdf = Path(downloading.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
        assert CASE in text

        # 2. The log, verified on request from the menu: intact up to the last position.
        page.get_by_role("navigation", name="Menu utama").get_by_role(
            "link", name="Integritas"
        ).click()
        expect(page.locator("h2")).to_have_text("Integritas log")
        expect(page.locator("#checkpoints tbody tr").first).to_contain_text("sah")
        page.get_by_role("button", name="Verifikasi log sekarang").click()
        page.wait_for_load_state()
        expect(page.locator("#verification")).to_contain_text(
            re.compile(r"Log utuh sampai posisi [\d.]+\.")
        )
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 900})
        page.screenshot(path=str(tmp_path / "integrity-phone.png"), full_page=True)
        # Nothing wider than a phone: no sideways scrolling of the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        page.set_viewport_size({"width": 1280, "height": 900})

        # 3. The dashboard as at the end of 2018, under the banner no one can miss.
        page.goto(f"{served_demo}/?as_at=2018-12-31")
        expect(page.locator(".past-cut")).to_contain_text(
            "halaman ini menampilkan apa yang telah terjadi sampai 31 Desember 2018"
        )
        juata = page.locator("tr[data-site=TRK-JP]")
        # By then Juata Permai was closed, with its 70 women registered and nothing paid yet.
        expect(juata.locator("td").first).to_have_text("Ditutup")
        expect(juata.locator("td").nth(4)).to_have_text("70")
        expect(page.locator("#sites tfoot")).to_contain_text("127")
        page.get_by_role("link", name="Kembali ke hari ini").first.click()
        expect(page.locator(".past-cut")).to_have_count(0)
