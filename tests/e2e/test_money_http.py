"""The money ledger through HTTP: from the DIPA to the bank's result file, as users do it."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from service.files.bankfiles import ResultLine, render_result_file
from tests.e2e.conftest import login, system_of
from tests.e2e.test_http import NAME, doc, post, returned_beneficiary

GRANT = 5_500_000


def funded_grant(client: TestClient) -> tuple[str, str]:
    """Her business capital decreed, funded and her account recorded: (beneficiary, entitlement)."""
    b = returned_beneficiary(client)
    funds = post(
        client,
        "sup",
        "/api/funding-commitments",
        {
            "occurred_on": "2019-01-02",
            "fiscal_year": 2019,
            "source": "apbn",
            "budget_line": "DIPA-027.04.1.2019 akun 573111",
            "funder": "Kementerian Sosial",
            "amount": GRANT,
            "document": doc("dipa", "2018-12-05"),
        },
    )["id"]
    post(
        client,
        "sup",
        "/api/decrees",
        {
            "occurred_on": "2019-03-04",
            "authority": "Direktur Rehsos",
            "number": "SK/117/2019",
            "legal_basis": "Permensos (demo)",
            "lines": [{"beneficiary_id": b, "component": "uep", "amount": GRANT}],
            "document": doc("decree", "2019-03-04"),
        },
    )
    entitlement = system_of(client).app.beneficiary(UUID(b)).entitlement_ids[0]
    post(
        client,
        "sup2",
        f"/api/funding-commitments/{funds}/allocations",
        {"occurred_on": "2019-03-11", "entitlement_ids": [str(entitlement)]},
    )
    post(
        client,
        "opi",
        f"/api/beneficiaries/{b}/bank-account",
        {
            "occurred_on": "2019-07-12",
            "bank_code": "124",
            "account_number": "0012345678",
            "holder_name": NAME.upper(),
            "document": doc("buku_tabungan", "2019-07-12"),
        },
    )
    return b, str(entitlement)


def approved_batch(client: TestClient, entitlement: str) -> str:
    batch = post(
        client,
        "sup",
        "/api/payment-batches",
        {"occurred_on": "2019-08-01", "batch_number": "B2019-01", "entitlement_ids": [entitlement]},
    )["id"]
    refused = post(
        client, "sup", f"/api/payment-batches/{batch}/approval", {"occurred_on": "2019-08-01"}, 409
    )
    assert refused["error"]["code"] == "FOUR_EYES_REQUIRED"
    post(client, "sup2", f"/api/payment-batches/{batch}/approval", {"occurred_on": "2019-08-02"})
    return str(batch)


def result_file(transfer: bytes, status: str = "CREDITED", amount: int | None = None) -> bytes:
    """The bank's answer to a transfer file: every line with `status`."""
    rows = list(csv.DictReader(io.StringIO(transfer.decode())))
    credited = status == "CREDITED"
    lines = [
        ResultLine(
            row["transfer_ref"],
            amount or int(row["amount"]),
            "CREDITED" if credited else "FAILED",
            f"KTT0805{n:05d}" if credited else None,
            date(2019, 8, 5) if credited else None,
            None if credited else "account closed",
        )
        for n, row in enumerate(rows, start=1)
    ]
    return render_result_file(rows[0]["batch_number"], lines)


