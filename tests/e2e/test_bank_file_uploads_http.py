"""The bank file uploads check their query parameters as the JSON commands check their fields:
a bad value is a 422 naming it, never a 500 (found by the API contract test, ADR 0035)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import login

STATEMENT = b"value_date,bank_reference,amount,kind\n2019-08-05,KTT080500001,5500000,TRANSFER_OUT\n"
BATCH = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/bank-statements?occurred_on=2019-08-31&account_label=", "account_label"),
        ("/api/bank-statements?occurred_on=2999-01-01&account_label=Bank", "occurred_on"),
        (f"/api/payment-batches/{BATCH}/bank-result?occurred_on=2999-01-01", "occurred_on"),
        (
            f"/api/payment-batches/{BATCH}/bank-result?occurred_on=2019-08-05"
            f"&document_number={'x' * 201}",
            "document_number",
        ),
    ],
)
def test_a_bad_query_parameter_of_an_upload_is_refused_naming_it(
    client: TestClient, url: str, field: str
) -> None:
    response = client.post(
        url, content=STATEMENT, headers={**login(client, "sup"), "Content-Type": "text/csv"}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "REQUEST_INVALID"
    assert error["field"].endswith(field)
