"""The supervisors' money pages over HTTP: payment batches by number, the approvals queue and
the reconciliation, for the roles that may use them and those that may not; and a batch's
whole way, from its preparation to the reconciliation, with four-eyes refused to its preparer
and a bank file's bad lines shown by line with nothing written."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from domain.recording import Actor, DocumentRef, Provenance, Role
from projections.entitlement_status import entitlement_status
from service.system import Jejak
from tests.conftest import log_in_page, page_csrf_token
from tests.money_ready import make_aid_ready_to_pay

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACCOUNTS = {
    "operator": "operator-kaltara-2016",
    "supervisor": "supervisor-kaltara-2016",
    "supervisor.kemensos": "supervisor-kemensos-2019",
    "auditor": "auditor-kaltara-2016",
    "admin": "admin-kaltara-2016",
    "dpo": "dpo-kaltara-2016",
}
NUMBER = "B2020-001"


def as_user(client: TestClient, username: str) -> TestClient:
    assert log_in_page(client, username, ACCOUNTS[username]).status_code == 200
    return client


def text_of(html: str) -> str:
    """What a reader sees: the page's words without its tags, spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("username", "status"),
    [("operator", 403), ("dpo", 403), ("auditor", 200), ("admin", 200), ("supervisor", 200)],
)
def test_the_batches_are_for_those_who_read_money(
    demo_client: TestClient, username: str, status: int
) -> None:
    page = as_user(demo_client, username).get("/batches")
    assert page.status_code == status
    if status == 200:
        assert "DEMO-2019-02" in page.text and "Rp 311.750.000" in page.text
        assert ("Siapkan daftar bayar" in page.text) == (username == "supervisor")
        assert ('href="/batches"' in page.text) and UUID_PATTERN.search(page.text) is None
    else:
        assert 'href="/batches"' not in page.text


def test_the_list_filters_by_state_and_year(demo_client: TestClient) -> None:
    client = as_user(demo_client, "auditor")
    settled = text_of(client.get("/batches", params={"state": "SETTLED", "year": "2019"}).text)
    assert "4 daftar bayar, seluruhnya Rp 524.625.000." in settled
    assert "Tidak ada daftar bayar" in text_of(
        client.get("/batches", params={"state": "DRAFT"}).text
    )


def test_a_batch_page_shows_its_lines_totals_and_history(demo_client: TestClient) -> None:
    page = as_user(demo_client, "auditor").get("/batches/DEMO-2019-02R")
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Selesai diproses bank" in seen and "Rp 1.125.000" in seen
    assert "TRK-JP-0004 JADUP-1" in seen and "DEMO-2019-02R-00001" in seen
    assert "Disiapkan oleh Kepala Bidang Rehsos (demo) · Penyelia" in seen.replace("&middot;", "·")
    assert "Daftar bayar disetujui" in seen  # its history
    assert "Tidak ada langkah yang terbuka" in seen  # an auditor takes no step
    assert UUID_PATTERN.search(page.text) is None
    assert demo_client.get("/batches/NO-SUCH-BATCH").status_code == 404


def test_the_reconciliation_is_read_by_supervisors_and_auditors(demo_client: TestClient) -> None:
    client = as_user(demo_client, "auditor")
    page = client.get("/reconciliation", params={"batch": "DEMO-2019-02"})
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Semua cocok." in seen and "Cocok 217" in seen and "Selisih Rp 0" in seen
    assert "Unggah rekening koran" not in seen  # an auditor keeps no statement
    assert UUID_PATTERN.search(page.text) is None
    past = client.get("/reconciliation", params={"as_at": "2018-12-31"}).text
    assert 'class="past-cut"' in past and "Cocok 0" in text_of(past)
    unknown = client.get("/reconciliation", params={"batch": "B1999-999"}).text
    assert "Tidak ada daftar bayar dengan nomor ini." in unknown
    assert as_user(demo_client, "operator").get("/reconciliation").status_code == 403


