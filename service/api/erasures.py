"""Erasure requests over HTTP (ADR 0055): the data-protection officer records her request, a
supervisor who did not record it approves (her case-file key is destroyed at once) or refuses;
the register, one request, and the notice she receives as a PDF.

Commands take an Idempotency-Key; who issues each is the lifecycle's declaration. The register
names cases by number and fields by name, never a person's data; the roles that read the privacy
registers read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import Field, field_validator

from domain.access import READ_ROLES, Read
from domain.errors import RuleViolation
from domain.privacy.erasure import AWAITING_DECISION, ERASURE_LIFECYCLE, WITA
from service.api.access import command_role
from service.api.answers import CREATED, ReadDep, caught_up, command_out, page_body
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, FromJson, Limit, Offset
from service.api.models import CommandIn, CommandOut
from service.files.erasure_notice import erasure_notice_pdf
from service.queries.erasures import ErasureQueries
from service.queries.read_models import ReadModels
from service.queries.retention import held
from service.security.scope import of_account


class NotDecidedYet(RuleViolation):
    """Raised when her notice is asked for before her request was decided."""

    code = "NOT_DECIDED_YET"


router = APIRouter(
    prefix="/api/privacy/erasures", tags=["privacy"], route_class=IdempotentCommandRoute
)
READERS = READ_ROLES[Read.PRIVACY_REGISTERS]
CASE_NUMBER = r"^[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{4,6}$"


class RecordErasureIn(CommandIn):
    """Her erasure request; `document` is her letter (kind `surat`), `reason` what she asked."""

    case_number: str = Field(pattern=CASE_NUMBER, examples=["TRK-JP-0004"])
    received_at: Annotated[datetime, FromJson] = Field(
        description="When her letter was received; a time without its zone is WITA's",
        examples=["2025-03-03T09:30:00+08:00", "2025-03-03T09:30"],
    )

    @field_validator("received_at")
    @classmethod
    def _in_wita(cls, value: datetime) -> datetime:
        # A form's datetime-local field sends the wall-clock time of the office, in WITA.
        return value if value.utcoffset() is not None else value.replace(tzinfo=WITA)


def erasure_queries(jejak: JejakDep) -> ErasureQueries:
    """The erasure register's queries over the wired system."""
    return ErasureQueries(jejak.engine)


ErasuresDep = Annotated[ErasureQueries, Depends(erasure_queries)]


@router.post(
    "",
    status_code=CREATED,
    dependencies=[command_role(ERASURE_LIFECYCLE, "record_erasure_request")],
)
def record_erasure_request(body: RecordErasureIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record her request from her letter (the data-protection officer); her case by number,
    among those the officer's units hold."""
    reads = ReadModels.of(jejak, of_account(jejak.scopes, user))
    beneficiary_id = reads.beneficiaries.id_of_case(body.case_number)
    return command_out(
        jejak,
        jejak.app.erasures.record_request(
            beneficiary_id=beneficiary_id,
            received_at=body.received_at,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/{erasure_id}/approval",
    status_code=CREATED,
    dependencies=[command_role(ERASURE_LIFECYCLE, "approve_erasure")],
)
def approve_erasure(
    erasure_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Approve (a supervisor who did not record it, else 409 SAME_PERSON_APPROVES) on the
    decision memo (`document`, kind `nota_dinas`): her case-file key is destroyed, then the
    approval is recorded with what was kept."""
    return command_out(
        jejak,
        jejak.app.erasures.approve(
            erasure_id, provenance=body.provenance_for(user), expected_version=body.expected_version
        ),
    )


@router.post(
    "/{erasure_id}/refusal",
    status_code=CREATED,
    dependencies=[command_role(ERASURE_LIFECYCLE, "refuse_erasure")],
)
def refuse_erasure(erasure_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Refuse, on the decision memo (`document`, kind `nota_dinas`), with the reason she will
    be told."""
    return command_out(
        jejak,
        jejak.app.erasures.refuse(
            erasure_id, provenance=body.provenance_for(user), expected_version=body.expected_version
        ),
    )


@router.get("")
def list_erasures(
    user: UserDep,
    jejak: JejakDep,
    queries: ErasuresDep,
    response: Response,
    state: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Erasure requests, those awaiting a decision first: her case, her letter, the decision,
    what was deleted and kept, and until when."""
    require_role(user, READERS, "read the erasure register")
    caught_up(jejak, after, response)
    return page_body(queries.requests(state=state, limit=limit, offset=offset))


@router.get("/{erasure_id}")
def get_erasure(
    erasure_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    queries: ErasuresDep,
    reads: ReadDep,
    response: Response,
    after: After = None,
) -> dict[str, Any]:
    """One request with every event of its history: who recorded and decided it, on what."""
    require_role(user, READERS, "read the erasure register")
    caught_up(jejak, after, response)
    return queries.one(erasure_id) | {"history": reads.history.of(user, erasure_id)}


@router.get("/{erasure_id}/notice.pdf", response_class=Response)
def erasure_notice(
    erasure_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    queries: ErasuresDep,
    response: Response,
    after: After = None,
) -> Response:
    """The written notice she receives (Indonesian, PDF), once the request is decided."""
    require_role(user, READERS, "read the erasure register")
    caught_up(jejak, after, response)
    found = queries.one(erasure_id)
    if found["state"] == AWAITING_DECISION:
        raise NotDecidedYet("the notice is written once the request is decided")
    filename = f"pemberitahuan-{found['case_number']}.pdf"
    her = UUID(found["beneficiary_id"])
    holds = [(r.kind, r.reference) for r in held(jejak.engine, [her]).get(her, ())]
    return Response(
        erasure_notice_pdf(found, holds),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
