"""A payment batch's way in a real headless Chromium, as two supervisors take it: one prepares
it from the aid ready to pay, is refused when she tries to approve it herself, a second
supervisor approves it from the approvals queue, the transfer file is downloaded, the bank's
result and statement are uploaded, and the reconciliation shows every line matched."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import open_as, serve_demo
from tests.conftest import DemoTemplate
from tests.money_ready import make_aid_ready_to_pay

pytestmark = pytest.mark.browser

NUMBER = "B2020-001"  # the number the form suggests: the first batch of the viewing year
PAID_ON = "30/06/2020"


@pytest.fixture
def served_with_aid_ready(tmp_path: Path, demo_template: DemoTemplate) -> Iterator[str]:
    """The demo with two women's third living-allowance tranche ready to pay."""
    with serve_demo(tmp_path, demo_template, prepare=make_aid_ready_to_pay) as url:
        yield url


def test_two_supervisors_take_a_batch_from_preparation_to_the_reconciliation(
    served_with_aid_ready: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = served_with_aid_ready
    with sync_playwright() as p:
        # One supervisor prepares the batch from the aid ready to pay.
        page = open_as(p, url + "/batches/new", "supervisor", "supervisor-kaltara-2016")
        expect(page.get_by_label("Nomor daftar bayar")).to_have_value(NUMBER)
        expect(page.get_by_label("TRK-JP-0005 JADUP-3", exact=False)).to_be_checked()
        expect(page.get_by_label("TRK-JP-0007 JADUP-3", exact=False)).to_be_checked()
        page.get_by_role("button", name="Simpan: Siapkan daftar bayar").click()
        expect(page.locator("p.done")).to_contain_text("Tersimpan: Siapkan daftar bayar")
        expect(page.locator("#batch-state")).to_have_text("Draf")
        expect(page.locator("#batch-total")).to_have_text("Rp 2.250.000")

        # Her own approval is refused: four eyes.
        page.get_by_role("link", name="Persetujuan").click()
        row = page.locator("#approvals tr", has_text=NUMBER)
        expect(row).to_contain_text("Kepala Bidang Rehsos (demo)")
        expect(row).to_contain_text("30 Juni 2020")
        row.get_by_role("link", name=NUMBER).click()
        page.get_by_role("button", name="Simpan: Setujui daftar bayar").click()
        expect(page.locator(".refusal")).to_contain_text("FOUR_EYES_REQUIRED")
        page.context.browser.close()  # type: ignore[union-attr]

        # A second supervisor approves it from her queue.
        page = open_as(p, url + "/approvals", "supervisor.kemensos", "supervisor-kemensos-2019")
        page.locator("#approvals").get_by_role("link", name=NUMBER).click()
        page.get_by_role("button", name="Simpan: Setujui daftar bayar").click()
        expect(page.locator("#batch-state")).to_have_text("Disetujui")
        expect(page.locator("#batch-approved-by")).to_contain_text("Pejabat Pembuat Komitmen")

        # The transfer file, and the bank's answer to it.
        with page.expect_download() as download:
            page.get_by_role("button", name="Unduh berkas transfer").click()
        transfers = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        assert [t["transfer_ref"] for t in transfers] == [f"{NUMBER}-00001", f"{NUMBER}-00002"]
        page.reload()
        expect(page.locator("#batch-state")).to_have_text("Dikirim ke bank")
        result = tmp_path / "hasil.csv"
        result.write_text(
            "batch_number,transfer_ref,amount,status,bank_reference,value_date,failure_reason\n"
            + "".join(
                f"{NUMBER},{t['transfer_ref']},{t['amount']},CREDITED,TRX20200630{n:05d},"
                f"{PAID_ON},\n"
                for n, t in enumerate(transfers, start=1)
            )
        )
        page.set_input_files("#bank-result-file", result)
        page.get_by_role("button", name="Unggah berkas hasil").click()
        expect(page.locator("#batch-result")).to_have_text("2 masuk rekening, 0 gagal")
        expect(page.locator("#batch-state")).to_have_text("Selesai diproses bank")

        # The statement, and the reconciliation of the batch.
        page.get_by_role("link", name="Rekonsiliasi daftar bayar ini").click()
        statement = tmp_path / "rekening-koran.csv"
        statement.write_text(
            "value_date,bank_reference,amount,kind\n"
            + "".join(
                f"{PAID_ON},TRX20200630{n:05d},{t['amount']},TRANSFER_OUT\n"
                for n, t in enumerate(transfers, start=1)
            )
        )
        page.get_by_role("textbox", name="Rekening (wajib)").fill("Giro program 0012")
        page.set_input_files("#bank-statement-file", statement)
        page.get_by_role("button", name="Unggah rekening koran").click()
        expect(page.locator("p.done")).to_contain_text("Tersimpan: Impor rekening koran")
        page.get_by_label("Satu daftar bayar").select_option(NUMBER)
        page.get_by_role("button", name="Tampilkan").first.click()
        expect(page.locator("#reconciliation-verdict")).to_have_text("Semua cocok.")
        expect(page.locator("#count-matched")).to_have_text("2")
        expect(page.locator("#bank-total")).to_have_text("Rp 2.250.000")
        expect(page.locator("#matched")).to_contain_text("TRK-JP-0005 JADUP-3")
        page.context.browser.close()  # type: ignore[union-attr]
