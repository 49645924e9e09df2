"""A case's page in a real headless Chromium: an operator opens her case by its number, reads
its state and timeline in Indonesian, follows the link to its site, and neither page scrolls
sideways on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import open_as

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390


def test_an_operator_reads_a_case_and_its_site_in_indonesian(
    served_demo: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Page, sync_playwright

    def fits_a_phone(page: Page) -> bool:
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        fits: bool = page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        page.set_viewport_size({"width": 1280, "height": 800})
        return fits

    with sync_playwright() as p:
        page = open_as(p, served_demo + "/cases/TRK-JP-0004", "operator", "operator-kaltara-2016")
        page.wait_for_selector("#case-facts")
        assert page.url.endswith("/cases/TRK-JP-0004")
        assert page.inner_text("h2") == "Kasus TRK-JP-0004"
        assert page.inner_text("#case-state") == "Kasus selesai (terminasi)"
        assert "Dinas Sosial Kota Tarakan" in page.inner_text("#case-facts")
        timeline = page.inner_text("ol.timeline")
        assert "Didata saat pendataan" in timeline and "Identitas diverifikasi" in timeline
        assert "20 Maret 2016" in timeline and "WITA" in timeline
        assert "Petugas program" in timeline and "Salinan KTP" in timeline
        assert "IdentityVerified" not in timeline and "CLOSED" not in page.inner_text("main")
        assert fits_a_phone(page)
        page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
        page.click("#case-facts a")
        page.wait_for_selector("#site-facts")
        assert page.url.endswith("/sites/TRK-JP")
        assert page.inner_text("#site-state") == "Dalam pemantauan"
        assert "Lokasi ditutup" in page.inner_text("ol.timeline")
        assert fits_a_phone(page)
