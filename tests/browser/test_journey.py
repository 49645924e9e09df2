"""A woman's whole way through the programme in a real headless Chromium, as an operator takes
it: registered at a closed site, her identity verified after one refused NIK, assessed, sent to
training, trained and returned home, each step through the form on her page, each checked by
what the page then says."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from domain.identity import Sex, make_nik
from tests.browser.conftest import open_as

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
# Not a number the demo gives (TRK-JP's cases run from 0001 to 0062).
CASE = "TRK-JP-0090"
BORN = date(1990, 4, 5)
# A synthetic serial the demo's women do not reach.
NIK = make_nik("657104", BORN, Sex.FEMALE, 9990)
HOME = "35.78.06.1004"  # a kelurahan of Surabaya, outside Kalimantan Utara


def test_an_operator_takes_a_new_woman_from_registration_to_her_return(
    served_demo: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Locator, Page, expect, sync_playwright

    def open_step(page: Page, command: str) -> Locator:
        """The step's form, opened as a user opens it: by clicking its name."""
        step = page.locator(f"#step-{command}")
        step.locator("summary").click()
        expect(step.locator("form")).to_be_visible()
        return step

    def labelled(step: Locator, words: str) -> Locator:
        """The field whose label says `words` (and perhaps that it is required)."""
        return step.get_by_label(re.compile(rf"^{re.escape(words)}( \(wajib\))?$"))

    def document(step: Locator, kind: str, number: str, issued_on: str, issuer: str) -> None:
        papers = step.locator("fieldset", has_text="Dokumen pendukung")
        labelled(papers, "Jenis dokumen").select_option(label=kind)
        labelled(papers, "Nomor dokumen").fill(number)
        labelled(papers, "Tanggal dokumen").fill(issued_on)
        labelled(papers, "Penerbit dokumen").fill(issuer)

    def save(page: Page, step: Locator, name: str) -> None:
        step.get_by_role("button", name=f"Simpan: {name}").click()
        page.wait_for_load_state()

    def saved(page: Page, name: str, state: str) -> None:
        expect(page.locator("p.done")).to_contain_text(f"Tersimpan: {name}")
        expect(page.locator("#case-state")).to_have_text(state)

    with sync_playwright() as p:
        page = open_as(p, served_demo + "/sites/TRK-JP", "operator", "operator-kaltara-2016")
        expect(page.locator("#site-state")).to_have_text("Dalam pemantauan")

        # 1. Registered at the site, a fortnight after it closed.
        step = open_step(page, "register_beneficiary")
        expect(step.locator("summary")).to_have_text("Daftarkan penerima manfaat")
        labelled(step, "Nomor kasus").fill(CASE)
        labelled(step, "Nama").fill("Contoh Wulandari")
        labelled(step, "Tanggal kejadian").fill("2019-01-14")
        save(page, step, "Daftarkan penerima manfaat")
        assert page.url.split("?")[0].endswith(f"/cases/{CASE}")
        expect(page.locator("h2")).to_have_text(f"Kasus {CASE}")
        saved(page, "Daftarkan penerima manfaat", "Terdata")

        # 2. Her identity: a NIK that cannot be one is refused next to its field.
        step = open_step(page, "verify_identity")
        labelled(step, "NIK").fill("1234")
        labelled(step, "Tanggal lahir").fill(BORN.isoformat())
        labelled(step, "Jenis kelamin").select_option(label="Perempuan")
        labelled(step, "Tanggal kejadian").fill("2019-01-16")
        document(step, "Salinan KTP", f"KTP/{CASE}", "2019-01-16", "Dukcapil Kota Tarakan")
        save(page, step, "Verifikasi identitas")
        nik_field = page.locator("div.field.invalid")
        expect(nik_field).to_have_count(1)
        expect(nik_field.locator("input[name=nik]")).to_have_value("1234")
        expect(nik_field.locator("p.error")).to_contain_text("NIK tidak sah")
        expect(page.locator("p.done")).to_have_count(0)
        # The refused form keeps what was typed: only the NIK is typed again.
        step = page.locator("form[data-command=verify_identity]")
        expect(labelled(step, "Tanggal lahir")).to_have_value(BORN.isoformat())
        page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)
        labelled(step, "NIK").fill(NIK)
        save(page, step, "Verifikasi identitas")
        saved(page, "Verifikasi identitas", "Identitas terverifikasi")

        # 3. The assessment: she comes from Surabaya and goes home.
        step = open_step(page, "assess")
        # The assessment rests on the evidence of her home region: its document is required.
        expect(step.locator("legend", has_text="Dokumen pendukung")).to_be_visible()
        expect(labelled(step, "Jenis dokumen")).to_have_attribute("aria-required", "true")
        home = step.locator("fieldset", has_text="Daerah asal")
        labelled(home, "Kode wilayah").fill(HOME)
        labelled(step, "Jalur reintegrasi").select_option(label="Pulang ke daerah asal")
        labelled(step, "Catatan asesmen").fill("Ingin menjahit; punya satu anak.")
        labelled(step, "Tanggal kejadian").fill("2019-01-21")
        document(step, "Laporan asesmen", f"ASM/{CASE}", "2019-01-21", "Dinsos Kota Tarakan")
        save(page, step, "Catat asesmen")
        saved(page, "Catat asesmen", "Sudah diasesmen")

        # 4. Training: departure, completion with a skill, then home.
        step = open_step(page, "send_to_training")
        labelled(step, "Tanggal kejadian").fill("2019-02-04")
        save(page, step, "Catat keberangkatan pelatihan")
        saved(page, "Catat keberangkatan pelatihan", "Dalam pelatihan")
        # The hand-over awaits the training centre: its acceptance is not this unit's step.
        expect(page.locator("#step-accept_hand_over")).to_have_count(0)

        step = open_step(page, "complete_training")
        labelled(step, "Keterampilan").fill("Menjahit")
        labelled(step, "Tanggal kejadian").fill("2019-04-26")
        document(step, "Sertifikat pelatihan", f"SRT/{CASE}", "2019-04-26", "PSKW Samarinda")
        save(page, step, "Catat selesai pelatihan")
        saved(page, "Catat selesai pelatihan", "Selesai pelatihan")
        # Her return is due 30 days on, judged as at the demo's day as the banner says, not today.
        expect(page.locator("#next-action")).to_have_text(
            "Konfirmasi pemulangan, jatuh tempo 26 Mei 2019 terlambat 401 hari"
        )

        step = open_step(page, "confirm_return_home")
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        page.screenshot(path=str(tmp_path / "return-form-phone.png"), full_page=True)
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        page.set_viewport_size({"width": 1280, "height": 800})
        confirming = step.locator("fieldset", has_text="Kelurahan yang mengonfirmasi")
        labelled(confirming, "Kode wilayah").fill(HOME)
        labelled(step, "Tanggal kejadian").fill("2019-05-03")
        document(
            step,
            "Surat keterangan tiba",
            "474/112/SKT/2019",
            "2019-05-03",
            "Kelurahan Sawunggaling",
        )
        save(page, step, "Konfirmasi pemulangan")
        # Home outside the unit's region, her case passes to the province (ADR 0044): the
        # operator is brought back to the site's page and told so, not shown a page not found.
        assert page.url.split("?")[0].endswith("/sites/TRK-JP")
        expect(page.locator("p.done")).to_contain_text("Tersimpan: Konfirmasi pemulangan")
        expect(page.locator("p.done")).to_contain_text("dipegang unit lain")
        page.screenshot(path=str(tmp_path / "handed-over.png"), full_page=True)

        # The province's supervisor now holds her case and reads its whole history.
        page.get_by_role("button", name="Keluar").click()
        page.goto(served_demo + f"/cases/{CASE}")
        page.fill("input[name=username]", "supervisor")
        page.fill("input[name=password]", "supervisor-kaltara-2016")
        page.click("button[type=submit]")
        expect(page.locator("#case-state")).to_have_text("Dipulangkan ke daerah asal")
        steps = page.locator("ol.timeline li p.what strong")
        expect(steps).to_have_text(
            [
                "Didata saat pendataan",
                "Identitas diverifikasi",
                "Asesmen dilakukan",
                "Diberangkatkan ke pelatihan",
                "Pelatihan selesai",
                "Dipulangkan ke daerah asal",
            ]
        )
        timeline = page.locator("ol.timeline")
        for told in ("14 Januari 2019", "3 Mei 2019", "Surat keterangan tiba 474/112/SKT/2019"):
            expect(timeline).to_contain_text(told)
        for entry in page.locator("ol.timeline li").all():
            expect(entry).to_contain_text("Operator Dinsos Tarakan")
        expect(page.locator("main")).not_to_contain_text("RETURNED")
        page.screenshot(path=str(tmp_path / "returned.png"), full_page=True)
