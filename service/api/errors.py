"""One place maps every error to its HTTP status and a stable, machine-readable body.

Bodies are `{"error": {"code", "message", "field"}}`. Messages name the field and the rule and
never echo the submitted value, which may be personal data. `code` and `field` never change;
`message` follows the request's `Accept-Language`, English when it asks for no language the
catalogues have (ADR 0048).
"""

from __future__ import annotations

import logging

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from domain.errors import DomainError, InvalidValue, OutOfScope
from service.api.contract import documented_methods
from service.api.inputs import BodyNotJson
from service.errors import NotFound
from service.files.bankfiles import BankFileRejected
from service.files.documents import DocumentCorrupted, DocumentError, DocumentNotFound
from service.i18n import negotiate, refusal_for, refusal_message, validation_message
from service.queries.reveal import RevealNotAllowed
from service.queries.search import NameSearchNotAllowed
from service.security.login_throttle import LoginThrottled

logger = logging.getLogger("jejak.api")

# The store cannot be reached (down, restarting, connections cut, pool exhausted, SQLite busy):
# a client may retry after a while (503), unlike a fault in the server itself (500).
STORE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
RETRY_AFTER_SECONDS = 10


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, "field": field}}


def language_of(request: Request) -> str:
    """The language of the request's error messages: `Accept-Language`'s, else English."""
    return negotiate(request.headers.get("accept-language"))


def told(request: Request, code: str, message: str) -> str:
    """`message`, the English of the refusal `code`, in the request's language."""
    return refusal_message(language_of(request), code, message)


def refusal_response(error: DomainError | NotFound, language: str = "en") -> JSONResponse:
    """The response to a command the domain or the application refused: the command's answer,
    which an idempotent retry gets back unchanged (`service/api/idempotent.py`)."""
    if isinstance(error, NotFound):
        message = refusal_for(language, error, str(error))
        return JSONResponse(error_body(NotFound.code, message), 404)
    body = error_body(error.code, refusal_for(language, error), error.field)
    if isinstance(error, BankFileRejected):
        # A bank file is judged whole: every bad line is reported, so it can be fixed at once.
        body["error"]["problems"] = [  # type: ignore[index]
            {"line": p.line, "field": p.field, "code": str(p.code), "message": p.message}
            for p in error.problems
        ]
    return JSONResponse(body, refusal_status(error))


def refusal_status(error: DomainError) -> int:
    """The HTTP status of a refusal: 422 for a value breaking a format or range rule, 403 for a
    record outside the caller's units, 409 for a rule of the current state."""
    return 422 if isinstance(error, InvalidValue) else 403 if isinstance(error, OutOfScope) else 409


