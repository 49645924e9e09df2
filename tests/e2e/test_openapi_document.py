"""The OpenAPI document states the errors the server really sends (ADR 0035)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings
from tests.e2e.conftest import login


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][path][method]
    return found


def test_errors_are_documented_with_the_body_the_server_sends(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["ErrorResponse"]["required"] == ["error"]
    assert schemas["ErrorDetail"]["required"] == ["code", "message", "field"]
    closure = operation(document, "post", "/api/sites/{site_id}/closure")["responses"]
    assert list(closure) == ["201", "401", "403", "404", "409", "415", "422", "503"]
    for status in ("401", "403", "404", "409", "415", "422", "503"):
        content = closure[status]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
        assert set(content["example"]["error"]) == {"code", "message", "field"}


def test_each_operation_lists_what_can_go_wrong_with_it(document: dict[str, Any]) -> None:
    def statuses(method: str, path: str) -> list[str]:
        return list(operation(document, method, path)["responses"])

    assert statuses("get", "/health") == ["200"]
    assert statuses("get", "/api/lifecycles") == ["200", "401", "403", "503"]
    assert statuses("get", "/api/sites/{site_id}") == ["200", "401", "403", "404", "422", "503"]
    assert statuses("post", "/auth/token") == ["200", "401", "415", "422", "429", "503"]
    throttled = operation(document, "post", "/auth/token")["responses"]["429"]
    assert "Retry-After" in throttled["headers"]


def test_document_is_required_where_the_lifecycle_requires_one(document: dict[str, Any]) -> None:
    def body_schema(path: str) -> dict[str, Any]:
        body = operation(document, "post", path)["requestBody"]["content"]["application/json"]
        schema: dict[str, Any] = body["schema"]
        return schema

    assessment = body_schema("/api/beneficiaries/{beneficiary_id}/assessment")
    assert {"required": ["document"]}.items() <= assessment["allOf"][1].items()
    # Verifying her identity needs no document: the schema stays as the model says.
    verification = body_schema("/api/beneficiaries/{beneficiary_id}/identity-verification")
    assert "allOf" not in verification


def test_query_parameters_and_the_bank_files_are_described(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, op in item.items():
            for parameter in op.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])
    result = operation(document, "post", "/api/payment-batches/{batch_id}/bank-result")
    csv = result["requestBody"]["content"]["text/csv"]
    assert csv["example"].startswith("batch_number,transfer_ref,amount,status")


def test_command_bodies_carry_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["DocumentIn"]["examples"][0]["kind"] == "berita_acara"
    assert schemas["ClosureIn"]["properties"]["occurred_on"]["examples"] == ["2018-12-28"]


def test_a_405_lists_every_method_of_the_resource(client: TestClient) -> None:
    # GET /api/sites and POST /api/sites live in different routers.
    for path, allowed in (
        ("/api/sites", "GET, HEAD, POST"),
        ("/api/reports", "GET, HEAD, POST"),
        ("/api/audit/register/3fa85f64-5717-4562-b3fc-2c963f66afa6", "GET, HEAD"),
    ):
        response = client.request("DELETE", path, headers=login(client, "aud"))
        assert response.status_code == 405
        assert sorted(response.headers["Allow"].split(", ")) == allowed.split(", ")
        assert response.json()["error"]["code"] == "HTTP_405"
