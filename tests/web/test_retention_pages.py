"""The retention pages on the demo: the periods and what is due for the officers, refused to
the other roles; a destruction proposed by the DPO on its form and approved on its own page by
another supervisor, with the berita acara to download."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.provenance import today_wita
from tests.conftest import log_in_page, page_csrf_token

ACCOUNTS = {
    "dpo": "dpo-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "supervisor.kemensos": "supervisor-kemensos-2019",
    "operator": "operator-kaltara-2016",
    "auditor": "auditor-kaltara-2016",
    "admin": "admin-kaltara-2016",
}
PAGE = "/privacy/retention"


@pytest.mark.parametrize("username", ["dpo", "supervisor"])
def test_the_officers_read_the_periods_and_what_is_due(
    demo_client: TestClient, username: str
) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])

    page = demo_client.get(f"{PAGE}?as_of=2035-01-01")

    assert page.status_code == 200, page.text
    assert "Masa retensi" in page.text
    assert "Identitas minimum" in page.text and "Berkas kasus" in page.text
    assert "Bawaan: belum ada masa retensi yang ditetapkan" in page.text
    assert 'id="retention-due"' in page.text
    # The steps the officers take here, as forms.
    for step in ("set_retention_period", "place_legal_hold", "propose_destruction"):
        assert f'id="step-{step}"' in page.text


@pytest.mark.parametrize("username", ["operator", "auditor", "admin"])
def test_the_other_roles_are_refused(demo_client: TestClient, username: str) -> None:
    log_in_page(demo_client, username, ACCOUNTS[username])
    assert demo_client.get(PAGE).status_code == 403


def _form(client: TestClient, path: str, fields: dict[str, str]) -> str:
    form = client.get(path)
    assert form.status_code == 200, form.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    assert key is not None
    sent = client.post(
        path,
        data={"csrftoken": page_csrf_token(form.text), "idempotency_key": key.group(1), **fields},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def memo(number: str, on: str) -> dict[str, str]:
    """The memo (nota dinas) a proposal and each decision rest on, as the form's fields."""
    return {
        "document.kind": "nota_dinas",
        "document.number": number,
        "document.issued_on": on,
        "document.issuer": "Dinsos Provinsi Kalimantan Utara",
    }


def test_a_destruction_is_proposed_and_approved_by_another_supervisor(
    demo_client: TestClient,
) -> None:
    today = today_wita().isoformat()
    log_in_page(demo_client, "dpo", ACCOUNTS["dpo"])
    form = demo_client.get(f"{PAGE}/destructions/new").text
    assert 'name="document.number"' in form and 'value="nota_dinas"' in form
    after = _form(
        demo_client,
        f"{PAGE}/destructions/new",
        {"occurred_on": today, **memo("ND/7/PDP", today)},
    )
    listed = demo_client.get(after)
    number = re.search(r"PMS-\d{4}-[0-9A-F]{8}", listed.text)
    assert number is not None, listed.text
    page = f"{PAGE}/destructions/{number.group(0)}"
    assert demo_client.get(page).status_code == 200

    log_in_page(demo_client, "supervisor.kemensos", ACCOUNTS["supervisor.kemensos"])
    shown = demo_client.get(page)
    assert "step-approve_destruction" in shown.text
    done = _form(
        demo_client,
        f"{page}/steps/approve_destruction",
        {"occurred_on": today, **memo("ND/8/PDP", today)},
    )
    carried = demo_client.get(done)
    assert "Pemusnahan dilaksanakan" in carried.text or "berita-acara" in carried.text
    pdf = demo_client.get(f"/api/privacy/retention/destructions/{number.group(0)}/berita-acara")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
