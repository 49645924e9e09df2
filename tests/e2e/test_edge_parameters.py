"""Query parameters at the edge (ADR 0033): every list endpoint's paging and every business
date are bounded and strictly formatted, refused with a 422 naming the parameter, on both
stores, never a 500."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from service.api.inputs import MAX_OFFSET
from tests.e2e.conftest import login

PATH_PARAMETER = re.compile(r"\{([a-z_0-9]+)\}")


def _gets(client: TestClient) -> dict[str, list[dict[str, Any]]]:
    """Every GET path of the API with its query parameters, from the app's own OpenAPI."""
    schema = client.app.openapi()  # type: ignore[attr-defined]
    return {
        path: [p for p in item["get"].get("parameters", []) if p["in"] == "query"]
        for path, item in schema["paths"].items()
        if "get" in item
    }


def _concrete(path: str) -> str:
    # The parameters are judged before the route runs: any well-formed id will do.
    return PATH_PARAMETER.sub(lambda m: "worklist" if m.group(1) == "name" else str(uuid4()), path)


def _is_date(parameter: dict[str, Any]) -> bool:
    schema = parameter["schema"]
    return schema.get("format") == "date" or any(
        option.get("format") == "date" for option in schema.get("anyOf", ())
    )


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, (response.status_code, response.text)
    error = response.json()["error"]
    # Other required parameters left out are named too; the one given must be among them.
    named = {error["field"], *(problem["field"] for problem in error.get("problems", ()))}
    assert field in named, response.text


def test_every_list_endpoint_bounds_its_offset(store_client: TestClient) -> None:
    headers = login(store_client, "sup")
    paged = [
        path
        for path, params in _gets(store_client).items()
        if {"name": "offset"} in [{"name": p["name"]} for p in params]
    ]
    assert len(paged) >= 15, paged
    for path in paged:
        url = _concrete(path)
        too_far = store_client.get(url, params={"offset": 2**63}, headers=headers)
        _refused(too_far, "query.offset")
        _refused(store_client.get(url, params={"offset": -1}, headers=headers), "query.offset")
        _refused(store_client.get(url, params={"limit": 0}, headers=headers), "query.limit")
        furthest = store_client.get(url, params={"offset": MAX_OFFSET}, headers=headers)
        assert furthest.status_code < 500, (path, furthest.text)


@pytest.mark.parametrize(
    "written",
    [
        "0001-01-01",
        "0032-05-31",
        "1945-08-16",
        "2100-01-01",
        "0",
        "2019-1-5",
        "20190105",
        "2019-02-30",
    ],
)
def test_every_business_date_parameter_is_iso_and_in_range(
    store_client: TestClient, written: str
) -> None:
    headers = login(store_client, "sup")
    dated = [
        (path, p["name"])
        for path, params in _gets(store_client).items()
        for p in params
        if _is_date(p)
    ]
    assert len(dated) >= 15, dated
    for path, name in dated:
        response = store_client.get(_concrete(path), params={name: written}, headers=headers)
        _refused(response, f"query.{name}")


@pytest.mark.parametrize("as_at", ["1945-08-17", "2099-12-31"])
def test_audit_findings_answer_at_the_ends_of_the_supported_range(
    store_client: TestClient, as_at: str
) -> None:
    response = store_client.get(
        "/api/audit/findings", params={"as_at": as_at}, headers=login(store_client, "sup")
    )
    assert response.status_code == 200, response.text


def test_a_known_at_position_past_what_a_store_holds_is_refused(store_client: TestClient) -> None:
    response = store_client.get(
        "/api/audit/findings", params={"known_at": str(2**63)}, headers=login(store_client, "sup")
    )
    _refused(response, "known_at")
