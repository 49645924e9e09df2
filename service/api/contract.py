"""The API's published contract: every error status an operation can answer, with the body the
server really sends, written into the OpenAPI document in one place (ADR 0035).

FastAPI documents only the success status and its own validation-error shape, which this
service never sends (`service/api/errors.py` answers every error with
`{"error": {"code", "message", "field"}}`). Rather than repeat `responses=` on about a hundred
routes, the document is completed once, after FastAPI has built it, from what each operation
is: whether it needs a login, takes a body, names something in its path, or is a command.
Query and path parameters without a description of their own get the shared one for their name.
A command whose lifecycle transition guards `DOCUMENT_REQUIRED` has `document` marked required.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import compile_path

from domain.lifecycle import Correction, Lifecycle, Transition
from domain.lifecycle_docs import LIFECYCLES

OPENAPI_REF = "#/components/schemas/{model}"
# FastAPI's own validation-error shape, which the server never sends.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


class Problem(BaseModel):
    """One of several problems reported together: a request field, or a line of a bank file."""

    model_config = ConfigDict(extra="allow")

    field: str | None = Field(default=None, description="the field or file column at fault")
    message: str = Field(description="the rule that was broken, in English")
    rule: str | None = Field(default=None, description="the validation rule (request fields)")
    line: int | None = Field(
        default=None, description="the file's 1-based line (bank files; 0 for the whole file)"
    )
    code: str | None = Field(default=None, description="the line's problem code (bank files)")


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message naming the field and the rule, and the field.
    Messages never repeat the submitted value, which may be personal data."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="stable, machine-readable", examples=["TRANSITION_NOT_ALLOWED"])
    message: str = Field(description="for people, in English")
    field: str | None = Field(description="the field at fault, dotted, or null")
    problems: list[Problem] | None = Field(
        default=None,
        description="every problem, when several are reported at once (invalid requests, "
        "rejected bank files)",
    )


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}

# Status -> (description, example code, example message, example field, headers).
ERRORS: dict[int, tuple[str, str, str, str | None, dict[str, Any]]] = {
    401: (
        "No valid login: the bearer token or session is missing, expired or of an inactive "
        "account (or, at /auth/token, a wrong username or password)",
        "LOGIN_REQUIRED",
        "login required",
        None,
        {},
    ),
    403: (
        "The account's role may not do this",
        "ROLE_FORBIDDEN",
        "your role may not record a closure",
        None,
        {},
    ),
    404: ("Nothing with that id", "NOT_FOUND", "no site with that id", None, {}),
    409: (
        "Refused by a rule of the programme, a stale expected_version, or a retry while the "
        "first request with the same Idempotency-Key still runs",
        "TRANSITION_NOT_ALLOWED",
        "a closure is not allowed in state registered",
        None,
        {},
    ),
    415: (
        "The body is not of the media type the operation takes",
        "UNSUPPORTED_MEDIA_TYPE",
        "the body must be application/json",
        None,
        {},
    ),
    422: (
        "A field breaks its rule; `field` names it and `problems` lists every problem",
        "REQUEST_INVALID",
        "occurred_on: Input should be a valid date",
        "occurred_on",
        {},
    ),
    429: (
        "Logins held back after repeated failures (ADR 0034); retry after `Retry-After`",
        "LOGIN_THROTTLED",
        "too many failed logins for this account or from this address; try again in 30 s",
        None,
        RETRY_AFTER,
    ),
    503: (
        "The database cannot be reached for now; retry after `Retry-After`",
        "STORE_UNAVAILABLE",
        "the store cannot be reached; try again shortly",
        None,
        RETRY_AFTER,
    ),
}

# Shared descriptions and examples of parameters, by name, for those that have none of their own.
PARAMETERS: dict[str, tuple[str, object]] = {
    "limit": ("at most this many rows", 50),
    "offset": ("skip this many rows first, for paging", 0),
    "after": ("wait until the read models have read this log position", 1200),
    "known_at": (
        "as known at this log position (a number) or moment (ISO 8601 date-time): what had "
        "been recorded by then",
        "2019-12-31T23:59:59+08:00",
    ),
    "as_at": (
        "as at this business date: what had happened by then, late entries too",
        "2019-12-31",
    ),
    "as_of": (
        "judge deadlines as of this business date (default: today in WITA)",
        "2019-12-31",
    ),
    "site_id": ("the id of a lokalisasi site", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "username": ("a staff account's username", "operator.nunukan"),
    "beneficiary_id": ("the id of a woman's case", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "entitlement_id": (
        "the id of one aid entitlement of a case",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ),
    "batch_id": ("the id of a payment batch", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "commitment_id": ("the id of a funding commitment", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "decree_id": ("the id of a funding decree", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "finding_id": ("the id of an audit finding", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "erasure_id": ("the id of an erasure request", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "breach_id": ("the id of a personal-data breach", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "report_id": ("the id of a published report", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "restatement_id": ("the id of a restatement", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "aggregate_id": (
        "the id of any recorded thing (site, case, batch, ...)",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    ),
    "subject_id": ("the id of the case or site the bundle is about", None),
    "state": ("only those in this lifecycle state (see /api/lifecycles)", None),
    "case_number": ("only the case with this case number", "TRK-JP-0001"),
    "component": ("only this aid component", None),
    "source": ("only money from this funding source", None),
    "fiscal_year": ("only this fiscal year", 2019),
    "start": ("from this business date (inclusive)", "2019-01-01"),
    "end": ("to this business date (inclusive)", "2019-12-31"),
    "occurred_on": ("the business date it happened on (WITA)", "2019-03-05"),
    "document_number": ("the number of the bank's file or letter", "HASIL/2019/03/001"),
    "account_label": ("which programme account the statement is of", "Bank Kaltimtara"),
    "rule": ("only findings of this audit check", "A05"),
    "severity": ("only findings of this severity (B: blocking, F: for follow-up)", "B"),
    "status": ("only findings with this status", "open"),
    "acknowledged": ("only findings that are (true) or are not (false) acknowledged", None),
    "overdue": ("only rows past their deadline", None),
    "kind": ("only this kind", None),
    "report_kind": ("the kind of report", None),
    "scope": ("what the evidence bundle covers", "programme"),
    "in_clear": ("personal data in clear rather than masked, where the role may see it", None),
    "fmt": ("the file format", "csv"),
    "correction_pending": ("only those with a money correction awaiting approval", None),
    "actor_id": ("only exports made by this account", "supervisor"),
    "export_name": ("only exports of this name", None),
    "content_sha256": ("only the export whose file has this SHA-256 (hex)", None),
    "period_start": ("the first day of the reporting period", "2019-07-01"),
    "period_end": ("the last day of the reporting period", "2019-09-30"),
    "changed_only": ("only the figures that differ", None),
    "version": ("the version (1 is the first)", 1),
    "name": ("the read model's name", "beneficiary_status"),
    "sha256": ("the document's SHA-256, hex", None),
}

# Examples for the fields every command shares, so that each body's example reads like a real
# one in Swagger UI; a field with examples of its own keeps them.
FIELD_EXAMPLES: dict[str, object] = {
    "occurred_on": "2018-12-28",
    "reason": "as agreed in the coordination meeting",
    "expected_version": 3,
}
SCHEMA_EXAMPLES: dict[str, dict[str, object]] = {
    "DocumentIn": {
        "kind": "berita_acara",
        "number": "BA/017/DINSOS/XII/2018",
        "issued_on": "2018-12-28",
        "issuer": "Dinas Sosial Kota Tarakan",
    },
}


def install_contract(app: FastAPI) -> None:
    """Make `app.openapi()` answer the completed document (built once, then cached)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def documented() -> dict[str, Any]:
        if app.openapi_schema is None:
            # FastAPI's builder caches the document it returns, completed here in place.
            complete(build())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = documented  # type: ignore[method-assign]


