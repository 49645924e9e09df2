"""One place maps every error to its HTTP status and a stable, machine-readable body.

Bodies are `{"error": {"code", "message", "field"}}`. Messages name the field and the rule and
never echo the submitted value, which may be personal data.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from domain.errors import DomainError, InvalidValue
from service.api.contract import documented_methods
from service.application import NotFound
from service.bankfiles import BankFileRejected
from service.documents import DocumentCorrupted, DocumentError, DocumentNotFound
from service.login_throttle import LoginThrottled


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, "field": field}}


def refusal_response(error: DomainError | NotFound) -> JSONResponse:
    """The response to a command the domain or the application refused: the command's answer,
    which an idempotent retry gets back unchanged (`service/api/idempotent.py`)."""
    if isinstance(error, NotFound):
        return JSONResponse(error_body(NotFound.code, str(error)), 404)
    status = 422 if isinstance(error, InvalidValue) else 409
    body = error_body(error.code, error.message, error.field)
    if isinstance(error, BankFileRejected):
        # A bank file is judged whole: every bad line is reported, so it can be fixed at once.
        body["error"]["problems"] = [  # type: ignore[index]
            {"line": p.line, "field": p.field, "code": str(p.code), "message": p.message}
            for p in error.problems
        ]
    return JSONResponse(body, status)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        return refusal_response(error)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, error: NotFound) -> JSONResponse:
        return refusal_response(error)

    @app.exception_handler(DocumentError)
    async def document_error(_: Request, error: DocumentError) -> JSONResponse:
        # An upload at fault is the client's (422); a stored file that fails its check is ours.
        if isinstance(error, DocumentNotFound):
            status = 404
        elif isinstance(error, DocumentCorrupted):
            status = 500
        else:
            status = 422
        return JSONResponse(error_body(error.code, str(error), error.field), status)

    @app.exception_handler(LoginThrottled)
    async def login_throttled(_: Request, error: LoginThrottled) -> JSONResponse:
        return JSONResponse(
            error_body(LoginThrottled.code, str(error)),
            429,
            headers={"Retry-After": str(error.retry_after_seconds)},
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail
        if isinstance(detail, dict):
            body = error_body(str(detail.get("code")), str(detail.get("message")))
        else:
            default_code = {401: "LOGIN_REQUIRED", 403: "ROLE_FORBIDDEN", 404: "NOT_FOUND"}
            body = error_body(
                default_code.get(error.status_code, f"HTTP_{error.status_code}"), str(detail)
            )
        headers = error.headers
        if error.status_code == 405:
            # RFC 9110: Allow lists every method the resource supports, from all routers.
            methods = documented_methods(request.app, request.url.path)
            if methods is not None:
                headers = {**(headers or {}), "Allow": ", ".join(methods)}
        return JSONResponse(body, error.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for item in error.errors():
            location = [str(part) for part in item.get("loc", ()) if part != "body"]
            # `input` is dropped on purpose: it may hold a NIK or a name.
            problems.append(
                {"field": ".".join(location), "rule": item.get("type"), "message": item.get("msg")}
            )
        first = problems[0] if problems else {"field": None, "message": "invalid request"}
        body = error_body(
            "REQUEST_INVALID", f"{first['field']}: {first['message']}", first["field"]
        )
        body["error"]["problems"] = problems  # type: ignore[index]
        return JSONResponse(body, 422)
