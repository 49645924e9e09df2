"""The search page: a case by its number for every role, by her exact name for the roles that
see names in clear (ADR 0043), through the same scoped and logged search the API uses.

A case number is not personal data and is searched with GET, so the address can be kept. A name
is: it is sent with POST, so that it stays out of the address bar, the browser's history, the
server's request log and any Referer header.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.access import may_search_by_name
from domain.errors import InvalidValue
from service.api.deps import JejakDep
from service.i18n import refusal_for
from service.queries.read_models import ReadModels
from service.queries.search import NameSearchNotAllowed
from service.security.accounts import Account
from service.security.scope import of_account
from service.web.i18n import language_of
from service.web.rendering import templates, viewer_of

router = APIRouter(include_in_schema=False)

RESULTS: Final = 50


def _search_page(
    request: Request, viewer: Account, found: dict[str, Any], status_code: int = 200
) -> Response:
    return templates.TemplateResponse(
        request,
        "search.html",
        {
            "viewer": viewer,
            "section": "search",
            "by_name_allowed": may_search_by_name(viewer.role),
            "case_number": "",
            "results": None,
            "refused": {},
        }
        | found,
        status_code,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    jejak: JejakDep,
    case_number: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The search form; with `case_number`, the cases whose number is it or begins with it."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login?next=/search", status_code=303)
    if not case_number.strip():
        return _search_page(request, viewer, {})
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    try:
        page = reads.search.by_case_number(viewer, case_number, limit=RESULTS)
    except InvalidValue as refused:
        message = refusal_for(language_of(request), refused)
        return _search_page(
            request, viewer, {"case_number": case_number, "refused": {"case_number": message}}
        )
    return _search_page(request, viewer, {"case_number": case_number, "results": page})


@router.post("/search", response_class=HTMLResponse)
def search_by_name(
    request: Request, jejak: JejakDep, name: Annotated[str, Form(max_length=200)]
) -> Response:
    """The cases of the women registered under this exact name; the roles that may not search
    by name are told so next to the field."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return RedirectResponse("/login?next=/search", status_code=303)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    try:
        page = reads.search.by_name(viewer, name, limit=RESULTS)
    except (InvalidValue, NameSearchNotAllowed) as refused:
        message = refusal_for(language_of(request), refused)
        status = 403 if isinstance(refused, NameSearchNotAllowed) else 422
        # The name is not written back into the form: the page may be kept by the browser.
        return _search_page(request, viewer, {"refused": {"name": message}}, status)
    return _search_page(request, viewer, {"results": page, "by_name": True})
