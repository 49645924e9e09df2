"""The API documentation in a real headless Chromium with every outside request blocked: it
must render the operations from files this server serves (ADR 0035)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_its_operations_with_the_network_cut_off(served_demo: str) -> None:
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(served_demo + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("**/*", only_this_server)
        page.goto(served_demo + "/docs")
        assert "/login" in page.url
        page.fill("input[name=username]", "auditor")
        page.fill("input[name=password]", "auditor-kaltara-2016")
        page.click("button[type=submit]")
        page.wait_for_url("**/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        operations = page.query_selector_all(".opblock-summary-path")
        assert len(operations) > 20
        assert "/auth/token" in page.inner_text("#swagger-ui")
        browser.close()
    assert outside == []
