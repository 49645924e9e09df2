"""A served demo and a headless Chromium for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Playwright

from service.demo.kaltara import DEMO_LAST_BUSINESS_DAY
from service.system import Jejak
from tests.conftest import DemoTemplate, demo_store
from tools.served import served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a closed network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve_demo(
    directory: Path,
    template: DemoTemplate,
    prepare: Callable[[Jejak], object] | None = None,
) -> Iterator[str]:
    """`jejak serve --demo` in a thread, on a free port, its store a copy of `template` in
    `directory`; skipped (failed when JEJAK_REQUIRE_BROWSER=1)
    without Chromium. `prepare` adds to the demo's records before it is served (what a
    journey needs that the demo lacks)."""
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("JEJAK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Shown as at the demo's last business day, as `jejak serve --demo` shows it (ADR 0050).
    jejak = demo_store(template, directory, view_as_of=DEMO_LAST_BUSINESS_DAY)
    if prepare is not None:
        prepare(jejak)
    try:
        with served(jejak) as url:
            yield url
    finally:
        jejak.close()


@pytest.fixture
def served_demo(tmp_path: Path, demo_template: DemoTemplate) -> Iterator[str]:
    """The served demo for one test."""
    with serve_demo(tmp_path, demo_template) as url:
        yield url


@pytest.fixture(scope="module")
def served_demo_for_module(
    tmp_path_factory: pytest.TempPathFactory, demo_template: DemoTemplate
) -> Iterator[str]:
    """One served demo shared by the tests of a module that only read it."""
    with serve_demo(tmp_path_factory.mktemp("demo"), demo_template) as url:
        yield url


def open_as(
    playwright: Playwright, url: str, username: str, password: str, width: int = 1280
) -> Page:
    """A new Chromium page at `url` for `username`: the login form it is sent to filled in
    and sent, as a person does, and then back to `url`."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    return page


def fill_document(form: Locator, kind: str, number: str, issued_on: str, issuer: str) -> None:
    """Fill a step form's document fields (ADR 0051 builds them from the declaration), as a
    person does: the kind from its list, then the number, date and issuer."""
    form.locator("select[name='document.kind']").select_option(kind)
    form.locator("input[name='document.number']").fill(number)
    form.locator("input[name='document.issued_on']").fill(issued_on)
    form.locator("input[name='document.issuer']").fill(issuer)
