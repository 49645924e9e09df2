"""Importing a roster in a real headless Chromium: an XLSX with bad lines shows every one of
them by its line, in Indonesian, and registers nobody; the corrected file registers everyone,
and its scan uploaded on the document page shows the hash to cite. The pages fit a phone's
width."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.browser.conftest import open_as
from tests.files.test_roster_file import xlsx

pytestmark = pytest.mark.browser


def written(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    path.write_bytes(xlsx(rows))
    return path


def test_an_xlsx_roster_shows_its_bad_lines_in_indonesian_then_registers_when_corrected(
    served_demo: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    header = ["Nomor Kasus", "Nama", "Telepon"]
    bad = written(
        tmp_path / "daftar-salah.xlsx",
        [
            header,
            ["TRK-JP-0201", "Contoh Satu", None],
            ["TRK-JP-202", "Contoh Dua", None],
            ["TRK-JP-0203", None, "12"],
        ],
    )
    good = written(
        tmp_path / "daftar.xlsx",
        [
            header,
            ["TRK-JP-0201", "Contoh Satu", None],
            ["TRK-JP-0202", "Contoh Dua", None],
            ["TRK-JP-0203", "Contoh Tiga", "0812 3456 789"],
        ],
    )
    with sync_playwright() as p:
        page = open_as(p, served_demo + "/sites/TRK-JP/roster", "operator", "operator-kaltara-2016")
        page.wait_for_url("**/sites/TRK-JP/roster")
        assert page.locator("h2").inner_text() == "Impor daftar pendataan"
        page.set_input_files("#file", str(bad))
        page.fill("#occurred_on", "2016-04-02")
        page.click("text=Data semua orang dalam daftar")
        page.wait_for_selector("#line-problems")
        problems = page.locator("#line-problems li").all_inner_texts()
        assert problems == [
            "Baris 3: Nomor kasus: Harus berupa kode lokasi dan empat angka, seperti TRK-JP-0001.",
            "Baris 4: Nama: Wajib diisi.",
            "Baris 4: Nomor telepon: Harus 6 sampai 20 angka, spasi atau tanda hubung, "
            "boleh diawali +.",
        ]
        assert "Tidak ada yang didata" in page.inner_text(".problems")
        # What was typed in stays for the next try.
        assert page.input_value("#occurred_on") == "2016-04-02"
        page.screenshot(path=str(tmp_path / "roster-refused-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "roster-refused-390.png"), full_page=True)

        page.set_input_files("#file", str(good))
        page.click("text=Data semua orang dalam daftar")
        page.wait_for_url("**/sites/TRK-JP?registered=3")

        # The scanned roster, uploaded on the document page, shows the hash to cite.
        page.goto(served_demo + "/documents/new")
        page.select_option("#kind", "daftar_pendataan")
        page.set_input_files("#file", str(good))
        page.click("form.stacked button[type=submit]")
        page.wait_for_selector("#stored")
        assert hashlib.sha256(good.read_bytes()).hexdigest() in page.inner_text("#stored")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "document-390.png"), full_page=True)
