"""Request bodies at the edge (ADR 0033): JSON only, read strictly, errors that name the body
and the place, never a 500."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, get_args, get_origin

from fastapi import params
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from domain.recording import DocumentKind
from service.api.app import create_app
from tests.e2e.conftest import login
from tests.e2e.test_http import SITE, decreed_site, doc, post

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


def test_a_body_that_is_not_utf8_names_the_body_and_the_byte(client: TestClient) -> None:
    headers = {**login(client, "opi"), "Content-Type": "application/json"}
    response = client.post("/api/sites", content=b'{"name": "\xb5"}', headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("JSON_INVALID", "body")
    assert "UTF-8 at byte 10" in error["message"]


def test_json_that_is_not_an_object_is_located_at_the_body(client: TestClient) -> None:
    response = client.post("/api/sites", json=[SITE], headers=login(client, "opi"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "body"


def test_a_json_media_type_with_parameters_is_json(client: TestClient) -> None:
    headers = {**login(client, "opi"), "Content-Type": "application/json; charset=utf-8"}
    response = client.post("/api/sites", content=json.dumps(SITE).encode(), headers=headers)
    assert response.status_code == 201, response.text


def _body_models() -> set[type[BaseModel]]:
    """Every model a JSON body of the API is read with, nested ones included."""
    app = create_app()
    found: set[type[BaseModel]] = set()
    pending = [
        route.body_field.field_info.annotation
        for route in (context.original_route for context in iter_route_contexts(app.routes))
        if isinstance(route, APIRoute)
        and route.body_field is not None
        and not isinstance(route.body_field.field_info, params.Form)
    ]
    while pending:
        model = pending.pop()
        for leaf in _leaves(model):
            if isinstance(leaf, type) and issubclass(leaf, BaseModel) and leaf not in found:
                found.add(leaf)
                pending += [field.annotation for field in leaf.model_fields.values()]
    return found


def _leaves(annotation: Any) -> list[Any]:
    """The plain types inside `annotation` (through Annotated, unions and lists)."""
    arguments = get_args(annotation)
    if get_origin(annotation) is Annotated:
        return _leaves(arguments[0])
    if arguments:
        return [leaf for argument in arguments for leaf in _leaves(argument)]
    return [annotation]


def _refuses(model: type[BaseModel], name: str, value: object) -> bool:
    field = model.model_fields[name]
    given = (
        [value] if list in {get_origin(field.annotation), *_origins(field.annotation)} else value
    )
    try:
        model.__pydantic_validator__.validate_assignment(model.model_construct(), name, given)
    except ValidationError:
        return True
    return False


def _origins(annotation: Any) -> list[Any]:
    return [get_origin(argument) for argument in get_args(annotation)]


def test_every_body_field_is_read_strictly() -> None:
    models = _body_models()
    assert len(models) >= 30, models
    lenient = []
    for model in models:
        for name, field in model.model_fields.items():
            leaves = set(_leaves(field.annotation))
            wrong: list[object] = []
            if str in leaves:
                wrong += ["A\x00B", "A\x1bB", "A\ud800B"]
            if int in leaves:
                wrong += ["3", 3.0]
            if bool in leaves:
                wrong += ["true", 1]
            if date in leaves:
                wrong += [0, "0", "2019-1-5", "0032-05-31"]
            lenient += [(model.__name__, name, w) for w in wrong if not _refuses(model, name, w)]
    assert lenient == []


def test_a_number_as_a_string_and_a_control_character_are_refused_over_http(
    client: TestClient,
) -> None:
    headers = login(client, "opi")
    site = client.post("/api/sites", json=SITE, headers=headers).json()["id"]
    sosialisasi = {"occurred_on": "2017-08-10", "venue": "Balai", "attendance": 50}
    for field, wrong, code in (
        ("attendance", "3", "int_type"),
        ("venue", "Balai\x00", "control_character"),
        ("occurred_on", 0, "date_format"),
    ):
        response = client.post(
            f"/api/sites/{site}/sosialisasi", json={**sosialisasi, field: wrong}, headers=headers
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["field"], error["problems"][0]["rule"]) == (field, code)
    accepted = client.post(f"/api/sites/{site}/sosialisasi", json=sosialisasi, headers=headers)
    assert accepted.status_code == 201, accepted.text


def test_the_document_kinds_are_published_as_one_enum(client: TestClient) -> None:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    kind = schema["components"]["schemas"]["DocumentIn"]["properties"]["kind"]
    published = schema["components"]["schemas"][kind["$ref"].rsplit("/", 1)[1]]["enum"]
    assert published == [k.value for k in DocumentKind]


def test_a_closure_needs_a_berita_acara_of_that_kind_over_http(client: TestClient) -> None:
    site = decreed_site(client)
    closure = {"occurred_on": "2018-12-28", "declared_headcount": 62, "funding_status": "unknown"}
    for kind, status, code in (
        ("decree", 409, "SITE_CLOSURE_NEEDS_BERITA_ACARA"),
        ("surat sakti", 422, "REQUEST_INVALID"),
    ):
        refused = post(
            client,
            "opi",
            f"/api/sites/{site}/closure",
            {**closure, "document": doc(kind, "2018-12-28")},
            expect=status,
        )
        assert (refused["error"]["code"], refused["error"]["field"]) == (code, "document.kind")
    closed = {**closure, "document": doc("berita_acara", "2018-12-28")}
    assert post(client, "opi", f"/api/sites/{site}/closure", closed)["state"] == "CLOSED"
