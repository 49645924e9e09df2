"""Data subjects' requests over HTTP (UU 27/2022 Pasal 5-10, 32, 33), and the 72-hour clocks
of every privacy register.

The data-protection officer records and answers requests; the officer and the supervisors read
the register and the clocks (Read.PRIVACY_REGISTERS). Producing her own data as a PDF (the
access copy) is a logged read of her personal data, for the officer alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import AwareDatetime, Field

from domain.access import READ_ROLES, Read
from domain.privacy.request_lifecycle import (
    SUBJECT_REQUEST_LIFECYCLE,
    Channel,
    RefusalReason,
    Requester,
    RequestKind,
    VerificationMethod,
    VerificationResult,
)
from domain.privacy.subject_request import LONG_TEXT, NUMBER, WITA
from service.api.access import command_role
from service.api.answers import CREATED, caught_up, command_out, page_body
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, FromJson, Limit, Offset, Text
from service.api.models import CommandIn, CommandOut, ShortText
from service.api.money_models import Id
from service.files.access_copy import COPY_ROLES, AccessCopy, copy_or_not_found
from service.queries.privacy_clocks import ClockQueries
from service.queries.subject_requests import SubjectRequestQueries

router = APIRouter(prefix="/api/privacy", tags=["privacy"], route_class=IdempotentCommandRoute)
READERS = READ_ROLES[Read.PRIVACY_REGISTERS]
FREE_TEXT = (
    "Free text kept for good: no names, NIKs, phone numbers, account numbers or e-mail"
    " addresses (refer to her case by its number)."
)


class RecordSubjectRequestIn(CommandIn):
    """A request as received; `received_at` starts the 3x24-hour clock; `document` is her
    letter (kind `surat`), required when it came by letter. The requester's name and NIK are
    not taken: the identity check is recorded by its method and result."""

    number: Annotated[str, Field(pattern=NUMBER.pattern, examples=["PDP-2026-001"])]
    kind: Annotated[RequestKind, FromJson]
    received_at: Annotated[AwareDatetime, FromJson] = Field(
        description="when the request reached the programme, with its zone"
        " (2026-04-06T09:30:00+08:00)"
    )
    channel: Annotated[Channel, FromJson]
    requester: Annotated[Requester, FromJson]
    verification_method: Annotated[VerificationMethod, FromJson]
    verification_result: Annotated[VerificationResult, FromJson]
    beneficiary_id: Id | None = Field(default=None, description="her case, once identified")
    summary: Text = Field(default="", max_length=LONG_TEXT, description=FREE_TEXT)


class VerifyRequesterIn(CommandIn):
    """A (further) identity check of the requester, and her case once found."""

    verification_method: Annotated[VerificationMethod, FromJson]
    verification_result: Annotated[VerificationResult, FromJson]
    beneficiary_id: Id | None = None


class GrantSubjectRequestIn(CommandIn):
    """The request granted: what was done; a granted erasure names its erasure's number;
    `document` is the letter answering her (kind `surat`)."""

    done: Text = Field(min_length=1, max_length=LONG_TEXT, description=FREE_TEXT)
    erasure_reference: ShortText | None = None


class RefuseSubjectRequestIn(CommandIn):
    """The request refused on a ground of UU 27/2022 Pasal 33, explained; `document` is the
    letter answering her (kind `surat`)."""

    refusal_reason: Annotated[RefusalReason, FromJson]
    explanation: Text = Field(min_length=1, max_length=LONG_TEXT, description=FREE_TEXT)


RequestId = Annotated[
    UUID,
    Path(
        description="the id of a subject request", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    ),
]
Number = Annotated[
    str, Path(description="the request's register number", examples=["PDP-2026-001"])
]


def request_queries(jejak: JejakDep) -> SubjectRequestQueries:
    """The register's queries over the wired system."""
    return SubjectRequestQueries(jejak.engine)


RequestsDep = Annotated[SubjectRequestQueries, Depends(request_queries)]


