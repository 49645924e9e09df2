"""The access log over HTTP: a page of entries and its export, for the data-protection officer
and the auditors (ADR 0042), and its hash chain's checkpoints and verification (ADR 0047). Each
read is itself written to the access log, after it is made. Every read of the entries seals
them into the chain first, so what a reader was shown can no longer change unnoticed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime

from domain.access import READ_ROLES, Read, Write
from domain.recording import Role
from service.api.access import write_role
from service.api.answers import page_body
from service.api.deps import JejakDep, UserDep, require_role
from service.api.exports import download
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import Limit, Line, Offset
from service.files.access_log_export import AccessLogFormat, access_log_file
from service.queries.access_log import (
    AccessLogFilter,
    access_log_entries,
    access_log_page,
    record_read,
    record_signing,
    record_verification,
)
from service.security.access_log import (
    ACTION_PATTERN,
    MAX_USER_ID_LENGTH,
    AccessAction,
    Interface,
)

# Signing a checkpoint is a command, so it honours Idempotency-Key (ADR 0012); reads pass through.
router = APIRouter(prefix="/api", tags=["access log"], route_class=IdempotentCommandRoute)
READERS = READ_ROLES[Read.ACCESS_LOG]
MAX_CASE_NUMBER_LENGTH = 20


def access_log_filter(
    user_id: Annotated[
        Line | None,
        Query(min_length=1, max_length=MAX_USER_ID_LENGTH, description="the account that acted"),
    ] = None,
    role: Annotated[Role | None, Query(description="the role it acted in")] = None,
    action: Annotated[
        str | None, Query(pattern=ACTION_PATTERN, description="e.g. read_personal_data")
    ] = None,
    subject_id: Annotated[UUID | None, Query(description="the record read")] = None,
    case_number: Annotated[
        Line | None,
        Query(min_length=1, max_length=MAX_CASE_NUMBER_LENGTH, description="her case number"),
    ] = None,
    interface: Annotated[Interface | None, Query(description="api, web or cli")] = None,
    start: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="from this instant (ISO 8601 with its time zone)"),
    ] = None,
    end: Annotated[
        AwareDatetime | None,
        Query(alias="to", description="up to, not including, this instant"),
    ] = None,
) -> AccessLogFilter:
    """The filters of an access log request."""
    return AccessLogFilter(user_id, role, action, subject_id, case_number, interface, start, end)


AccessLogFilterDep = Annotated[AccessLogFilter, Depends(access_log_filter)]


@router.get("/access-log")
def read_access_log(
    user: UserDep,
    jejak: JejakDep,
    filters: AccessLogFilterDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Who read whose data, what, when (WITA), why and from which interface, newest first:
    accounts, subject ids and case numbers, never a name. For the data-protection officer and
    the auditors; the read is written to the access log."""
    require_role(user, READERS, "read the access log")
    jejak.access_log_chain.seal()
    page = access_log_page(jejak.engine, filters, limit, offset)
    record_read(
        jejak.access_log, user, AccessAction.READ_ACCESS_LOG, "page", len(page.items), filters
    )
    body = page_body(page)
    body["items"] = [entry.as_row() for entry in page.items]
    return body


@router.get("/access-log/export", response_class=Response)
def export_access_log(
    user: UserDep,
    jejak: JejakDep,
    filters: AccessLogFilterDep,
    fmt: Annotated[
        AccessLogFormat, Query(alias="format", description="csv or xlsx")
    ] = AccessLogFormat.CSV,
) -> Response:
    """The access log, filtered as `GET /api/access-log`, as CSV or an Excel workbook; recorded
    as an export and written to the access log."""
    require_role(user, READERS, "export the access log")
    jejak.access_log_chain.seal()
    entries = access_log_entries(jejak.engine, filters)
    export = access_log_file(entries, filters, fmt, datetime.now(UTC).replace(microsecond=0))
    record_read(
        jejak.access_log, user, AccessAction.EXPORT_ACCESS_LOG, fmt.value, len(entries), filters
    )
    return download(jejak, user, export, Response())


@router.get("/access-log/checkpoints")
def access_log_checkpoints(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Every signed checkpoint of the access log's chain, oldest first, with the public key
    that signs them: the copy the data-protection officer and the auditors keep outside the
    system. Its own series, key and format (`jejak-access-log-checkpoint-v1`), apart from the
    event log's; a checkpoint's `position` is the id of the entry at the head it signs."""
    require_role(user, READERS, "read the access log's checkpoints")
    return jejak.access_log_chain.checkpoints.document()


@router.post(
    "/access-log/checkpoints",
    status_code=201,
    dependencies=[write_role(Write.SIGN_CHECKPOINT)],
)
def sign_access_log_checkpoint(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Seal the access log and sign its chain's head now (administrators); null while the log
    is empty. Written to the access log."""
    signed = jejak.access_log_chain.sign_head()
    record_signing(jejak.access_log, user, signed)
    return {"checkpoint": signed.as_dict() if signed else None}


@router.get("/access-log/verification")
def verify_access_log(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """Seal the access log, then re-read every entry against its chain and the signed
    checkpoints: either intact up to entry N, or the first entry where it breaks and how
    (changed, removed, inserted, reordered, rewritten, forged). For the data-protection officer
    and the auditors; the verification is written to the access log."""
    require_role(user, READERS, "verify the access log")
    result = jejak.access_log_chain.verify()
    record_verification(jejak.access_log, user, result)
    return result.as_dict()
