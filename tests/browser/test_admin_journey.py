"""The administrator's journey in a real headless Chromium (issue 16): an account opened for a
new BPK examiner with a password the system makes, then her letter of assignment giving her
one unit from one day until another; the pages show both, and she signs in with that password
and sees the dashboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import open_as

pytestmark = pytest.mark.browser

USERNAME = "pemeriksa.baru"
LETTER = "ST/77/BPK-KALTARA/2020"


def test_an_administrator_opens_an_account_and_gives_it_a_dated_assignment(
    served_demo: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Locator, Page, expect, sync_playwright

    def labelled(within: Locator | Page, words: str) -> Locator:
        """The field whose label says `words` (and perhaps that it is required)."""
        return within.get_by_label(re.compile(rf"^{re.escape(words)}( \(wajib\))?$"))

    with sync_playwright() as p:
        page = open_as(p, served_demo + "/", "admin", "admin-kaltara-2016")
        page.get_by_role("link", name="Administrasi").click()
        expect(page.locator("#account-auditor")).to_contain_text("Pemeriksa")

        # 1. The account, for an examiner of the BPK office, its password made by the system.
        page.get_by_role("link", name="Buat akun baru").click()
        form = page.locator("form[data-command=open_account]")
        labelled(form, "Nama pengguna").fill(USERNAME)
        labelled(form, "Nama lengkap petugas").fill("Pemeriksa Baru BPK")
        labelled(form, "Peran").select_option(label="Pemeriksa")
        labelled(form, "Unit kerja").select_option(value="BPK-KALTARA")
        labelled(form, "Berlaku mulai tanggal").fill("2020-06-01")
        labelled(form, "Alasan atau keterangan").fill("Anggota tim pemeriksaan 2020")
        form.get_by_role("button", name="Simpan: Buat akun").click()
        expect(page.locator("p.done")).to_contain_text("kata sandi sementara")
        password = page.locator("#temporary-password code").inner_text()
        assert len(password) >= 10
        page.get_by_role("link", name="Kembali ke akun").click()
        expect(page.locator("#account-role")).to_have_text("Pemeriksa")
        expect(page.locator("#grants")).to_contain_text("Akun dibuka")
        expect(page.locator("#grants")).to_contain_text("1 Juni 2020")

        # 2. Her letter of assignment: Tarakan's office, from 1 July until 31 August 2020.
        page.get_by_role("link", name="Surat tugas pemeriksa").click()
        giving = page.locator("#change-give_assignment")
        giving.locator("summary").click()
        labelled(giving, "Nama pengguna pemeriksa").fill(USERNAME)
        labelled(giving, "Unit yang diperiksa (kode)").fill("DINSOS-TARAKAN")
        labelled(giving, "Berlaku dari").fill("2020-07-01")
        labelled(giving, "Berlaku sampai").fill("2020-08-31")
        labelled(giving, "Tanggal kejadian").fill("2020-06-25")
        papers = giving.locator("fieldset", has_text="Dokumen pendukung")
        labelled(papers, "Jenis dokumen").select_option(value="surat")
        labelled(papers, "Nomor dokumen").fill(LETTER)
        labelled(papers, "Tanggal dokumen").fill("2020-06-25")
        labelled(papers, "Penerbit dokumen").fill("BPK Perwakilan Kalimantan Utara")
        giving.get_by_role("button", name="Simpan: Berikan surat tugas").click()
        expect(page.locator("p.done")).to_contain_text("Berikan surat tugas")
        row = page.locator("table.assignments tr", has_text=LETTER)
        expect(row).to_contain_text(USERNAME)
        expect(row).to_contain_text("DINSOS-TARAKAN")
        expect(row).to_contain_text("1 Juli 2020")
        expect(row).to_contain_text("31 Agustus 2020")
        page.screenshot(path=str(tmp_path / "assignments.png"), full_page=True)

        # Her account's page shows the assignment too.
        row.get_by_role("link", name=USERNAME).click()
        expect(page.locator("table.assignments")).to_contain_text(LETTER)

        # 3. She signs in with the password she was told.
        examiner = open_as(p, served_demo + "/", USERNAME, password)
        expect(examiner.locator("header .who")).to_contain_text("Pemeriksa Baru BPK")
        expect(examiner.get_by_role("link", name="Administrasi")).to_have_count(0)
