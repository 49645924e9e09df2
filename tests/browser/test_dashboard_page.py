"""The dashboard page in a real headless Chromium: log in, read the figures in Indonesian,
switch to English and back, log out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


def test_a_supervisor_logs_in_and_sees_the_three_sites(served_demo: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(served_demo + "/")
        assert page.url.endswith("/login")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
        assert "Nama pengguna atau kata sandi salah" in page.inner_text("main")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "supervisor-kaltara-2016")
        page.click("button[type=submit]")
        page.wait_for_selector("#sites")
        rows = {
            r.get_attribute("data-site"): r.inner_text()
            for r in page.query_selector_all("#sites tbody tr")
        }
        assert set(rows) == {"NNK-NT", "TRK-JP", "TRK-LU"}
        assert "\t39\t27\t" in rows["NNK-NT"] and "penutupan tanpa dana" in rows["NNK-NT"]
        assert "\t70\t62\t" in rows["TRK-JP"]
        assert "127" in page.inner_text("#sites tfoot")
        # Rupiah credited net of returns, per site and in total (the demo pays every site).
        assert all("\tRp " in row for row in rows.values())
        assert "Rp " in page.inner_text("#sites tfoot")
        assert page.query_selector_all("#overdue tbody tr")
        # States and next actions by their Indonesian names, never by code.
        assert "Dasbor program" in page.inner_text("h2")
        assert "Tindakan berikutnya" in page.inner_text("#overdue thead")
        assert "Ditutup" in rows["TRK-JP"] or "Dalam pemantauan" in rows["TRK-JP"]
        assert "CLOSED" not in page.inner_text("main")
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        page.click("text=English")
        page.wait_for_selector("text=Programme dashboard")
        assert "Next action" in page.inner_text("#overdue thead")
        page.click("text=Bahasa Indonesia")
        page.wait_for_selector("text=Dasbor program")
        page.click("text=Keluar")
        page.wait_for_url("**/login")
        browser.close()
