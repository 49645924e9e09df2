"""The document upload page: a scan or file stored by content, as `POST /api/documents` stores
it (same store, same size limit, same roles), showing its SHA-256 for commands to cite; and,
to those who oversee the programme, as `GET /api/documents` lists them, the latest ones."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from domain.access import WRITE_ROLES, Write
from service.api.deps import JejakDep
from service.api.documents import FILE_FIELD, KIND_FIELD, form_in_memory
from service.files.documents import DocumentError, DocumentKind, StoredDocument
from service.i18n import document_kind_name, gettext, refusal_for
from service.provenance import actor_of
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak
from service.web.i18n import language_of
from service.web.rendering import forbidden_page, templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)

UPLOADERS: Final = WRITE_ROLES[Write.UPLOAD_DOCUMENT]
RECENT: Final = 20
# The CSRF token and the kind travel with the file.
MAX_FORM_FIELDS: Final = 2


def _admitted(request: Request, jejak: Jejak) -> Response | Account:
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    if viewer.role not in UPLOADERS:
        return forbidden_page(request, viewer)
    return viewer


def _page(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    *,
    stored: StoredDocument | None = None,
    problem: str | None = None,
    kind: str = "",
    status: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    # The list is the programme's, as `GET /api/documents` is: only its overseers see it.
    recent = (
        jejak.documents.list(limit=RECENT).items
        if of_account(jejak.scopes, viewer).everything
        else None
    )
    kinds = {k.value: document_kind_name(language, k.value) for k in DocumentKind}
    context: dict[str, Any] = {
        "viewer": viewer,
        "stored": stored,
        "problem": problem,
        "kind": kind,
        "kinds": kinds,
        "recent": recent,
        "max_megabytes": jejak.documents.max_bytes // (1024 * 1024),
        "section": "documents",
    }
    return templates.TemplateResponse(request, "documents.html", context, status_code=status)


@router.get("/documents/new", response_class=HTMLResponse)
def document_form(request: Request, jejak: JejakDep) -> Response:
    """The upload form."""
    admitted = _admitted(request, jejak)
    if isinstance(admitted, Response):
        return admitted
    return _page(request, jejak, admitted)


@router.post("/documents/new", response_class=HTMLResponse)
async def upload_document(request: Request, jejak: JejakDep) -> Response:
    """Store the file by content; the page then shows its SHA-256 and kind. The same bytes
    again give the first record back."""
    admitted = await run_in_threadpool(_admitted, request, jejak)
    if isinstance(admitted, Response):
        return admitted
    viewer, language = admitted, language_of(request)
    try:
        form = await form_in_memory(request, jejak.documents.max_bytes, max_fields=MAX_FORM_FIELDS)
        upload, kind = form.get(FILE_FIELD), form.get(KIND_FIELD)
        content = b""
        if isinstance(upload, UploadFile):
            content = await upload.read(jejak.documents.max_bytes + 1)
            await upload.close()
    except DocumentError as refused:
        return await run_in_threadpool(
            _refused, request, jejak, viewer, refusal_for(language, refused), "", 413
        )
    kind_value = kind if isinstance(kind, str) else ""
    if kind_value not in {k.value for k in DocumentKind}:
        message = gettext(language, "Choose the document's kind.")
        return await run_in_threadpool(_refused, request, jejak, viewer, message, kind_value, 422)
    if not isinstance(upload, UploadFile) or not upload.filename:
        message = gettext(language, "Choose the file to upload.")
        return await run_in_threadpool(_refused, request, jejak, viewer, message, kind_value, 422)
    return await run_in_threadpool(
        _store, request, jejak, viewer, content, upload, DocumentKind(kind_value)
    )


def _refused(
    request: Request, jejak: Jejak, viewer: Account, problem: str, kind: str, status: int
) -> HTMLResponse:
    return _page(request, jejak, viewer, problem=problem, kind=kind, status=status)


def _store(
    request: Request,
    jejak: Jejak,
    viewer: Account,
    content: bytes,
    upload: UploadFile,
    kind: DocumentKind,
) -> HTMLResponse:
    try:
        stored = jejak.documents.put(
            content,
            media_type=upload.content_type,
            filename=upload.filename,
            kind=kind,
            uploaded_by=actor_of(viewer),
        )
    except DocumentError as refused:
        problem = refusal_for(language_of(request), refused)
        return _page(request, jejak, viewer, problem=problem, kind=kind.value, status=422)
    return _page(request, jejak, viewer, stored=stored, kind=kind.value, status=201)
