"""Finding a case over HTTP: by its case number, or by her exact name through the erasable
keyed name index (ADR 0043). Every role may search by case number; only a role that sees names
in clear may search by name (`domain.access.may_search_by_name`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from domain.case_search import MAX_CASE_NUMBER_QUERY, MAX_NAME_QUERY
from domain.errors import InvalidValue
from service.api.answers import ReadDep, page_body
from service.api.deps import UserDep
from service.api.inputs import Limit, Line, Offset

reads = APIRouter(prefix="/api", tags=["queries"])

CaseNumberQuery = Annotated[
    Line | None,
    Query(
        max_length=MAX_CASE_NUMBER_QUERY,
        description="a case number, or its beginning (`TRK-JP-00`); not personal data",
    ),
]
NameQuery = Annotated[
    Line | None,
    Query(
        max_length=MAX_NAME_QUERY,
        description="her exact name as registered (case, spaces, punctuation and a leading "
        "Ibu, Hj. or Sdri. aside); operators and supervisors only",
    ),
]


@reads.get("/search")
def search_cases(
    user: UserDep,
    reads: ReadDep,
    case_number: CaseNumberQuery = None,
    name: NameQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Cases found by case number or by exact name: case number, site, state and her name as
    the caller's role sees names. A search by name looks up a keyed hash, never opens a name;
    it is written to the access log with its count, never with the name."""
    if name is not None and case_number is None:
        return page_body(reads.search.by_name(user, name, limit=limit, offset=offset))
    if case_number is not None and name is None:
        return page_body(reads.search.by_case_number(user, case_number, limit=limit, offset=offset))
    raise InvalidValue("give either case_number or name, not both", field="case_number")