def documented_methods(app: FastAPI, path: str) -> list[str] | None:
    """The methods the document lists for the path template `path` matches, HEAD with GET,
    or None for a path it does not describe. Starlette's 405 names only the methods of the
    first route that matched the path, which is one router's share of them."""
    templates: list[tuple[re.Pattern[str], list[str]]] | None = getattr(
        app.state, "documented_paths", None
    )
    if templates is None:
        templates = [
            (compile_path(template)[0], [method.upper() for method in item])
            for template, item in app.openapi().get("paths", {}).items()
        ]
        app.state.documented_paths = templates
    for pattern, methods in templates:
        if pattern.match(path):
            return [*methods, "HEAD"] if "GET" in methods else methods
    return None


def complete(document: dict[str, Any], lifecycles: Iterable[Lifecycle] = LIFECYCLES) -> None:
    """Add the error responses, parameter descriptions and required documents to a
    FastAPI-built document."""
    needing_document = _commands_needing_a_document(lifecycles)
    schemas = _schemas(document)
    error_schema = ErrorResponse.model_json_schema(ref_template=OPENAPI_REF)
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorResponse"] = error_schema
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    for name, schema in schemas.items():
        _give_examples(name, schema)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in _error_statuses(path, method, operation):
                responses[str(status)] = _error_response(status)
            operation["responses"] = dict(sorted(responses.items()))
            for parameter in operation.get("parameters", []):
                _describe(parameter)
            if _command_of(operation, path, method) in needing_document:
                _require_document(operation)


