"""Every page through axe-core in a real headless Chromium, at a desktop width and at 390 px:
no serious or critical violation, and at 390 px no sideways scrolling of the page. Plus the
keyboard alone: the skip link first, a visible focus, and a login without the mouse.

axe-core's script comes from the axe-playwright-python package (nothing is fetched at run
time); it is run here directly so that the report says which page, width and role failed."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.accessibility.pages import (
    NOT_YET_BUILT,
    ONLY_FOR,
    PAGES,
    PUBLIC_PAGES,
    SAME_FOR_EVERY_ROLE,
    WIDTHS,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.accessibility

AXE_SCRIPT = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
PASSWORDS = {
    "supervisor": "supervisor-kaltara-2016",
    "operator": "operator-kaltara-2016",
    "auditor": "auditor-kaltara-2016",
    "admin": "admin-kaltara-2016",
    "dpo": "dpo-kaltara-2016",
}
# The roles every page is checked as, unless `ONLY_FOR` names others.
EVERY_PAGE_ROLES = ("supervisor", "operator")
PHONE_WIDTH = min(WIDTHS)
SCREEN_HEIGHT = 800
# On /docs, the operation opened and tried out (tag, then operation id).
TRIED_OUT_OPERATION = "commands-register_site_api_sites_post"
# Elements named per violation in a failure's message; the rest are counted.
NODES_SHOWN = 5


@pytest.fixture(scope="module")
def browser(served_demo_for_module: str) -> Iterator[Browser]:
    """One Chromium for the module (the served demo first: it skips when Chromium is absent)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/")


@pytest.fixture(scope="module")
def sessions(browser: Browser, served_demo_for_module: str) -> Iterator[dict[str, BrowserContext]]:
    """A browser context per role, logged in once; "visitor" is logged out."""
    contexts = {"visitor": browser.new_context()}
    for username in PASSWORDS:
        context = browser.new_context()
        page = context.new_page()
        _log_in(page, served_demo_for_module, username)
        page.close()
        contexts[username] = context
    yield contexts
    for context in contexts.values():
        context.close()


def _blocking_violations(page: Page, within: str | None) -> list[dict[str, Any]]:
    page.evaluate(AXE_SCRIPT)
    results: dict[str, Any] = page.evaluate(
        "within => axe.run(within || document, { resultTypes: ['violations'] })", within
    )
    # A run that checked nothing would pass anything.
    assert results["testEngine"]["name"] == "axe-core" and results["url"] == page.url
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        nodes = violation["nodes"]
        for node in nodes[:NODES_SHOWN]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {' '.join(node['failureSummary'].split())}")
        if len(nodes) > NODES_SHOWN:
            lines.append(f"    and {len(nodes) - NODES_SHOWN} more")
    return "\n".join(lines)


def _cases() -> list[tuple[str, str, int]]:
    # Public pages once, logged out; the others as each role, or once if all see the same.
    def roles(path: str) -> tuple[str, ...]:
        if path in PUBLIC_PAGES:
            return ("visitor",)
        if path in ONLY_FOR:
            return ONLY_FOR[path]
        return ("supervisor",) if path in SAME_FOR_EVERY_ROLE else EVERY_PAGE_ROLES

    return [(path, role, width) for path in PAGES for role in roles(path) for width in WIDTHS]