def upload_result(client: TestClient, batch: str, content: bytes, expect: int) -> Any:
    response = client.post(
        f"/api/payment-batches/{batch}/bank-result?occurred_on=2019-08-05",
        content=content,
        headers={**login(client, "sup"), "Content-Type": "text/csv"},
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_a_grant_is_paid_through_a_batch_the_bank_files_and_a_receipt(client: TestClient) -> None:
    b, entitlement = funded_grant(client)
    batch = approved_batch(client, entitlement)

    exported = client.post(
        f"/api/payment-batches/{batch}/transfer-file",
        json={"occurred_on": "2019-08-02"},
        headers=login(client, "sup"),
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode()
    # The holder's name as her passbook prints it, which the bank matches on (ADR 0036).
    assert NAME.upper() in text and "0012345678" in text and "BANSOS-REHSOS" in text
    head = system_of(client).app.position()
    retried = client.post(
        f"/api/payment-batches/{batch}/transfer-file",
        json={"occurred_on": "2019-08-02"},
        headers={**login(client, "sup"), "Idempotency-Key": "export-b2019-01"},
    )
    assert retried.content == exported.content
    assert system_of(client).app.position() == head, "a retried export records nothing new"

    wrong = upload_result(client, batch, result_file(exported.content, amount=GRANT - 6_500), 422)
    assert wrong["error"]["code"] == "BANK_FILE_REJECTED"
    assert wrong["error"]["problems"][0]["code"] == "AMOUNT_MISMATCH"
    assert wrong["error"]["problems"][0]["line"] == 2

    answer = result_file(exported.content)
    applied = upload_result(client, batch, answer, 201)
    again = upload_result(client, batch, answer, 201)
    assert (applied["credited"], applied["already_imported"]) == (1, False)
    assert (again["credited"], again["already_imported"]) == (0, True)

    # Her payment history links the credit to the very file the bank sent.
    history = client.get(
        f"/api/beneficiaries/{b}/payments?after={applied['position']}", headers=login(client, "aud")
    ).json()
    (credit,) = [row for row in history["items"] if row["event"] == "CreditedToAccount"]
    assert credit["document_sha256"] == hashlib.sha256(answer).hexdigest()
    kept = client.get(
        f"/api/documents/{credit['document_sha256']}",
        params={"in_clear": "true", "reason": "Uji petik penyaluran"},
        headers=login(client, "aud"),
    )
    assert kept.content == answer

    post(
        client,
        "opi",
        f"/api/entitlements/{entitlement}/receipt",
        {"occurred_on": "2019-08-09", "document": doc("bast", "2019-08-09")},
    )
    closed = post(
        client, "sup", f"/api/beneficiaries/{b}/case-closure", {"occurred_on": "2019-09-01"}
    )
    assert closed["state"] == "CLOSED"


def test_the_transfer_file_is_for_supervisors_and_its_export_is_logged(client: TestClient) -> None:
    _, entitlement = funded_grant(client)
    batch = approved_batch(client, entitlement)

    for user in ("opi", "aud"):
        response = client.post(
            f"/api/payment-batches/{batch}/transfer-file",
            json={"occurred_on": "2019-08-02"},
            headers=login(client, user),
        )
        assert response.status_code == 403
    client.post(
        f"/api/payment-batches/{batch}/transfer-file",
        json={"occurred_on": "2019-08-02"},
        headers=login(client, "sup"),
    )

    actions = [e.action for e in system_of(client).access_log.recent(50)]
    assert "export_transfer_file" in actions


def test_a_refused_allocation_is_a_409_and_a_retry_replays_it(client: TestClient) -> None:
    _, entitlement = funded_grant(client)
    funds = post(
        client,
        "sup",
        "/api/funding-commitments",
        {
            "occurred_on": "2019-01-02",
            "fiscal_year": 2019,
            "source": "apbd",
            "budget_line": "DPA 1.06.01",
            "funder": "Pemkot Tarakan",
            "amount": 1_000_000,
            "document": doc("dpa", "2018-12-20"),
        },
    )["id"]
    system = system_of(client)
    # The entitlement is already funded, so a second allocation is refused; a retry with the
    # same key gets the same refusal back and writes nothing.
    headers = {**login(client, "sup2"), "Idempotency-Key": "alloc-apbd-1"}
    body = {"occurred_on": "2019-03-12", "entitlement_ids": [entitlement]}
    first = client.post(f"/api/funding-commitments/{funds}/allocations", json=body, headers=headers)
    head = system.app.position()
    second = client.post(
        f"/api/funding-commitments/{funds}/allocations", json=body, headers=headers
    )

    assert first.status_code == 409
    assert first.json()["error"]["code"] == "TRANSITION_NOT_ALLOWED"
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    assert system.app.position() == head


def test_an_auditor_cannot_move_money(client: TestClient) -> None:
    response = client.post(
        "/api/funding-commitments",
        json={
            "occurred_on": "2019-01-02",
            "fiscal_year": 2019,
            "source": "apbn",
            "budget_line": "DIPA",
            "funder": "Kemensos",
            "amount": GRANT,
        },
        headers=login(client, "aud"),
    )
    assert response.status_code == 403


def test_a_decree_line_names_a_beneficiary_or_a_payee_not_both(client: TestClient) -> None:
    b = returned_beneficiary(client)
    refused = post(
        client,
        "sup",
        "/api/decrees",
        {
            "occurred_on": "2019-03-04",
            "authority": "Direktur Rehsos",
            "number": "SK/1",
            "legal_basis": "Permensos",
            "lines": [
                {"beneficiary_id": b, "payee_name": "Someone", "component": "uep", "amount": 1}
            ],
            "document": doc("decree", "2019-03-04"),
        },
        422,
    )
    assert refused["error"]["field"].startswith("lines")


def test_a_statement_is_reconciled_against_the_batch_over_http(client: TestClient) -> None:
    _, entitlement = funded_grant(client)
    batch = approved_batch(client, entitlement)
    exported = client.post(
        f"/api/payment-batches/{batch}/transfer-file",
        json={"occurred_on": "2019-08-02"},
        headers=login(client, "sup"),
    )
    applied = upload_result(client, batch, result_file(exported.content), 201)
    statement = (
        "value_date,bank_reference,amount,kind,description\n"
        f"2019-08-05,KTT080500001,{GRANT},TRANSFER_OUT,{NAME}\n"
        f"2019-08-19,KTT080500001,{GRANT},WITHDRAWAL,Tarik tunai\n"
    ).encode()
    kept = client.post(
        "/api/bank-statements?occurred_on=2019-08-31&account_label=Bank%20Kaltimtara",
        content=statement,
        headers={**login(client, "sup"), "Content-Type": "text/csv"},
    )
    assert kept.status_code == 201, kept.text
    system = system_of(client)
    assert applied["position"] < kept.json()["position"]

    report = client.get(
        f"/api/reconciliation?batch_id={batch}&as_of=2019-12-31&after={kept.json()['position']}",
        headers=login(client, "aud"),
    )

    assert report.status_code == 200, report.text
    assert report.json()["clean"] is True
    assert report.json()["counts"]["matched"] == 1
    assert NAME not in report.text
    with system.engine.connect() as conn:
        stored = b"".join(
            str(row).encode() for row in conn.exec_driver_sql("SELECT * FROM statement_movements")
        )
    assert NAME.encode() not in stored
    assert (
        client.get(
            f"/api/reconciliation?batch_id={batch}", headers=login(client, "opi")
        ).status_code
        == 403
    )
