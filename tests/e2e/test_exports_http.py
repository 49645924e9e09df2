"""The auditors' exports through HTTP, on SQLite and PostgreSQL: downloads with neutral names,
roles, read-your-writes, masking and the access log."""

from __future__ import annotations

import csv
import io
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.contract.journey import ACCOUNT, NAME, NIK, UEP, run_journey, run_money_story
from tests.e2e.conftest import login, system_of
from tests.service.files.test_money_exports import pdf_text


@pytest.fixture
def paid(store_client: TestClient) -> tuple[UUID, int]:
    """Both money stories recorded through the application: (her id, the log position)."""
    jejak = system_of(store_client)
    journey = run_journey(jejak.app)
    run_money_story(jejak.app)
    # The app's projection thread sleeps until a command over HTTP wakes it.
    jejak.runner.notify()
    return journey.beneficiary_id, jejak.app.position()


def get(client: TestClient, username: str, path: str, expect: int = 200) -> bytes:
    response = client.get(path, headers=login(client, username))
    assert response.status_code == expect, response.text
    content: bytes = response.content
    return content


def test_an_auditor_downloads_her_history_masked_under_a_neutral_name(
    store_client: TestClient, paid: tuple[UUID, int]
) -> None:
    she, position = paid
    response = store_client.get(
        f"/api/beneficiaries/{she}/payments.pdf?after={position}",
        headers=login(store_client, "aud"),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="riwayat-pembayaran-TRK-JP-0001.pdf"'
    assert "X-Jejak-Stale" not in response.headers
    assert int(response.headers["X-Jejak-Position"]) >= position
    text = pdf_text(response.content)
    assert "Total diterima bersih Rp 3.250.000" in text
    assert NAME not in text and NIK not in text and ACCOUNT not in text
    operator = get(store_client, "opi", f"/api/beneficiaries/{she}/payments.pdf")
    operator_text = pdf_text(operator)
    assert NAME in operator_text


def test_the_ledger_downloads_take_the_ledgers_filters(
    store_client: TestClient, paid: tuple[UUID, int]
) -> None:
    _, position = paid
    query = f"component=uep&fiscal_year=2019&after={position}"
    listed = store_client.get(f"/api/ledger?{query}&limit=500", headers=login(store_client, "aud"))
    rows = listed.json()["items"]

    csv_rows = list(
        csv.DictReader(
            io.StringIO(get(store_client, "aud", f"/api/ledger.csv?{query}").decode("utf-8-sig"))
        )
    )
    workbook = load_workbook(io.BytesIO(get(store_client, "sup", f"/api/ledger.xlsx?{query}")))

    assert [int(r["Posisi log"]) for r in csv_rows] == [r["position"] for r in rows]
    assert sum(int(r["Efek bayar"]) for r in csv_rows) == sum(r["paid_effect"] for r in rows)
    assert sum(r["paid_effect"] for r in rows) == UEP + UEP + UEP - 500_000
    assert workbook["Buku besar"].max_row - 3 == len(rows)
    response = store_client.get("/api/ledger.xlsx", headers=login(store_client, "adm"))
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="buku-besar-pembayaran-'
    )
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_roles_that_may_not_export_are_refused(
    store_client: TestClient, paid: tuple[UUID, int]
) -> None:
    she, position = paid
    for path in ("/api/ledger.csv", "/api/ledger.xlsx"):
        refused = store_client.get(path, headers=login(store_client, "opi"))
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "ROLE_FORBIDDEN"
    assert store_client.get(f"/api/beneficiaries/{she}/payments.pdf").status_code == 401
    get(store_client, "aud", f"/api/beneficiaries/{uuid4()}/payments.pdf?after={position}", 404)
    exports = [
        e for e in system_of(store_client).access_log.recent() if e.action.startswith("export_")
    ]
    assert exports == []


def test_every_export_is_in_the_access_log(
    store_client: TestClient, paid: tuple[UUID, int]
) -> None:
    she, position = paid
    get(store_client, "aud", f"/api/beneficiaries/{she}/payments.pdf?after={position}")
    get(store_client, "aud", "/api/ledger.csv?source=apbn")
    get(store_client, "sup", "/api/ledger.xlsx")

    entries = [
        e for e in system_of(store_client).access_log.recent() if e.action.startswith("export_")
    ]

    assert [(e.user_id, e.action) for e in entries] == [
        ("sup", "export_ledger"),
        ("aud", "export_ledger"),
        ("aud", "export_payment_history"),
    ]
    assert entries[2].subject_id == she
    assert entries[1].detail is not None and entries[1].detail.endswith("filters: source")
    assert all(NAME not in (e.detail or "") for e in entries)