def store_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says the store cannot be reached."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, STORE_UNAVAILABLE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def unavailable_response(request: Request, error: BaseException) -> JSONResponse:
    """503 with `Retry-After`. The log line names the error's type only: driver messages may
    quote the statement's parameters, which can be personal data."""
    logger.warning(
        "store unavailable (%s) on %s %s", type(error).__name__, request.method, request.url.path
    )
    return JSONResponse(
        error_body(
            "STORE_UNAVAILABLE",
            told(request, "STORE_UNAVAILABLE", "the database cannot be reached; try again shortly"),
        ),
        503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def json_position(document: str, position: int) -> tuple[int, int]:
    """The line and column (both from 1) of character `position` in `document`."""
    line = document.count("\n", 0, position) + 1
    return line, position - document.rfind("\n", 0, position)


def malformed_json_response(
    error: RequestValidationError, language: str = "en"
) -> JSONResponse | None:
    """422 naming the body and where its JSON breaks, or None if the body parsed. The text
    around the fault is not quoted: it may be personal data."""
    for item in error.errors():
        if item.get("type") != "json_invalid":
            continue
        position = int(item["loc"][-1])
        document = error.body if isinstance(error.body, str) else ""
        line, column = json_position(document, position)
        reason = item.get("ctx", {}).get("error", "invalid JSON")
        message = f"body: not valid JSON ({reason}) at line {line}, column {column}"
        body = error_body(
            "JSON_INVALID", refusal_message(language, "JSON_INVALID", message), "body"
        )
        body["error"]["problems"] = [  # type: ignore[index]
            {"field": "body", "rule": "json_invalid", "message": message}
        ]
        return JSONResponse(body, 422)
    return None


def unreadable_body_response(error: HTTPException) -> JSONResponse:
    """422 naming the body for one that could not be read, with the byte where UTF-8 broke."""
    cause = error.__cause__
    if isinstance(cause, UnicodeDecodeError):
        message = f"body: not valid UTF-8 at byte {cause.start}"
        code = "JSON_INVALID"
    else:
        message = "body: the body could not be read"
        code = "BODY_UNREADABLE"
    body = error_body(code, message, "body")
    body["error"]["problems"] = [  # type: ignore[index]
        {"field": "body", "rule": code.lower(), "message": message}
    ]
    return JSONResponse(body, 422)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(BodyNotJson)
    async def body_not_json(request: Request, error: BodyNotJson) -> JSONResponse:
        message = refusal_for(language_of(request), error, str(error))
        return JSONResponse(error_body(error.code, message, error.field), 415)

    for unavailable in STORE_UNAVAILABLE:
        app.add_exception_handler(unavailable, unavailable_response)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> JSONResponse:
        # Errors raised from an unreachable store under another name still deserve a 503.
        if store_unavailable(error):
            return unavailable_response(request, error)
        message = told(request, "INTERNAL_ERROR", "the server failed; it is logged")
        return JSONResponse(error_body("INTERNAL_ERROR", message), 500)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        return refusal_response(error, language_of(request))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return refusal_response(error, language_of(request))

    @app.exception_handler(DocumentError)
    async def document_error(request: Request, error: DocumentError) -> JSONResponse:
        # An upload at fault is the client's (422); a stored file that fails its check is ours.
        if isinstance(error, DocumentNotFound):
            status = 404
        elif isinstance(error, DocumentCorrupted):
            status = 500
        else:
            status = 422
        message = refusal_for(language_of(request), error, str(error))
        return JSONResponse(error_body(error.code, message, error.field), status)

    @app.exception_handler(NameSearchNotAllowed)
    async def name_search_not_allowed(
        request: Request, error: NameSearchNotAllowed
    ) -> JSONResponse:
        message = refusal_for(language_of(request), error, str(error))
        return JSONResponse(error_body(error.code, message, "name"), 403)

    @app.exception_handler(RevealNotAllowed)
    async def reveal_not_allowed(request: Request, error: RevealNotAllowed) -> JSONResponse:
        message = refusal_for(language_of(request), error, str(error))
        return JSONResponse(error_body(error.code, message), 403)

    @app.exception_handler(LoginThrottled)
    async def login_throttled(request: Request, error: LoginThrottled) -> JSONResponse:
        return JSONResponse(
            error_body(LoginThrottled.code, refusal_for(language_of(request), error, str(error))),
            429,
            headers={"Retry-After": str(error.retry_after_seconds)},
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        if error.status_code == 400:
            # FastAPI answers 400 for a body it could not read at all (bytes that are not
            # UTF-8, a broken form): that is the body breaking its rule, as malformed JSON is.
            return unreadable_body_response(error)
        detail = error.detail
        if isinstance(detail, dict):
            code = str(detail.get("code"))
            body = error_body(code, told(request, code, str(detail.get("message"))))
        else:
            default_code = {
                401: "LOGIN_REQUIRED",
                403: "ROLE_FORBIDDEN",
                404: "NOT_FOUND",
            }
            code = default_code.get(error.status_code, f"HTTP_{error.status_code}")
            body = error_body(code, told(request, code, str(detail)))
        headers = error.headers
        if error.status_code == 405:
            # RFC 9110: Allow lists every method the resource supports, from all routers.
            methods = documented_methods(request.app, request.url.path)
            if methods is not None:
                headers = {**(headers or {}), "Allow": ", ".join(methods)}
        return JSONResponse(body, error.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        language = language_of(request)
        malformed = malformed_json_response(error, language)
        if malformed is not None:
            return malformed
        problems = []
        for item in error.errors():
            # A body that is not an object at all is located at the body itself.
            location = [str(part) for part in item.get("loc", ()) if part != "body"] or ["body"]
            # `input` is dropped on purpose: it may hold a NIK or a name.
            rule, own = str(item.get("type")), str(item.get("msg"))
            # English keeps the model's own words; another language its catalogue's sentence.
            said = (
                own
                if language == "en"
                else validation_message(language, rule, own, item.get("ctx"), location[-1])
            )
            problems.append({"field": ".".join(location), "rule": rule, "message": said})
        first = problems[0] if problems else {"field": None, "message": "invalid request"}
        message = told(request, "REQUEST_INVALID", f"{first['field']}: {first['message']}")
        body = error_body("REQUEST_INVALID", message, first["field"])
        body["error"]["problems"] = problems  # type: ignore[index]
        return JSONResponse(body, 422)
