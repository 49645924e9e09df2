"""Deadlines that reach people, in a real headless Chromium: the data-protection officer logs
in and is greeted by the access request whose 3x24 hours ran out, follows the banner to it,
finds its clock on her worklist, and downloads her copy as a PDF."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from domain.beneficiary import Beneficiary
from domain.privacy.subject_request import WITA
from domain.recording import Actor, Provenance, Role
from service.system import Jejak
from tests.browser.conftest import fill_document, open_as, serve_demo
from tests.conftest import DemoTemplate

pytestmark = pytest.mark.browser

NUMBER = "PDP-2020-007"


def a_request_that_ran_out(jejak: Jejak) -> None:
    """An access request for her copy received four days before the demo's last day."""
    jejak.app.subject_requests.record_subject_request(
        number=NUMBER,
        kind="access_copy",
        received_at=datetime(2020, 6, 26, 9, 0, tzinfo=WITA),
        channel="in_person",
        requester="subject",
        verification_method="ktp_in_person",
        verification_result="verified",
        beneficiary_id=Beneficiary.create_id("TRK-JP-0004"),
        summary="Meminta salinan data pribadinya",
        provenance=Provenance(
            Actor("dpo", Role.DPO, "Dinsos Provinsi Kalimantan Utara"), date(2020, 6, 26)
        ),
    )
    jejak.runner.catch_up()


def test_the_officer_is_greeted_by_a_clock_that_ran_out(
    tmp_path: Path, demo_template: DemoTemplate
) -> None:
    from playwright.sync_api import sync_playwright

    with (
        serve_demo(tmp_path, demo_template, a_request_that_ran_out) as url,
        sync_playwright() as p,
    ):
        page = open_as(p, url + "/", "dpo", "dpo-kaltara-2016")
        banner = page.wait_for_selector("#clock-alert")
        assert banner is not None
        text = banner.inner_text()
        # Hers, and the demo's own correction request left unanswered (service/demo/privacy.py).
        assert "2 tenggat 3x24 jam terlewati" in text
        assert f"{NUMBER}: jatuh tempo 29 Juni 2020 09.00 WITA" in text
        assert "PDP-DEMO-002" in text
        page.screenshot(path=str(tmp_path / "banner.png"), full_page=True)

        page.click(f"#clock-alert >> text={NUMBER}")
        page.wait_for_url(f"**/privacy/requests/{NUMBER}")
        assert "Menunggu jawaban" in page.inner_text("#request-state")
        assert "terlewati" in page.inner_text("#request-clock")
        page.screenshot(path=str(tmp_path / "request.png"), full_page=True)

        page.goto(url + "/worklist")
        clocks = page.wait_for_selector("#privacy-clocks")
        assert clocks is not None and NUMBER in clocks.inner_text()
        page.screenshot(path=str(tmp_path / "worklist.png"), full_page=True)

        page.goto(url + f"/privacy/requests/{NUMBER}")
        with page.expect_download() as download:
            page.click("#access-copy button[type=submit]")
        saved = tmp_path / "copy.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
        assert download.value.suggested_filename == "salinan-data-TRK-JP-0004.pdf"

        # Answered in writing: the grant rests on the letter that answers her.
        page.click("#step-grant_subject_request summary")
        form = page.locator("#step-grant_subject_request form")
        form.locator("[name=done]").fill("Salinan data diserahkan langsung")
        form.locator("input[name=occurred_on]").fill("2020-06-30")
        fill_document(form, "surat", "480/PDP/VI/2020", "2020-06-30", "Dinsos Provinsi Kaltara")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("p.done")
        assert "Dikabulkan" in page.inner_text("#request-state")
