"""Request bodies at the edge (ADR 0033): JSON only, read strictly, errors that name the body
and the place, never a 500."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.e2e.conftest import login
from tests.e2e.test_http import SITE

MALFORMED = '{\n  "occurred_on": "2016-03-20",\n  "code" "TRK-JP"\n}'


def test_a_body_that_is_not_json_is_refused_as_an_unsupported_media_type(
    client: TestClient,
) -> None:
    headers = login(client, "opi")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        sent = {**headers, **({"Content-Type": content_type} if content_type else {})}
        response = client.post("/api/sites", content=b"code=TRK-JP&name=Juata", headers=sent)
        assert response.status_code == 415, (content_type, response.text)
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("UNSUPPORTED_MEDIA_TYPE", "Content-Type")


def test_malformed_json_names_the_body_and_the_line_and_column(client: TestClient) -> None:
    headers = {**login(client, "opi"), "Content-Type": "application/json"}
    response = client.post("/api/sites", content=MALFORMED.encode(), headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("JSON_INVALID", "body")
    assert "line 3, column 10" in error["message"]
    assert "TRK-JP" not in response.text


def test_json_that_is_not_an_object_is_located_at_the_body(client: TestClient) -> None:
    response = client.post("/api/sites", json=[SITE], headers=login(client, "opi"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "body"


def test_a_json_media_type_with_parameters_is_json(client: TestClient) -> None:
    headers = {**login(client, "opi"), "Content-Type": "application/json; charset=utf-8"}
    response = client.post("/api/sites", content=json.dumps(SITE).encode(), headers=headers)
    assert response.status_code == 201, response.text
