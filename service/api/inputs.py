"""The shapes every input at the HTTP edge shares: bounded paging and positions, ISO business
dates within the supported range, and text without control characters (ADR 0033).

Query parameters and JSON bodies use these types and nothing looser, so a value outside what
the stores and the calendar can hold is refused with a 422 naming the parameter before any
query runs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request, params
from pydantic import AfterValidator, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from domain.recording import EARLIEST_BUSINESS_DATE, LATEST_BUSINESS_DATE
from service.store.db import MAX_STORED_INTEGER

# A larger log position, version or offset than the stores' 64-bit integers reached the
# driver and failed there (a 500).
# No read model holds a billion rows; an offset beyond that is a mistake, not a page.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = 500

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
After = Annotated[
    int | None,
    Query(ge=0, le=MAX_STORED_INTEGER, description="wait until this log position is read"),
]
Position = Annotated[int, Field(ge=0, le=MAX_STORED_INTEGER)]
Version = Annotated[int, Field(ge=1, le=MAX_STORED_INTEGER)]

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def iso_date(value: Any) -> Any:
    """A date given as `YYYY-MM-DD` (or already a date). Anything else is refused rather than
    read generously: pydantic would take `0` or `"0"` as a Unix time, 1970-01-01."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise PydanticCustomError("date_format", "a date is written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "no such calendar date") from None


def within(earliest: date, latest: date) -> AfterValidator:
    """Refuse a date outside [earliest, latest]: older or later dates are typing mistakes, and
    very old ones broke date arithmetic in the stores (a 500)."""

    def check(value: date) -> date:
        if not earliest <= value <= latest:
            raise PydanticCustomError(
                "date_out_of_range",
                "the date lies between {earliest} and {latest}",
                {"earliest": earliest.isoformat(), "latest": latest.isoformat()},
            )
        return value

    return AfterValidator(check)


# No one the programme registers was born before 1900.
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# Strict(False): the strict command models still take a date as its JSON form, a string.
IsoDate = Annotated[date, BeforeValidator(iso_date), Strict(False)]
BusinessDate = Annotated[IsoDate, within(EARLIEST_BUSINESS_DATE, LATEST_BUSINESS_DATE)]
BirthDate = Annotated[IsoDate, within(EARLIEST_BIRTH_DATE, LATEST_BUSINESS_DATE)]
# Not a cut (that is `as_at`): the records stay as they are, only "overdue" moves (ADR 0037).
DeadlinesJudgedOn = Annotated[
    BusinessDate | None,
    Query(
        description="the day deadlines are judged on (overdue work, the withdrawal deadline); "
        "default: the as_at date if given, else today in WITA. Not a cut: see as_at"
    ),
]

# Line breaks and tabs belong in free text only; every other control character (C0, DEL, C1)
# and lone surrogates (which cannot be stored as UTF-8) are refused everywhere.
CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse(pattern: re.Pattern[str], allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        if pattern.search(value):
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters{allowed}",
                {"allowed": allowed},
            )
        return value

    return AfterValidator(check)


# One line of text: a name, a number, a place.
Line = Annotated[str, Strict(), _refuse(CONTROL_IN_LINE, "")]
# Free text of several lines: a reason, notes, a recommendation.
Text = Annotated[str, Strict(), _refuse(CONTROL_IN_TEXT, " other than line breaks and tabs")]
# An enum or a UUID, which a JSON body can only give as a string (its JSON form).
FromJson = Strict(False)


class BodyNotJson(Exception):
    """Raised when a route that reads a JSON body is sent a body of another media type."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    field = "Content-Type"


def json_media_type(content_type: str | None) -> bool:
    """True for `application/json` and the `+json` types, whatever their parameters."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def json_bodies_only(request: Request) -> None:
    """Refuse (415) a body that is not JSON on a route whose body is JSON. FastAPI would hand
    the raw bytes to the model, which answered a 422 about a field named ""."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None or isinstance(body_field.field_info, params.Form):
        return
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if has_body and not json_media_type(request.headers.get("content-type")):
        raise BodyNotJson("the body must be JSON, sent as Content-Type: application/json")
