"""A destruction's approval in a real headless Chromium: the supervisor who proposed it is
refused (four eyes), a second supervisor approves it on its page, the keys are destroyed and
the berita acara pemusnahan is there to download."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from domain.recording import Actor, DocumentRef, Provenance, Role
from service.provenance import today_wita
from service.system import Jejak
from tests.browser.conftest import fill_document, open_as, serve_demo
from tests.conftest import DemoTemplate

pytestmark = pytest.mark.browser

PROPOSER = Actor("supervisor", Role.SUPERVISOR, "DINSOS-KALTARA")


def memo() -> DocumentRef:
    """The memo (nota dinas) the proposal rests on, dated today."""
    return DocumentRef("nota_dinas", "ND/7/PDP", today_wita(), "DINSOS-KALTARA")


def _proposed(jejak: Jejak) -> None:
    jejak.app.retention.propose_destruction(
        provenance=Provenance(PROPOSER, today_wita(), memo(), "jadwal retensi")
    )
    jejak.runner.catch_up()


def approve_on_a_memo(page: Page, today: str) -> None:
    """Open the approval's step, date it, name the memo it rests on, and send it."""
    page.locator("#step-approve_destruction summary").click()
    form = page.locator("#step-approve_destruction form")
    form.locator("input[name=occurred_on]").fill(today)
    fill_document(form, "nota_dinas", "ND/8/PDP", today, "Dinsos")
    page.get_by_role("button", name="Simpan: Setujui pemusnahan").click()


@pytest.fixture
def served_with_a_proposal(tmp_path: Path, demo_template: DemoTemplate) -> Iterator[str]:
    with serve_demo(tmp_path, demo_template, prepare=_proposed) as url:
        yield url


def test_a_second_supervisor_approves_a_destruction_the_first_may_not(
    served_with_a_proposal: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = served_with_a_proposal
    today = today_wita().isoformat()
    with sync_playwright() as p:
        page = open_as(p, url + "/privacy/retention", "supervisor", "supervisor-kaltara-2016")
        page.locator("#retention-destructions a").first.click()
        expect(page.locator("#destruction-state")).to_have_text("Diusulkan")
        number = page.locator("h2").inner_text().split()[-1]
        approve_on_a_memo(page, today)
        expect(page.locator(".refusal")).to_contain_text("SAME_PERSON_APPROVES")
        page.context.browser.close()  # type: ignore[union-attr]

        destruction = f"{url}/privacy/retention/destructions/{number}"
        page = open_as(p, destruction, "supervisor.kemensos", "supervisor-kemensos-2019")
        approve_on_a_memo(page, today)
        expect(page.locator("p.done")).to_contain_text("Setujui pemusnahan")
        expect(page.locator("#destruction-state")).to_have_text("Pemusnahan dilaksanakan")
        expect(page.locator("#destruction-destroyed")).to_be_visible()
        with page.expect_download() as download:
            page.locator("#berita-acara").click()
        saved = tmp_path / "berita-acara.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
        page.context.browser.close()  # type: ignore[union-attr]
