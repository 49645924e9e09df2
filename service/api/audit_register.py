"""The audit register over HTTP: external audit findings, their answers and closure, and the
record of every export. Commands take an Idempotency-Key; roles come from the lifecycle
declaration, so auditors of this system read but never record."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from domain.audit_finding import LONG_TEXT, MAX_LINKS, TITLE_TEXT
from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from domain.recording import Role
from service.api.access import command_role
from service.api.answers import CREATED, ReadDep, caught_up, command_out, page_body
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, BusinessDate, DeadlinesJudgedOn, Limit, Offset, Text
from service.api.models import CommandIn, CommandOut, ShortText
from service.api.money_models import Id
from service.provenance import today_wita
from service.queries.audit_register import AuditRegisterQueries

router = APIRouter(prefix="/api/audit", tags=["audit"], route_class=IdempotentCommandRoute)
EXPORT_READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
FREE_TEXT = (
    "Free text read by every role and kept for good: no names, NIKs, phone numbers, account"
    " numbers or e-mail addresses (refer to people by case number)."
)


class RecordFindingIn(CommandIn):
    """A finding of an audit report (LHP); `document` is the LHP itself."""

    audit_body: ShortText = Field(examples=["BPK RI Perwakilan Kalimantan Utara"])
    lhp_number: ShortText
    lhp_date: BusinessDate
    lhp_received_on: BusinessDate = Field(
        description="The 60-day clock of UU 15/2004 Pasal 20 starts"
    )
    finding_number: ShortText
    title: Text = Field(min_length=1, max_length=TITLE_TEXT, description=FREE_TEXT)
    recommendation: Text = Field(min_length=1, max_length=LONG_TEXT, description=FREE_TEXT)
    responsible_position: ShortText = Field(
        description="The position or unit answerable, never a person's name",
        examples=["Kepala Dinas Sosial Provinsi Kalimantan Utara"],
    )
    amount_to_recover: int | None = Field(default=None, gt=0, le=10**12)
    site_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)
    beneficiary_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)
    batch_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)


class ResponseIn(CommandIn):
    """An answer to a finding; `document` is the answer letter."""

    summary: Text = Field(min_length=1, max_length=LONG_TEXT, description=FREE_TEXT)
    amount_recovered: int = Field(default=0, ge=0, le=10**12)


def audit_queries(jejak: JejakDep) -> AuditRegisterQueries:
    """The register's queries over the wired system."""
    return AuditRegisterQueries(jejak.engine)


AuditDep = Annotated[AuditRegisterQueries, Depends(audit_queries)]


@router.post(
    "/register",
    status_code=CREATED,
    dependencies=[command_role(AUDIT_FINDING_LIFECYCLE, "record_finding")],
)
def record_finding(body: RecordFindingIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record a finding from its LHP (supervisors); linked sites, cases and batches must exist."""
    return command_out(
        jejak,
        jejak.app.audit_register.record_finding(
            audit_body=body.audit_body,
            lhp_number=body.lhp_number,
            lhp_date=body.lhp_date,
            lhp_received_on=body.lhp_received_on,
            finding_number=body.finding_number,
            title=body.title,
            recommendation=body.recommendation,
            responsible_position=body.responsible_position,
            amount_to_recover=body.amount_to_recover,
            site_ids=body.site_ids,
            beneficiary_ids=body.beneficiary_ids,
            batch_ids=body.batch_ids,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/register/{finding_id}/responses",
    status_code=CREATED,
    dependencies=[command_role(AUDIT_FINDING_LIFECYCLE, "submit_response")],
)
def submit_response(
    finding_id: UUID, body: ResponseIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record an answer (repeatable), with any rupiah it recovered."""
    return command_out(
        jejak,
        jejak.app.audit_register.submit_response(
            finding_id,
            summary=body.summary,
            amount_recovered=body.amount_recovered,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/register/{finding_id}/follow-up-acceptance",
    status_code=CREATED,
    dependencies=[command_role(AUDIT_FINDING_LIFECYCLE, "accept_follow_up")],
)
def accept_follow_up(
    finding_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record the audit body's letter accepting the follow-up (sesuai)."""
    return command_out(
        jejak,
        jejak.app.audit_register.accept_follow_up(
            finding_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/register/{finding_id}/follow-up-rejection",
    status_code=CREATED,
    dependencies=[command_role(AUDIT_FINDING_LIFECYCLE, "reject_follow_up")],
)
def reject_follow_up(
    finding_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Record the audit body's letter rejecting the follow-up (belum sesuai), with its reason."""
    return command_out(
        jejak,
        jejak.app.audit_register.reject_follow_up(
            finding_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.post(
    "/register/{finding_id}/closure",
    status_code=CREATED,
    dependencies=[command_role(AUDIT_FINDING_LIFECYCLE, "close_finding")],
)
def close_finding(finding_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Close an accepted finding (409 RECOVERY_INCOMPLETE while money is still to recover)."""
    return command_out(
        jejak,
        jejak.app.audit_register.close_finding(
            finding_id,
            provenance=body.provenance_for(user),
            expected_version=body.expected_version,
        ),
    )


@router.get("/register")
def list_findings(
    user: UserDep,
    jejak: JejakDep,
    queries: AuditDep,
    response: Response,
    state: str | None = None,
    overdue: bool | None = None,
    as_of: DeadlinesJudgedOn = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Audit findings, most urgent first: state, dates, the answer due and whether it is
    overdue (as of today in WITA unless given), the latest answer."""
    caught_up(jejak, after, response)
    return page_body(
        queries.findings(
            as_of=as_of or today_wita(), state=state, overdue=overdue, limit=limit, offset=offset
        )
    )


@router.get("/register/{finding_id}")
def get_finding(
    finding_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    queries: AuditDep,
    reads: ReadDep,
    response: Response,
    as_of: DeadlinesJudgedOn = None,
    after: After = None,
) -> dict[str, Any]:
    """One finding with every event of its history: who recorded, answered, judged, closed."""
    caught_up(jejak, after, response)
    finding = queries.finding(finding_id, as_of=as_of or today_wita())
    return finding | {"history": reads.history.of(user, finding_id)}


@router.get("/exports")
def list_exports(
    user: UserDep,
    jejak: JejakDep,
    queries: AuditDep,
    response: Response,
    actor_id: str | None = None,
    export_name: str | None = None,
    content_sha256: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Every export handed out, newest first: who, what, which filters, rows, format, SHA-256.
    Give `content_sha256` to find the export a file came from."""
    require_role(user, EXPORT_READERS, "read the export records")
    caught_up(jejak, after, response)
    return page_body(
        queries.exports(
            actor_id=actor_id,
            export_name=export_name,
            content_sha256=content_sha256,
            limit=limit,
            offset=offset,
        )
    )
