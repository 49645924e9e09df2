"""The erasure pages (ADR 0055): `/privacy/erasures`, the register with the officer's form to
record her request, and `/privacy/erasures/{id}`, one request with a supervisor's approval or
refusal (the generic step forms, ADR 0051), her notice to download and the request's history.

They read through the API's own route functions and take a step through the API's route
(`service/web/commands.py`), so the roles and refusals are the API's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from domain.privacy.erasure import ERASURE_LIFECYCLE, Erasure
from service.api import erasures as erasures_api
from service.api.deps import JejakDep
from service.errors import NotFound
from service.queries.erasures import ErasureQueries
from service.queries.read_models import ReadModels
from service.security.scope import of_account
from service.system import Jejak
from service.web.commands import Subject, form_or_step, forms_now
from service.web.names import StaffNames
from service.web.rendering import (
    forbidden_page,
    may_read_privacy,
    not_found_page,
    settled,
    templates,
    to_login,
    viewer_of,
)
from service.web.timeline import timeline

router: APIRouter = APIRouter(include_in_schema=False)

PAGE: Final = "/privacy/erasures"
RECORD: Final = "record_erasure_request"
NEW_ERASURE: Final = Subject(ERASURE_LIFECYCLE, None, None, None, "", PAGE, steps_at=f"{PAGE}/new")
SHOWN: Final = 200


def _subject(jejak: Jejak, erasure_id: str) -> Subject | None:
    try:
        erasure = jejak.app.load(Erasure, UUID(erasure_id))
    except (ValueError, NotFound):
        return None
    return Subject(
        ERASURE_LIFECYCLE,
        erasure.id,
        erasure.state,
        erasure.version,
        erasure.case_number,
        f"{PAGE}/{erasure.id}",
    )


async def _step(
    request: Request,
    jejak: Jejak,
    find: Callable[[], Subject | None],
    command: str,
    *,
    post: bool,
) -> Response:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if not may_read_privacy(viewer):
        return forbidden_page(request, viewer)
    subject = await run_in_threadpool(find)
    if subject is None:
        return not_found_page(request, viewer)
    return await form_or_step(request, jejak, viewer, subject, command, post=post)


@router.get(PAGE, response_class=HTMLResponse)
def erasures_page(request: Request, jejak: JejakDep) -> Response:
    """The register: requests awaiting a decision first, then the decided ones."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    if not may_read_privacy(viewer):
        return forbidden_page(request, viewer)
    found = erasures_api.list_erasures(
        user=viewer,
        jejak=jejak,
        queries=ErasureQueries(jejak.engine),
        response=Response(),
        state=None,
        limit=SHOWN,
        offset=0,
        after=None,
    )
    return templates.TemplateResponse(
        request,
        "erasures.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "erasures": found["items"],
            "total": found["total"],
            "may_record": viewer.role in ERASURE_LIFECYCLE.roles_for(RECORD),
            "done": done,
        },
    )


@router.get(f"{PAGE}/new", response_class=HTMLResponse)
async def new_erasure_form(request: Request, jejak: JejakDep) -> Response:
    """The form recording her request from her letter (the data-protection officer)."""
    return await _step(request, jejak, lambda: NEW_ERASURE, RECORD, post=False)


@router.post(f"{PAGE}/new", response_class=HTMLResponse)
async def new_erasure(request: Request, jejak: JejakDep) -> Response:
    """Record her request, through the API's route."""
    return await _step(request, jejak, lambda: NEW_ERASURE, RECORD, post=True)


@router.get(f"{PAGE}/{{erasure_id}}/steps/{{command}}", response_class=HTMLResponse)
async def erasure_step_form(
    request: Request, jejak: JejakDep, erasure_id: str, command: str
) -> Response:
    """The approval's or the refusal's form on its own page."""
    return await _step(request, jejak, lambda: _subject(jejak, erasure_id), command, post=False)


@router.post(f"{PAGE}/{{erasure_id}}/steps/{{command}}", response_class=HTMLResponse)
async def erasure_step(
    request: Request, jejak: JejakDep, erasure_id: str, command: str
) -> Response:
    """Approve or refuse, through the API's route."""
    return await _step(request, jejak, lambda: _subject(jejak, erasure_id), command, post=True)


@router.get(f"{PAGE}/{{erasure_id}}/notice.pdf", response_class=Response)
def erasure_notice(request: Request, jejak: JejakDep, erasure_id: str) -> Response:
    """Her notice, as the API gives it."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if not may_read_privacy(viewer):
        return forbidden_page(request, viewer)
    subject = _subject(jejak, erasure_id)
    if subject is None or subject.path_id is None:
        return not_found_page(request, viewer)
    try:
        return erasures_api.erasure_notice(
            erasure_id=subject.path_id,
            user=viewer,
            jejak=jejak,
            queries=ErasureQueries(jejak.engine),
            response=Response(),
            after=None,
        )
    except (DomainError, NotFound):
        return not_found_page(request, viewer)


@router.get(f"{PAGE}/{{erasure_id}}", response_class=HTMLResponse)
def erasure_page(request: Request, jejak: JejakDep, erasure_id: str) -> Response:
    """One request: her case, her letter, the decision, what was deleted and kept, until when,
    the steps open to the viewer, her notice, and the history."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    done = settled(request, jejak)
    if not may_read_privacy(viewer):
        return forbidden_page(request, viewer)
    subject = _subject(jejak, erasure_id)
    if subject is None or subject.path_id is None:
        return not_found_page(request, viewer)
    reads = ReadModels.of(jejak, of_account(jejak.scopes, viewer))
    try:
        erasure = erasures_api.get_erasure(
            erasure_id=subject.path_id,
            user=viewer,
            jejak=jejak,
            queries=ErasureQueries(jejak.engine),
            reads=reads,
            response=Response(),
            after=None,
        )
    except NotFound:
        return not_found_page(request, viewer)
    return templates.TemplateResponse(
        request,
        "erasure.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "erasure": erasure,
            "subject": subject,
            "timeline": timeline(reads, StaffNames(jejak), viewer, subject.path_id, "Erasure"),
            "actions": forms_now(request, jejak, viewer, subject),
            "done": done,
        },
    )
