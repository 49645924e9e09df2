"""`make screenshots`: PNGs of the workspace's main pages in `docs/screenshots/`.

Serves the Kaltara demo from a fresh temporary store (as `jejak serve --demo` shows it, as at
30 June 2020), logs in once per role through the login form in headless Chromium and saves
each page of `SHOTS` as the role that uses it, at 1280 px wide, a few also at 390 px to show
the phone layout. A page that answers 404 is skipped with a warning (a page not built yet),
so the table may list pages ahead of their arrival. The PNGs are reduced to 256 colours,
which keeps them small and leaves text sharp.

Run: `make screenshots` (or `python -m tools.screenshots [--only FILE ...] [--out DIR]`).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from domain.recording import Role
from service.demo.kaltara import DEMO_LAST_BUSINESS_DAY, DEMO_USERS, ensure_demo_users, load_demo
from service.settings import Settings
from service.system import Jejak
from tools.served import served

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDE = 1280
PHONE = 390
# The batch page's path: the first batch the batches page lists.
FIRST_BATCH = "/batches/<first>"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]


@dataclass(frozen=True)
class Shot:
    """One screenshot: the page, who looks at it, the file, how wide, and whether the whole
    page (rather than the first screen) is taken."""

    path: str
    role: Role
    file: str
    width: int = WIDE
    full_page: bool = False
    # Send the page's first form empty first: to show how a refusal looks.
    submit_empty: bool = False


OPERATOR, SUPERVISOR, AUDITOR, ADMIN, DPO = (
    Role.OPERATOR,
    Role.SUPERVISOR,
    Role.AUDITOR,
    Role.ADMIN,
    Role.DPO,
)

# Every screenshot, by the page, the role that uses it and the file it is saved as.
SHOTS: tuple[Shot, ...] = (
    Shot("/login", OPERATOR, "masuk.png"),
    Shot("/", SUPERVISOR, "dasbor.png", full_page=True),
    Shot("/", OPERATOR, "dasbor-ponsel.png", width=PHONE),
    Shot("/worklist", OPERATOR, "daftar-tugas.png"),
    Shot("/worklist", OPERATOR, "daftar-tugas-ponsel.png", width=PHONE),
    Shot("/sites/TRK-JP", OPERATOR, "lokasi.png", full_page=True),
    Shot("/cases/TRK-JP-0004", OPERATOR, "kasus.png"),
    Shot("/cases/TRK-JP-0004", OPERATOR, "kasus-ponsel.png", width=PHONE),
    Shot("/sites/TRK-JP/steps/register_beneficiary", OPERATOR, "daftarkan-perempuan.png"),
    Shot("/sites/TRK-JP/roster", OPERATOR, "impor-daftar.png"),
    Shot("/cases/TRK-JP-0004/steps/record_bank_account", OPERATOR, "langkah-rekening.png"),
    Shot(
        "/sites/TRK-JP/steps/register_beneficiary",
        OPERATOR,
        "penolakan.png",
        submit_empty=True,
    ),
    Shot("/documents/new", OPERATOR, "unggah-dokumen.png"),
    Shot("/search", OPERATOR, "cari.png"),
    # The supervisors', auditors' and administrators' pages.
    Shot("/approvals", SUPERVISOR, "persetujuan.png"),
    Shot("/batches", SUPERVISOR, "daftar-bayar.png"),
    Shot("/batches/new", SUPERVISOR, "siapkan-daftar-bayar.png"),
    Shot(FIRST_BATCH, SUPERVISOR, "batch.png"),
    Shot("/reconciliation?batch=DEMO-2019-02", SUPERVISOR, "rekonsiliasi.png"),
    Shot("/cases/TRK-JP-0004/payments", AUDITOR, "riwayat-pembayaran.png"),
    Shot("/ledger", AUDITOR, "buku-besar.png"),
    Shot("/funding", SUPERVISOR, "pendanaan.png"),
    Shot("/audit/checks", AUDITOR, "pemeriksaan-otomatis.png"),
    Shot("/audit/findings", AUDITOR, "register-temuan.png"),
    Shot("/restatements", AUDITOR, "penyajian-ulang.png"),
    Shot("/reports", SUPERVISOR, "laporan.png"),
    Shot("/integrity", AUDITOR, "integritas.png"),
    Shot("/access-log", AUDITOR, "log-akses.png"),
    Shot("/admin/accounts", ADMIN, "admin-akun.png"),
    Shot("/lifecycles", SUPERVISOR, "siklus.png"),
    Shot("/?as_at=2018-12-31", AUDITOR, "dasbor-2018.png"),
    # The data-protection officer's workspace (docs/panduan/pdp.md), on the demo's records.
    Shot("/", DPO, "pdp-dasbor.png"),
    Shot("/privacy/requests/PDP-DEMO-002", DPO, "pdp-permintaan.png", full_page=True),
    Shot("/privacy/erasures", SUPERVISOR, "pdp-penghapusan.png"),
    Shot("/privacy/breaches/KDP-DEMO-001", DPO, "pdp-kegagalan.png", full_page=True),
    Shot("/privacy/retention", DPO, "pdp-retensi.png"),
    Shot("/privacy/processing", DPO, "pdp-catatan.png"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Take the screenshots; 0 unless the demo could not be served or a page failed."""
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default docs/screenshots)")
    parser.add_argument("--only", action="append", default=[], help="only this file (repeatable)")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("make screenshots: Chromium is not installed (apt-get install chromium)")
        return 1
    shots = [s for s in SHOTS if not args.only or s.file in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    with (
        tempfile.TemporaryDirectory(prefix="jejak-screenshots-") as folder,
        served_demo(Path(folder)) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        # A page per role and width, logged in; the login page's own, not logged in.
        pages: dict[tuple[Role, int, bool], Page] = {}
        for shot in shots:
            key = (shot.role, shot.width, shot.path == "/login")
            page = pages.get(key)
            if page is None:
                page = pages[key] = logged_in(browser, url, shot)
            failed += take(page, url, shot, args.out)
        browser.close()
    return 1 if failed else 0


def take(page: Page, url: str, shot: Shot, out: Path) -> int:
    """Save one screenshot; 1 if the page failed, 0 if it was saved or skipped."""
    path: str | None = shot.path
    if shot.path == FIRST_BATCH:
        path = first_link(page, url, "/batches")
    if path is None:
        print(f"warning: {shot.file}: no batch listed at /batches (not built yet?), skipped")
        return 0
    response = page.goto(url + path)
    status = response.status if response else 0
    if status == 404:
        print(f"warning: {shot.file}: {path} answers 404 (not built yet?), skipped")
        return 0
    if status >= 500 or status in (401, 403):
        print(f"error: {shot.file}: {path} answered {status} to {shot.role.value}")
        return 1
    if shot.submit_empty:
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    png = page.screenshot(full_page=shot.full_page)
    (out / shot.file).write_bytes(small_png(png))
    print(f"{shot.file}: {path} as {shot.role.value}, {shot.width} px")
    return 0


def small_png(png: bytes) -> bytes:
    """The screenshot in 256 colours, compressed as far as PNG goes."""
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def logged_in(browser: Browser, url: str, shot: Shot) -> Page:
    """A new page of its own (cookies apart) for the shot's role, logged in through the form."""
    user = next(u for u in DEMO_USERS if u.role is shot.role)
    height = 844 if shot.width == PHONE else 900
    context = browser.new_context(viewport={"width": shot.width, "height": height}, locale="id-ID")
    page = context.new_page()
    if shot.path == "/login":
        return page
    page.goto(url + "/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def first_link(page: Page, url: str, listing: str) -> str | None:
    """The first record the listing page links to (a batch from `/batches`, not its form for
    a new one), or None while the listing does not exist."""
    response = page.goto(url + listing)
    if response is None or response.status != 200:
        return None
    hrefs = page.locator(f'main a[href^="{listing}/"]').evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    record = re.compile(re.escape(listing) + r"/(?!new$)[^/?#]+$")
    return next((str(h) for h in hrefs if record.match(str(h))), None)


@contextlib.contextmanager
def served_demo(folder: Path) -> Iterator[str]:
    """The demo on a fresh SQLite store in `folder`, served by uvicorn on a free local port."""
    settings = Settings(
        database_url=f"sqlite:///{folder}/demo.db",
        master_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        key_file=folder / "unused.key",
        view_as_of=DEMO_LAST_BUSINESS_DAY,
        cookie_secure="never",
    )
    jejak = Jejak.start(settings)
    ensure_demo_users(jejak.accounts, jejak.app)
    load_demo(jejak.app)
    jejak.runner.catch_up()
    try:
        with served(jejak) as url:
            yield url
    finally:
        jejak.close()


if __name__ == "__main__":
    sys.exit(main())
