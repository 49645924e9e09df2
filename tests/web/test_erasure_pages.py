"""The erasure pages (ADR 0055): the officer records her request from the register's form, a
supervisor who did not record it approves it on the request's page, the notice downloads, and
her case page then says "dihapus" and "dibatasi" where her data was."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.conftest import log_in_page
from tests.web.test_audit_pages import hidden_fields, submit

PASSWORDS = {
    "dpo": "dpo-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "operator": "operator-kaltara-2016",
    "auditor": "auditor-kaltara-2016",
}
CASE = "TRK-JP-0004"
HER_LETTER = {
    "case_number": CASE,
    "received_at": "2020-06-22T09:30",
    "occurred_on": "2020-06-23",
    "document.kind": "surat",
    "document.number": "01/PDP/VI/2020",
    "document.issued_on": "2020-06-22",
    "document.issuer": "Pemohon",
    "reason": "Permohonan penghapusan data pribadi",
}

# The supervisor's decision memo, as the step's form takes it.
MEMO = {
    "document.kind": "nota_dinas",
    "document.number": "05/ND/PDP/VI/2020",
    "document.issued_on": "2020-06-24",
    "document.issuer": "Kepala Dinas Sosial",
}


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    assert log_in_page(client, username, PASSWORDS[username]).status_code == 200
    return client


def test_recorded_by_the_officer_approved_by_a_supervisor_and_shown_as_erased(
    demo_client: TestClient,
) -> None:
    operator = as_user(demo_client, "operator")
    assert operator.get("/privacy/erasures").status_code == 403
    before = operator.get(f"/cases/{CASE}").text
    assert "erasure-mark" not in before

    dpo = as_user(demo_client, "dpo")
    register = dpo.get("/privacy/erasures").text
    assert 'href="/privacy/erasures/new"' in register
    recorded = submit(dpo, "/privacy/erasures/new", HER_LETTER)
    assert recorded.status_code == 303, recorded.text
    listed = dpo.get(recorded.headers["location"]).text
    link = re.search(r'href="(/privacy/erasures/[0-9a-f-]{36})"', listed)
    assert link, listed
    page = link.group(1)
    shown = dpo.get(page).text
    assert "Menunggu keputusan" in shown and "step-approve_erasure" not in shown

    supervisor = as_user(demo_client, "supervisor")
    open_page = supervisor.get(page).text
    assert "step-approve_erasure" in open_page and "step-refuse_erasure" in open_page
    target = f"{page}/steps/approve_erasure"
    step = open_page.split('id="step-approve_erasure"')[1].split("</form>")[0]
    assert re.search(r'name="document\.number"[^>]*aria-required="true"', step), step
    assert 'value="nota_dinas"' in step
    approved = supervisor.post(
        target,
        data={**hidden_fields(open_page, target), "occurred_on": "2020-06-24", **MEMO},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    done = supervisor.get(approved.headers["location"]).text
    assert "Dilaksanakan" in done and 'id="erasure-notice"' in done
    notice = supervisor.get(f"{page}/notice.pdf")
    assert notice.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.content)).pages)
    assert "PEMBERITAHUAN PENGHAPUSAN DATA PRIBADI" in text and CASE in text
    assert "05/ND/PDP/VI/2020" in text, "her notice cites the decision memo"

    case = supervisor.get(f"/cases/{CASE}").text
    assert 'id="erasure-mark"' in case and "dibatasi" in case
    assert "[restricted]" not in case and "[erased]" not in case
    payments = supervisor.get(f"/cases/{CASE}/payments")
    assert payments.status_code == 200 and "[restricted]" not in payments.text
