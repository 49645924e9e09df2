"""Logging out in a real headless Chromium: the back button and a reload show the login page,
and the pages obey their Content-Security-Policy (ADR 0049)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


def test_after_logout_back_and_reload_show_the_login_page(served_demo: str, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, sync_playwright

    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", note)
        page.goto(served_demo + "/")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "supervisor-kaltara-2016")
        page.click("button[type=submit]")
        page.wait_for_selector("#sites")
        # The stylesheet is a file of this server, and is applied.
        header = page.eval_on_selector("header", "h => getComputedStyle(h).backgroundColor")
        assert header == "rgb(22, 50, 79)"
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        page.click("text=Keluar")  # the page speaks Indonesian unless the reader chose English
        page.wait_for_url("**/login")
        page.go_back()
        page.wait_for_load_state()
        assert page.query_selector("#sites") is None
        assert page.query_selector("input[name=password]") is not None
        page.reload()
        assert page.url.endswith("/login")
        assert page.query_selector("#sites") is None
        page.goto(served_demo + "/docs")
        page.wait_for_url("**/login?next=/docs")
        page.screenshot(path=str(tmp_path / "login.png"))
        browser.close()
    assert refused == []