@router.post(
    "/requests",
    status_code=CREATED,
    dependencies=[command_role(SUBJECT_REQUEST_LIFECYCLE, "record_subject_request")],
)
def record_subject_request(
    body: RecordSubjectRequestIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a request as received (the data-protection officer)."""
    return command_out(
        jejak,
        jejak.app.subject_requests.record_subject_request(
            number=body.number,
            kind=body.kind.value,
            received_at=body.received_at,
            channel=body.channel.value,
            requester=body.requester.value,
            verification_method=body.verification_method.value,
            verification_result=body.verification_result.value,
            beneficiary_id=body.beneficiary_id,
            summary=body.summary,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/requests/{request_id}/verification",
    status_code=CREATED,
    dependencies=[command_role(SUBJECT_REQUEST_LIFECYCLE, "verify_requester")],
)
def verify_requester(
    request_id: RequestId, body: VerifyRequesterIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record a (further) identity check of the requester."""
    return command_out(
        jejak,
        jejak.app.subject_requests.verify_requester(
            request_id,
            verification_method=body.verification_method.value,
            verification_result=body.verification_result.value,
            beneficiary_id=body.beneficiary_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/requests/{request_id}/grant",
    status_code=CREATED,
    dependencies=[command_role(SUBJECT_REQUEST_LIFECYCLE, "grant_subject_request")],
)
def grant_subject_request(
    request_id: RequestId, body: GrantSubjectRequestIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Grant a request of a verified requester about an identified case."""
    return command_out(
        jejak,
        jejak.app.subject_requests.grant_subject_request(
            request_id,
            done=body.done,
            erasure_reference=body.erasure_reference,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/requests/{request_id}/refusal",
    status_code=CREATED,
    dependencies=[command_role(SUBJECT_REQUEST_LIFECYCLE, "refuse_subject_request")],
)
def refuse_subject_request(
    request_id: RequestId, body: RefuseSubjectRequestIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Refuse a request on a ground of Pasal 33."""
    return command_out(
        jejak,
        jejak.app.subject_requests.refuse_subject_request(
            request_id,
            refusal_reason=body.refusal_reason.value,
            explanation=body.explanation,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.get("/requests")
def list_subject_requests(
    user: UserDep,
    jejak: JejakDep,
    queries: RequestsDep,
    response: Response,
    state: Annotated[
        str | None,
        Query(description="one state only", examples=[SUBJECT_REQUEST_LIFECYCLE.initial]),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """The register of requests, open ones first, each with its clock."""
    require_role(user, READERS, "read the privacy registers")
    caught_up(jejak, after, response)
    now = datetime.now(UTC)
    return page_body(queries.requests(now=now, state=state, limit=limit, offset=offset))


@router.get("/requests/{number}")
def get_subject_request(
    number: Number,
    user: UserDep,
    jejak: JejakDep,
    queries: RequestsDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One request by its register number, with its clock."""
    require_role(user, READERS, "read the privacy registers")
    caught_up(jejak, after, response)
    return queries.by_number(number, now=datetime.now(UTC))


@router.post(
    "/requests/{number}/copy",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def access_copy(number: Number, user: UserDep, jejak: JejakDep) -> Response:
    """Her own data as a PDF in Indonesian, for an access request naming her case: the data-
    protection officer alone, whose role otherwise sees her data masked, so this is an act
    (a POST, like the reveal act of ADR 0046) and the read is written to the access log with
    the request's number as the reason."""
    require_role(user, COPY_ROLES, "produce her copy")
    copy = copy_or_not_found(jejak, user, number, datetime.now(WITA))
    return pdf_response(copy)


def pdf_response(copy: AccessCopy) -> Response:
    """The copy as a download named by her case number."""
    return Response(
        copy.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{copy.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/clocks")
def list_clocks(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    running: Annotated[
        bool | None, Query(description="true: running clocks only; false: stopped ones only")
    ] = None,
    kind: Annotated[
        str | None, Query(description="one kind of clock only", examples=["subject_request"])
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """The 72-hour clocks the caller's role answers for: started, due, stopped; whether each
    ran out, judged now."""
    require_role(user, READERS, "read the privacy registers")
    caught_up(jejak, after, response)
    return page_body(
        ClockQueries(jejak.engine).clocks(
            now=datetime.now(UTC),
            roles=[user.role],
            running=running,
            kind=kind,
            limit=limit,
            offset=offset,
        )
    )
