"""The worklist in a real headless Chromium: an operator opens it from the navigation and
filters it by site, and its rows lead to the site's page by its code, 390 px wide as on a
phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import open_as

pytestmark = pytest.mark.browser


def test_an_operator_filters_the_worklist_by_site(served_demo: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        page = open_as(p, served_demo + "/", "operator", "operator-kaltara-2016", width=390)
        page.wait_for_selector("#sites")
        assert "Data demo ditampilkan per 30 Juni 2020" in page.inner_text(".viewed-as-of")
        # A keyboard user's first Tab reaches the skip link to the page's content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        page.click("nav.site-nav >> text=Daftar tugas")
        page.wait_for_selector("#worklist")
        assert page.url.endswith("/worklist")
        # Tarakan's unit answers for its two sites; the cases still open after the women went
        # home are with the province's unit.
        before = [a.inner_text() for a in page.query_selector_all("#worklist tbody a")]
        assert {"TRK-JP", "TRK-LU"} <= set(before)
        page.select_option("select[name=site]", "TRK-LU")
        page.click("text=Terapkan saringan")
        page.wait_for_url("**/worklist?site=TRK-LU*")
        links = page.query_selector_all("#worklist tbody td:first-child a")
        assert [a.inner_text() for a in links] == ["TRK-LU"]
        assert links[0].get_attribute("href") == "/sites/TRK-LU"
        assert "Dalam pemantauan" in page.inner_text("#worklist tbody")
        # Nothing on the page scrolls sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "worklist-390.png"), full_page=True)
        page.click("text=Keluar")
        page.wait_for_url("**/login")