@pytest.mark.parametrize(
    ("path", "role", "width"),
    _cases(),
    ids=lambda value: f"{value}px" if isinstance(value, int) else str(value),
)
def test_a_page_has_no_serious_violation_and_fits_the_width(
    sessions: dict[str, BrowserContext],
    served_demo_for_module: str,
    path: str,
    role: str,
    width: int,
    tmp_path: Path,
) -> None:
    context = sessions[role]
    page = context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": SCREEN_HEIGHT})
        response = page.goto(served_demo_for_module + path)
        assert response is not None
        if path in NOT_YET_BUILT:
            assert response.status == 404, f"{path} answers now: take it out of NOT_YET_BUILT"
            pytest.skip(f"{path} is not built yet")
        assert response.status < 400, f"{path} answered {response.status} to the {role}"
        if path in SAME_FOR_EVERY_ROLE:
            # The API's documentation draws itself with scripts after the load; the workspace's
            # pages have none, and are whole when `goto` returns.
            page.wait_for_load_state("networkidle")
        _check(page, f"{path} at {width} px as the {role}", width, tmp_path / f"{role}-{width}.png")
        if path == "/docs":
            # Swagger UI draws most of its controls only once an operation is tried out: one
            # with parameters and a JSON body.
            operation = page.locator(f"#operations-{TRIED_OUT_OPERATION}")
            operation.locator(".opblock-summary-control").click()
            operation.locator(".try-out__btn").click()
            page.wait_for_selector("textarea.body-param__text")
            _check(
                page,
                f"{path} with an operation tried out at {width} px as the {role}",
                width,
                tmp_path / f"{role}-{width}-try-out.png",
                # The rest of the page was checked above.
                within=f"#operations-{TRIED_OUT_OPERATION}",
            )
    finally:
        page.close()


def _check(page: Page, where: str, width: int, screenshot: Path, within: str | None = None) -> None:
    """No serious or critical violation on the page (or `within` the element that selector
    names), and at the phone's width no sideways scrolling."""
    blocking = _blocking_violations(page, within)
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    sideways = width == PHONE_WIDTH and scroll_width > inner_width
    if blocking or sideways:
        # The first screenful, to look at what failed: a whole long page takes seconds.
        page.screenshot(path=str(screenshot))
    assert not blocking, (
        f"{where}: {len(blocking)} serious or critical accessibility violation(s):\n"
        f"{_report(blocking)} (screenshot: {screenshot})"
    )
    assert not sideways, (
        f"{where} scrolls sideways: {scroll_width} px of content in {inner_width} px"
        f" (screenshot: {screenshot})"
    )


def _focused(page: Page) -> dict[str, str]:
    focused: dict[str, str] = page.evaluate(
        """() => {
            const e = document.activeElement;
            const style = getComputedStyle(e);
            return {
                tag: e.tagName.toLowerCase(),
                cls: e.className,
                href: e.getAttribute("href") || "",
                name: e.getAttribute("name") || "",
                outline: style.outlineStyle + " " + style.outlineWidth,
            };
        }"""
    )
    return focused


def _tab_reaches_the_skip_link_first(page: Page, where: str) -> None:
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert (focused["tag"], focused["href"]) == ("a", "#main"), f"{where}: first Tab on {focused}"
    assert not focused["outline"].startswith("none"), f"{where}: focus not visible"
    assert focused["outline"].split()[1] != "0px", f"{where}: focus not visible"
    # Hidden until focused, then on screen.
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0, f"{where}: skip link off screen"


def test_the_keyboard_alone_skips_to_the_content_and_logs_in(
    browser: Browser, served_demo_for_module: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": SCREEN_HEIGHT})
    page = context.new_page()
    try:
        page.goto(served_demo_for_module + "/login")
        _tab_reaches_the_skip_link_first(page, "login")
        page.screenshot(path=str(tmp_path / "login-skip-link.png"))
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        # The skip link moved the keyboard into the content: the form comes next.
        page.keyboard.press("Tab")
        assert _focused(page)["name"] == "username"
        page.keyboard.type("supervisor")
        page.keyboard.press("Tab")
        assert _focused(page)["name"] == "password"
        page.keyboard.type(PASSWORDS["supervisor"])
        page.keyboard.press("Enter")
        page.wait_for_url(served_demo_for_module + "/")
        page.wait_for_selector("#sites")
        _tab_reaches_the_skip_link_first(page, "dashboard")
        page.screenshot(path=str(tmp_path / "dashboard-skip-link.png"))
    finally:
        context.close()
