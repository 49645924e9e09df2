"""The record of processing page, `/privacy/processing`: the record of processing activities
(UU PDP Pasal 31) and the impact assessment (Pasal 34) as readable tables, with their PDF, CSV
and JSON downloads (ADR 0060). For the roles that read the privacy registers; the tables come
from the same generation as the API's (`service/queries/processing.py`), whose texts are the
Dinas's own Indonesian documents; the page's own words come from the catalogue."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import JejakDep
from service.api.processing import READERS
from service.files.processing_exports import ExportFormat
from service.queries.processing import impact_assessment, processing_record
from service.web.rendering import forbidden_page, templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)


@router.get("/privacy/processing", response_class=HTMLResponse)
def processing_page(request: Request, jejak: JejakDep) -> Response:
    """The record of processing and the impact assessment, generated now."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in READERS:
        return forbidden_page(request, viewer)
    now = datetime.now(UTC).replace(microsecond=0)
    return templates.TemplateResponse(
        request,
        "processing.html",
        {
            "viewer": viewer,
            "section": "privacy",
            "record": processing_record(jejak.engine, now),
            "assessment": impact_assessment(jejak.engine, now),
            "formats": [f.value for f in ExportFormat],
        },
    )
