"""Document endpoints: upload by content, download (logged), record and list.

Uploads are parsed here rather than by FastAPI's `UploadFile`, which spools files of more than
1 MiB to a temporary file: a receipt or bank statement would then sit in plaintext on the
server's disk. This parser keeps the file in memory and stops reading at the size limit.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any, NoReturn
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from domain.access import ClearReasonRequired, Write, categories_of_document, sees_all_in_clear
from service.api.access import ClearReason, write_role
from service.api.answers import ProgrammeWide, page_body
from service.api.deps import Forbidden, JejakDep, UserDep
from service.api.inputs import Limit, Offset
from service.commands.export_records import record_export
from service.files.documents import (
    DocumentKind,
    DocumentTooLarge,
    StoredDocument,
    access_log_subject,
)
from service.provenance import actor_of
from service.security.access_log import AccessAction

router = APIRouter(prefix="/api", tags=["documents"])

# Room for the multipart boundaries, part headers and the kind field around the file.
MULTIPART_OVERHEAD = 64 * 1024
FILE_FIELD = "file"
KIND_FIELD = "kind"

Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the content")]

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD, KIND_FIELD],
                    "properties": {
                        FILE_FIELD: {"type": "string", "format": "binary"},
                        KIND_FIELD: {"type": "string", "enum": [k.value for k in DocumentKind]},
                    },
                }
            }
        },
    }
}


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    dependencies=[write_role(Write.UPLOAD_DOCUMENT)],
)
async def upload_document(request: Request, user: UserDep, jejak: JejakDep) -> StoredDocument:
    """Store a file by content (multipart: `file`, `kind`); the same bytes again return the
    first record. Operators and supervisors."""
    max_bytes = jejak.documents.max_bytes
    file, kind = await _read_upload(request, max_bytes)
    try:
        content = await file.read(max_bytes + 1)
    finally:
        await file.close()
    return jejak.documents.put(
        content,
        media_type=file.content_type,
        filename=file.filename,
        kind=kind,
        uploaded_by=actor_of(user),
    )


@router.get("/documents", dependencies=ProgrammeWide)
def list_documents(
    user: UserDep,
    jejak: JejakDep,
    kind: DocumentKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Stored documents, newest first (records only: no content, no filenames)."""
    return page_body(jejak.documents.list(kind, limit=limit, offset=offset))


@router.get("/documents/{sha256}/info", dependencies=ProgrammeWide)
def document_info(sha256: Sha256, user: UserDep, jejak: JejakDep) -> StoredDocument:
    """One document's record: size, media type, kind, who uploaded it and when."""
    return jejak.documents.info(sha256)


@router.get("/documents/{sha256}", response_class=Response, dependencies=ProgrammeWide)
def download_document(
    sha256: Sha256, user: UserDep, jejak: JejakDep, clear: ClearReason = None
) -> Response:
    """The file itself, checked against its SHA-256. A file cannot be masked, so only a role
    that sees everything its kind holds in clear gets it: operators and supervisors, and
    auditors with `in_clear=true` and a `reason` (422 REASON_REQUIRED without). Every
    download is written to the access log, with the reason, and recorded as an export
    (`X-Jejak-Export-Id` names the record)."""
    record = jejak.documents.info(sha256)
    categories = categories_of_document(record.kind.value)
    if not sees_all_in_clear(user.role, categories, reason_given=clear is not None):
        if sees_all_in_clear(user.role, categories, reason_given=True):
            raise ClearReasonRequired(
                "this document holds personal data: ask with in_clear=true and the reason",
                field="reason",
            )
        raise Forbidden("download this kind of document")
    content = jejak.documents.get(sha256)
    filename = jejak.documents.filename(sha256)
    jejak.access_log.record(
        user.username,
        user.role,
        AccessAction.READ_DOCUMENT,
        "document",
        access_log_subject(sha256),
        record.kind.value + (f"; reason: {clear}" if clear else ""),
    )
    # Handing out the file is an export like any other: recorded before the bytes leave.
    receipt = record_export(
        jejak,
        user,
        name="document",
        filters={"sha256": sha256, "kind": record.kind},
        rows=1,
        content=content,
        export_format="original",
    )
    return Response(
        content,
        media_type=record.media_type,
        headers={
            **receipt.headers(),
            "Content-Disposition": _attachment(filename or sha256),
            # Never rendered by the browser: an uploaded HTML or SVG file must not run as ours.
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "ETag": f'"{sha256}"',
        },
    )


async def form_in_memory(request: Request, max_bytes: int, *, max_fields: int) -> FormData:
    """A multipart form with one file, read into memory and never past the size limit
    (`DocumentTooLarge`); a body that is not an acceptable multipart form is refused (422).
    The pages' upload forms read theirs so too."""
    limit = max_bytes + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise DocumentTooLarge(max_bytes)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        _invalid(FILE_FIELD, "missing", "a multipart/form-data body with a file is required")
    parser = MultiPartParser(
        request.headers,
        _at_most(request.stream(), limit, max_bytes),
        max_files=1,
        max_fields=max_fields,
    )
    # Kept in memory up to the limit, so the plaintext is never written to a temporary file.
    parser.spool_max_size = max_bytes + 1
    try:
        return await parser.parse()
    except MultiPartException as error:
        _invalid(FILE_FIELD, "multipart", f"the multipart body is not acceptable: {error.message}")


async def _read_upload(request: Request, max_bytes: int) -> tuple[UploadFile, DocumentKind]:
    """The uploaded file and its kind, read into memory and never past the size limit."""
    form = await form_in_memory(request, max_bytes, max_fields=1)
    file, kind = form.get(FILE_FIELD), form.get(KIND_FIELD)
    if not isinstance(file, UploadFile):
        _invalid(FILE_FIELD, "missing", "a file is required")
    allowed = [k.value for k in DocumentKind]
    if not isinstance(kind, str) or kind not in allowed:
        _invalid(KIND_FIELD, "enum", f"must be one of {', '.join(allowed)}")
    return file, DocumentKind(kind)


async def _at_most(
    stream: AsyncIterator[bytes], limit: int, max_bytes: int
) -> AsyncGenerator[bytes, None]:
    # Also bounds uploads sent without a Content-Length (chunked).
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > limit:
            raise DocumentTooLarge(max_bytes)
        yield chunk


def _invalid(field: str, rule: str, message: str) -> NoReturn:
    """Refuse like any other invalid request: 422 REQUEST_INVALID naming the field."""
    raise RequestValidationError([{"loc": ("body", field), "type": rule, "msg": message}])


def _attachment(filename: str) -> str:
    # An ASCII fallback for old clients, and the exact name in RFC 5987 form for the rest.
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
