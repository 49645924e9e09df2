"""The record of processing activities (UU PDP Pasal 31) and the impact assessment (Pasal 34)
over HTTP, for the roles that read the privacy registers (ADR 0060). Both are generated on
each request from what Jejak stores; neither names a person, so reading them is not written to
the access log, while each file handed out is recorded as an export (ADR 0017)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from domain.access import READ_ROLES, Read
from domain.privacy.assessment_review import ASSESSMENT_REVIEW_LIFECYCLE, Conclusion
from service.api.access import command_role
from service.api.answers import CREATED, command_out
from service.api.deps import JejakDep, UserDep, require_role
from service.api.exports import download
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import BusinessDate, FromJson, Line
from service.api.models import CommandIn, CommandOut
from service.files.processing_exports import ExportFormat, Generated, processing_export
from service.queries.processing import impact_assessment, processing_record

# Recording a review is a command, so it honours Idempotency-Key (ADR 0012); reads pass through.
router = APIRouter(prefix="/api/privacy", tags=["privacy"], route_class=IdempotentCommandRoute)
READERS = READ_ROLES[Read.PRIVACY_REGISTERS]
FormatQuery = Annotated[ExportFormat, Query(alias="format", description="pdf, csv or json")]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@router.get("/processing")
def read_processing_record(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """The record of processing activities: per activity its purpose, legal basis, subjects,
    categories of data (general or specific, Pasal 4), recipients, transfers and retention;
    the sealed fields, tables and documents that hold personal data; the security measures.
    For the data-protection officer and the supervisors."""
    require_role(user, READERS, "read the record of processing")
    return processing_record(jejak.engine, _now()).as_dict()


@router.get("/processing/export", response_class=Response)
def export_processing_record(
    user: UserDep, jejak: JejakDep, fmt: FormatQuery = ExportFormat.PDF
) -> Response:
    """The record of processing as a PDF letter in Indonesian, a CSV (one row per sealed field
    of each activity) or JSON; recorded as an export."""
    require_role(user, READERS, "export the record of processing")
    export = processing_export(jejak.engine, Generated.RECORD, fmt, _now())
    return download(jejak, user, export, Response())


@router.get("/impact-assessment")
def read_impact_assessment(user: UserDep, jejak: JejakDep) -> dict[str, Any]:
    """The data-protection impact assessment: which Pasal 34 triggers the stored data sets
    off, the risks to the people, their measures and what remains."""
    require_role(user, READERS, "read the impact assessment")
    return impact_assessment(jejak.engine, _now()).as_dict()


@router.get("/impact-assessment/export", response_class=Response)
def export_impact_assessment(
    user: UserDep, jejak: JejakDep, fmt: FormatQuery = ExportFormat.PDF
) -> Response:
    """The impact assessment as a PDF letter in Indonesian, a CSV of its risks, or JSON;
    recorded as an export."""
    require_role(user, READERS, "export the impact assessment")
    export = processing_export(jejak.engine, Generated.ASSESSMENT, fmt, _now())
    return download(jejak, user, export, Response())


class ReviewIn(CommandIn):
    """A review of the impact assessment: the `sha256` of the assessment reviewed (as
    `GET /api/privacy/impact-assessment` gives it), the conclusion, the next review date, and
    in `reason` what the review found."""

    assessment_sha256: Line = Field(pattern=r"^[0-9a-f]{64}$")
    conclusion: Annotated[Conclusion, FromJson]
    next_review_on: BusinessDate


@router.post(
    "/impact-assessment/reviews",
    status_code=CREATED,
    dependencies=[command_role(ASSESSMENT_REVIEW_LIFECYCLE, "review_impact_assessment")],
)
def review_impact_assessment(body: ReviewIn, user: UserDep, jejak: JejakDep) -> CommandOut:
    """Record the data-protection officer's review of the impact assessment; each review is a
    new record, and the assessment shows whether the newest one is of its current content."""
    return command_out(
        jejak,
        jejak.app.processing.review_impact_assessment(
            assessment_sha256=body.assessment_sha256,
            conclusion=body.conclusion,
            next_review_on=body.next_review_on,
            provenance=body.provenance_for(user),
        ),
    )
