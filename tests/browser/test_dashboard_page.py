"""The dashboard page in a real headless Chromium: log in, read the figures, log out."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from service.api.app import create_app
from service.demo import ensure_demo_users, load_demo
from service.system import Jejak
from tests.conftest import fast_accounts, settings_for

pytestmark = pytest.mark.browser

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[str]:
    """`jejak serve --demo` in a thread, on a free port."""
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("JEJAK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    jejak = Jejak.start(settings_for(f"sqlite:///{tmp_path}/demo.db", tmp_path))
    ensure_demo_users(fast_accounts(jejak))
    load_demo(jejak.app)
    jejak.runner.catch_up()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(jejak=jejak), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    jejak.close()


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
        assert "Wrong username or password" in page.inner_text("main")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "supervisor-kaltara-2016")
        page.click("button[type=submit]")
        page.wait_for_selector("#sites")
        rows = {
            r.get_attribute("data-site"): r.inner_text()
            for r in page.query_selector_all("#sites tbody tr")
        }
        assert set(rows) == {"NNK-NT", "TRK-JP", "TRK-LU"}
        assert "\t39\t27\t" in rows["NNK-NT"] and "unfunded closure" in rows["NNK-NT"]
        assert "\t70\t62\t" in rows["TRK-JP"]
        assert "127" in page.inner_text("#sites tfoot")
        # Rupiah credited net of returns, per site and in total (the demo pays every site).
        assert all("\tRp " in row for row in rows.values())
        assert "Rp " in page.inner_text("#sites tfoot")
        assert page.query_selector_all("#overdue tbody tr")
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        page.click("text=Log out")
        page.wait_for_url("**/login")
        browser.close()
