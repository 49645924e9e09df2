"""The data-protection workspace, `/privacy`: where the data-protection officer and the
supervisors find her rights under UU PDP (issue 17): subject requests, erasures, the breach
register, retention and destruction, and the record of processing.

Each register has its own pages under `/privacy/...`; their routers are included here, so the
whole workspace is read by the roles `domain/access.py` names for the privacy registers.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import JejakDep
from service.web.breaches import router as breaches
from service.web.erasures import router as erasures_router
from service.web.processing import router as processing_router
from service.web.rendering import (
    forbidden_page,
    may_read_privacy,
    templates,
    to_login,
    viewer_of,
)
from service.web.retention import router as retention_router
from service.web.subject_requests import router as subject_requests_router

router = APIRouter(include_in_schema=False)

# The registers, in the order the workspace lists them: (path, title, what it holds).
REGISTERS: Final = (
    (
        "/privacy/requests",
        "Subject requests",
        "Requests for access and a copy, correction, restriction, objection and erasure, "
        "each answered within 3x24 hours.",
    ),
    (
        "/privacy/erasures",
        "Erasures",
        "Erasure requests approved by a second person: the case file destroyed, the "
        "identity minimum kept restricted as payment evidence, and her written notice.",
    ),
    (
        "/privacy/breaches",
        "Breach register",
        "Suspected breaches, what was exposed, when and how, and the notices to the "
        "subjects and the agency within 3x24 hours.",
    ),
    (
        "/privacy/retention",
        "Retention and destruction",
        "How long each category of data is kept, what is due for destruction, legal holds, "
        "and the berita acara pemusnahan.",
    ),
    (
        "/privacy/processing",
        "Record of processing",
        "The record of processing activities (Pasal 31) and the data-protection impact "
        "assessment, drawn from what Jejak stores.",
    ),
)


@router.get("/privacy", response_class=HTMLResponse)
def privacy_page(request: Request, jejak: JejakDep) -> Response:
    """The data-protection workspace: one entry per register."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if not may_read_privacy(viewer):
        return forbidden_page(request, viewer)
    return templates.TemplateResponse(
        request,
        "privacy.html",
        {"viewer": viewer, "section": "privacy", "registers": REGISTERS},
    )


router.include_router(erasures_router)
router.include_router(subject_requests_router)
router.include_router(retention_router)
router.include_router(processing_router)
# The registers' own pages (issue 17), each under its path.
router.include_router(breaches)
