"""The automatic audit checks over HTTP: findings, their evidence, the rules, and a
supervisor's acknowledgement (auditors read everything and change nothing)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from domain.audit.acknowledgement import ACKNOWLEDGEMENT_LIFECYCLE
from domain.recording import Role
from service.api.access import command_role
from service.api.answers import CREATED, CutDep, caught_up, command_out, cut_body, page_body
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, Limit, Offset
from service.api.models import CommandIn, CommandOut
from service.commands.export_records import record_export
from service.files.exports.csv_export import to_csv
from service.files.exports.model import Column, Kind, Report, Table
from service.files.exports.xlsx_export import to_xlsx
from service.queries import audit_checks as audit

# The acknowledgement is a command: it takes an Idempotency-Key like the money commands.
router = APIRouter(prefix="/api/audit", tags=["audit"], route_class=IdempotentCommandRoute)
READERS_OF_FINDINGS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
# Findings are per rule and subject: a programme has thousands at most.
MAX_EXPORT_ROWS = 100_000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FindingFilters:
    """The filters the findings list and its exports take, as the findings query does."""

    rule: str | None = None
    severity: str | None = None
    status: str | None = None
    site_id: str | None = None
    acknowledged: bool | None = None


def finding_filters(
    rule: Annotated[str | None, Query(pattern=r"^A[0-9]{2}$")] = None,
    severity: Literal["B", "F"] | None = None,
    status: Literal["open", "resolved"] | None = None,
    site_id: UUID | None = None,
    acknowledged: bool | None = None,
) -> FindingFilters:
    """The query's filters on the findings."""
    return FindingFilters(rule, severity, status, str(site_id) if site_id else None, acknowledged)


FiltersDep = Annotated[FindingFilters, Depends(finding_filters)]


@router.get("/rules")
def list_rules(user: UserDep) -> list[dict[str, Any]]:
    """The declared checks (id, check, severity, subject, suggested action, precedent), and
    the checks of domain research section 7 not run, with why."""
    require_role(user, READERS_OF_FINDINGS, "read the audit rules")
    return audit.rules()


@router.get("/findings")
def list_findings(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    cut: CutDep,
    filters: FiltersDep,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Findings, most recently found first; resolved ones stay listed. With `known_at` (a log
    position or a recording time) and/or `as_at` (a business date), as they stood then."""
    require_role(user, READERS_OF_FINDINGS, "read the audit findings")
    caught_up(jejak, after, response)
    page = audit.findings(jejak, **asdict(filters), limit=limit, offset=offset, cut=cut)
    return page_body(page) | cut_body(cut)


@router.get("/findings/{finding_id}")
def get_finding(
    finding_id: UUID, user: UserDep, jejak: JejakDep, response: Response, after: After = None
) -> dict[str, Any]:
    """One finding with a summary of each event that evidences it (404 if unknown)."""
    require_role(user, READERS_OF_FINDINGS, "read the audit findings")
    caught_up(jejak, after, response)
    return audit.finding(jejak, finding_id)


@router.post(
    "/findings/{finding_id}/acknowledgement",
    status_code=CREATED,
    dependencies=[command_role(ACKNOWLEDGEMENT_LIFECYCLE, "acknowledge_finding")],
)
def acknowledge_finding(
    finding_id: UUID, body: CommandIn, user: UserDep, jejak: JejakDep
) -> CommandOut:
    """Acknowledge a finding with a reason (supervisors only; auditors read): 409
    REASON_REQUIRED without a reason, 409 ALREADY_REGISTERED the second time, 404 for an
    unknown finding. The finding itself is kept, open or resolved."""
    subject = audit.checked_subject(jejak, finding_id)
    result = jejak.app.audit_checks.acknowledge_finding(
        finding_id,
        rule_id=subject.rule_id,
        subject_id=subject.subject_id,
        provenance=body.provenance_for(user),
    )
    return command_out(jejak, result)


FINDING_COLUMNS = (
    Column("rule_id", "Aturan"),
    Column("severity", "Tingkat"),
    Column("status", "Status"),
    Column("subject_kind", "Jenis subjek"),
    Column("subject_id", "Subjek"),
    Column("summary", "Temuan"),
    Column("suggested_action", "Tindakan yang disarankan"),
    Column("first_seen_on", "Pertama terlihat", Kind.DATE),
    Column("resolved_on", "Selesai", Kind.DATE),
    Column("acknowledged_by", "Diakui oleh"),
    Column("acknowledgement_reason", "Alasan"),
)


@router.get("/findings.{fmt}", response_class=Response)
def export_findings(
    fmt: Literal["csv", "xlsx"],
    user: UserDep,
    jejak: JejakDep,
    cut: CutDep,
    chosen: FiltersDep,
) -> Response:
    """The findings (same filters and cut as the list) as CSV or XLSX for the auditors' own
    tools; the export is recorded as an event before it is handed out."""
    require_role(user, READERS_OF_FINDINGS, "export the audit findings")
    filters = {k: v for k, v in asdict(chosen).items() if v is not None} | cut_body(cut)
    page = audit.findings(jejak, **asdict(chosen), limit=MAX_EXPORT_ROWS, cut=cut)
    table = Table("Temuan audit otomatis", FINDING_COLUMNS, page.items)
    generated_at = datetime.now(UTC).replace(microsecond=0)
    if fmt == "csv":
        content, media_type = to_csv(table), "text/csv; charset=utf-8"
    else:
        report = Report(
            "Temuan audit otomatis",
            "Jejak: pemeriksaan otomatis A01-A24",
            [(k, str(v)) for k, v in filters.items() if v is not None],
            [table],
            "Temuan tidak pernah dihapus; yang sudah selesai tetap tercantum.",
            generated_at,
        )
        content, media_type = to_xlsx(report), XLSX_MEDIA_TYPE
    receipt = record_export(
        jejak,
        user,
        name=f"audit_findings.{fmt}",
        filters=filters,
        rows=len(page.items),
        content=content,
    )
    return Response(
        content,
        media_type=media_type,
        headers={
            **receipt.headers(),
            "Content-Disposition": f'attachment; filename="temuan-audit.{fmt}"',
            "Cache-Control": "no-store",
        },
    )