@pytest.mark.parametrize(
    ("username", "status"), [("operator", 403), ("auditor", 403), ("admin", 403)]
)
def test_the_approvals_queue_is_for_those_who_approve(
    demo_client: TestClient, username: str, status: int
) -> None:
    page = as_user(demo_client, username).get("/approvals")
    assert page.status_code == status
    assert 'href="/approvals"' not in page.text


def test_a_money_correction_waits_in_the_queue_with_who_asked_it(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    c = entitlement_status.c
    with demo_app.engine.connect() as conn:
        credited = conn.execute(
            select(c.entitlement_id).where(
                c.case_number == "TRK-JP-0009", c.component == "uep", c.state == "ACKNOWLEDGED"
            )
        ).scalar_one()
    app = demo_app.app
    credit = max(
        e.originator_version
        for e in app.history(UUID(credited))
        if type(e).__name__ == "CreditedToAccount"
    )
    on = date(2020, 6, 15)
    app.corrections.request_money_correction(
        UUID(credited),
        corrects_version=credit,
        amount=2_900_000,
        reference=None,
        provenance=Provenance(
            Actor("supervisor", Role.SUPERVISOR, "DINSOS-KALTARA"),
            on,
            DocumentRef("surat", "BANK/2020/06/7", on, "Bank Kaltimtara"),
            "The bank credited less than ordered",
        ),
    )
    demo_app.runner.catch_up()
    queue = as_user(demo_client, "supervisor.kemensos").get("/approvals").text
    seen = text_of(queue).replace("&middot;", "·")
    assert "Koreksi uang" in seen and "TRK-JP-0009 UEP-1" in seen and "Rp 2.900.000" in seen
    assert "Kepala Bidang Rehsos (demo) · Penyelia" in seen and "15 Juni 2020" in seen
    target = "/cases/TRK-JP-0009/entitlements/uep-1/steps/approve_money_correction"
    assert f'href="{target}"' in queue
    assert demo_client.get(target).status_code == 200
    assert UUID_PATTERN.search(queue) is None


def test_a_batch_from_preparation_to_the_reconciliation(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    labels = make_aid_ready_to_pay(demo_app)
    client = as_user(demo_client, "supervisor")
    assert NUMBER not in client.get("/approvals").text

    # Prepared by one supervisor, from the entitlements ready to pay, named by label.
    form = client.get("/batches/new").text
    assert all(label in form for label in labels) and UUID_PATTERN.search(form) is None
    sent = {
        "csrftoken": page_csrf_token(form),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1),  # type: ignore[union-attr]
        "batch_number": NUMBER,
        "channel": "bank_transfer",
        "occurred_on": "2020-06-10",
        "line": labels,
    }
    created = client.post("/batches/new", data=sent, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].startswith(
        f"/batches/{NUMBER}?"
    )
    again = client.post("/batches/new", data=sent, follow_redirects=False)
    assert again.headers["location"] == created.headers["location"]  # a double click: once
    page = text_of(client.get(created.headers["location"]).text)
    assert "Draf" in page and "Rp 2.250.000" in page and "Tersimpan: " in page

    # The queue says who asked and since when, and links to where it is approved.
    queue = client.get("/approvals").text
    seen = text_of(queue).replace("&middot;", "·")
    assert NUMBER in seen and "Kepala Bidang Rehsos (demo) · Penyelia" in seen
    assert (
        "10 Juni 2020" in seen
        and f'href="/batches/{NUMBER}?open=approve_batch#step-approve_batch"' in queue
    )

    # Four-eyes: the preparer's approval is refused by the domain, and the form says so.
    step = client.get(f"/batches/{NUMBER}/steps/approve_batch").text
    approve = {
        "csrftoken": page_csrf_token(step),
        "idempotency_key": "k" * 24,
        "occurred_on": "2020-06-11",
        "expected_version": re.search(r'name="expected_version" value="(\d+)"', step).group(1),  # type: ignore[union-attr]
    }
    refused = client.post(f"/batches/{NUMBER}/steps/approve_batch", data=approve)
    assert refused.status_code == 409 and "FOUR_EYES_REQUIRED" in refused.text

    # A second supervisor approves it.
    client = as_user(demo_client, "supervisor.kemensos")
    step = client.get(f"/batches/{NUMBER}/steps/approve_batch").text
    approve |= {"csrftoken": page_csrf_token(step), "idempotency_key": "m" * 24}
    approved = client.post(f"/batches/{NUMBER}/steps/approve_batch", data=approve)
    assert approved.status_code == 200
    assert "Disetujui" in text_of(approved.text) and "Pejabat Pembuat Komitmen" in approved.text
    assert NUMBER not in client.get("/approvals").text

    # The transfer file, then the bank's result: a bad file shows its lines and writes nothing.
    token = page_csrf_token(approved.text)
    csv = client.post(
        f"/batches/{NUMBER}/transfer-file", data={"csrftoken": token, "occurred_on": "2020-06-12"}
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert f"{NUMBER}-00001" in csv.text and f"{NUMBER}-00002" in csv.text
    header = "batch_number,transfer_ref,amount,status,bank_reference,value_date,failure_reason\n"
    bad = header + (
        f"{NUMBER},{NUMBER}-00001,1125000,CREDITED,TRX2020061500001,15/06/2020,\n"
        f"{NUMBER},{NUMBER}-00002,999,CREDITED,TRX2020061500002,15/06/2020,\n"
        f"{NUMBER},{NUMBER}-00009,1125000,CREDITED,TRX2020061500009,15/06/2020,\n"
    )
    upload = {"csrftoken": token, "occurred_on": "2020-06-15", "document_number": "HASIL/1"}
    rejected = client.post(
        f"/batches/{NUMBER}/bank-result",
        data=upload,
        files={"file": ("hasil.csv", bad.encode(), "text/csv")},
    )
    assert rejected.status_code == 422
    problems = text_of(rejected.text)
    assert "tidak ada yang dicatat" in problems
    assert "3 amount" in problems and "AMOUNT_MISMATCH" in problems
    assert "4 transfer_ref" in problems and "UNKNOWN_LINE" in problems
    assert "Dikirim ke bank" in problems  # nothing was applied
    good = header + (
        f"{NUMBER},{NUMBER}-00001,1125000,CREDITED,TRX2020061500001,15/06/2020,\n"
        f"{NUMBER},{NUMBER}-00002,1125000,CREDITED,TRX2020061500002,15/06/2020,\n"
    )
    applied = client.post(
        f"/batches/{NUMBER}/bank-result",
        data=upload,
        files={"file": ("hasil.csv", good.encode(), "text/csv")},
    )
    assert applied.status_code == 200
    assert "2 masuk rekening, 0 gagal" in text_of(applied.text)
    assert "Selesai diproses bank" in text_of(applied.text)

    # The statement: a bad line is shown by line; the good file is reconciled.
    statement = "value_date,bank_reference,amount,kind\n"
    wrong = statement + "15/06/2020,TRX2020061500001,lots,TRANSFER_OUT\n"
    kept = {"csrftoken": token, "occurred_on": "2020-06-20", "account_label": "Giro 0012"}
    refused_statement = client.post(
        "/reconciliation/statement",
        data=kept,
        files={"file": ("rk.csv", wrong.encode(), "text/csv")},
    )
    assert refused_statement.status_code == 422
    assert "INVALID_AMOUNT" in refused_statement.text
    right = statement + (
        "15/06/2020,TRX2020061500001,1125000,TRANSFER_OUT\n"
        "15/06/2020,TRX2020061500002,1125000,TRANSFER_OUT\n"
    )
    reconciled = client.post(
        "/reconciliation/statement",
        data=kept,
        files={"file": ("rk.csv", right.encode(), "text/csv")},
    )
    assert reconciled.status_code == 200
    seen = text_of(client.get("/reconciliation", params={"batch": NUMBER}).text)
    assert "Semua cocok." in seen and "Cocok 2" in seen
    assert "Jumlah di rekening koran Rp 2.250.000" in seen and "TRK-JP-0005 JADUP-3" in seen