def _error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """What can go wrong with an operation, judged from what it is."""
    statuses = set()
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    if "security" in operation:
        # Every logged-in request reads the account, so it needs the database.
        statuses |= {401, 403, 503}
    if path == "/auth/token":
        statuses |= {401, 429, 503}
    if parameters or body:
        statuses.add(422)
    if body:
        statuses.add(415)
    if any(p["in"] == "path" or p["name"].endswith("_id") for p in parameters):
        # Something named by its id may not exist.
        statuses.add(404)
    if method == "post" and "security" in operation:
        # A command can name something that does not exist, or be refused by a rule.
        statuses |= {404, 409}
    return sorted(statuses)


def _error_response(status: int) -> dict[str, Any]:
    description, code, message, field, headers = ERRORS[status]
    response: dict[str, Any] = {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": OPENAPI_REF.format(model="ErrorResponse")},
                "example": {"error": {"code": code, "message": message, "field": field}},
            }
        },
    }
    if headers:
        response["headers"] = headers
    return response


def _give_examples(name: str, schema: dict[str, Any]) -> None:
    if name in SCHEMA_EXAMPLES:
        schema.setdefault("examples", [SCHEMA_EXAMPLES[name]])
    for field, property_schema in schema.get("properties", {}).items():
        if field in FIELD_EXAMPLES and "examples" not in property_schema:
            property_schema["examples"] = [FIELD_EXAMPLES[field]]


def _describe(parameter: dict[str, Any]) -> None:
    shared = PARAMETERS.get(parameter["name"])
    if shared is None:
        return
    description, example = shared
    parameter.setdefault("description", description)
    if example is not None and "example" not in parameter and "examples" not in parameter:
        parameter["example"] = example


def _commands_needing_a_document(lifecycles: Iterable[Lifecycle]) -> set[str]:
    commands: list[Transition | Correction] = [
        command for lifecycle in lifecycles for command in lifecycle.transitions
    ]
    commands += [command for lifecycle in lifecycles for command in lifecycle.corrections]
    return {
        command.command
        for command in commands
        if any(guard.startswith("DOCUMENT_REQUIRED") for guard in command.guards)
    }


def _command_of(operation: dict[str, Any], path: str, method: str) -> str | None:
    """The endpoint's name, which for a command route is its lifecycle command: FastAPI builds
    operation ids as the name, then the path and the method with non-word characters as `_`."""
    suffix = re.sub(r"\W", "_", path) + f"_{method}"
    operation_id: str = operation.get("operationId", "")
    return operation_id.removesuffix(suffix) if operation_id.endswith(suffix) else None


def _require_document(operation: dict[str, Any]) -> None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return
    content["schema"] = {
        "allOf": [
            content["schema"],
            {
                "required": ["document"],
                "properties": {"document": {"$ref": OPENAPI_REF.format(model="DocumentIn")}},
            },
        ]
    }


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    return schemas
