"""Published reports over HTTP: publish a period's figures (frozen with their hash and log
position), republish a correction, and compare what was sent with today's figures (ADR 0021).

Publishing is a supervisor's or an administrator's command and takes an Idempotency-Key.
Every role reads what was published (the figures hold no personal data); the draft and the
comparison replay the log, and are for those who read past states (as time travel is)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import Field

from domain.published_report import Period, ReportKind
from domain.recording import Role
from domain.report_lifecycles import REPORT_LIFECYCLE
from service.api.access import command_role
from service.api.answers import CREATED, KnownAt, caught_up, command_out, page_body, report_cut
from service.api.deps import JejakDep, UserDep, require_role
from service.api.idempotent import IdempotentCommandRoute
from service.api.inputs import After, BusinessDate, FromJson, Limit, Offset, Version
from service.api.models import CommandIn, CommandOut, ShortText
from service.commands.reports import Publication
from service.queries.reports import PublishedReports, figures
from service.store.db import MAX_STORED_INTEGER

router = APIRouter(
    prefix="/api/reports", tags=["published reports"], route_class=IdempotentCommandRoute
)

REPLAYERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
ReportVersion = Annotated[
    int | None,
    Query(ge=1, le=MAX_STORED_INTEGER, description="a version of the report (default: the latest)"),
]
ADDRESSEE = Field(
    description="Who the report is sent to: an office, never a person's name",
    examples=["Direktorat Rehabilitasi Sosial Tuna Sosial, Kementerian Sosial RI"],
)


class PublishIn(CommandIn):
    """Publish the figures of a period as they stand now; `document` is the covering letter
    (its number is the report's reference), `occurred_on` the day it is sent."""

    report_kind: Annotated[ReportKind, FromJson] = ReportKind.PROGRAMME_FIGURES
    period_start: BusinessDate
    period_end: BusinessDate
    addressee: ShortText = ADDRESSEE


class RepublishIn(CommandIn):
    """Publish a corrected version; `reason` (required) says why, `document` is its covering
    letter. The figures are computed again as they stand now."""

    replaces_version: Version = Field(description="The latest version, which this replaces")
    addressee: ShortText | None = Field(default=None, description="Unchanged when left out")


class PublishedOut(CommandOut):
    """A publication: the report (`id`), its new version, the SHA-256 of the figures' canonical
    JSON, and the log position they were computed at."""

    content_sha256: str
    log_position: int


def _out(jejak: JejakDep, done: Publication) -> PublishedOut:
    base = command_out(jejak, done.result)
    return PublishedOut(
        **base.model_dump(), content_sha256=done.content_sha256, log_position=done.log_position
    )


@router.post(
    "", status_code=CREATED, dependencies=[command_role(REPORT_LIFECYCLE, "publish_report")]
)
def publish_report(body: PublishIn, user: UserDep, jejak: JejakDep) -> PublishedOut:
    """Publish a kind and period once (supervisors, administrators): 409
    REPORT_ALREADY_PUBLISHED the second time (republish instead), 422 PERIOD_INVALID for a
    period that ends before it starts or after the publication date, 409 DOCUMENT_REQUIRED
    without the covering letter."""
    return _out(
        jejak,
        jejak.app.reports.publish(
            kind=body.report_kind,
            period=Period(body.period_start, body.period_end),
            addressee=body.addressee,
            provenance=body.provenance_for(user),
        ),
    )


@router.post(
    "/{report_id}/republications",
    status_code=CREATED,
    dependencies=[command_role(REPORT_LIFECYCLE, "republish_report")],
)
def republish_report(
    report_id: UUID, body: RepublishIn, user: UserDep, jejak: JejakDep
) -> PublishedOut:
    """Publish a corrected version of a report: 409 REASON_REQUIRED without a reason, 409
    VERSION_CONFLICT unless `replaces_version` is the latest, 409 REPORT_UNCHANGED when the
    figures are those of the version replaced, 404 for an unknown report."""
    return _out(
        jejak,
        jejak.app.reports.republish(
            report_id,
            replaces_version=body.replaces_version,
            addressee=body.addressee,
            provenance=body.provenance_for(user),
        ),
    )


@router.get("")
def list_reports(
    user: UserDep,
    jejak: JejakDep,
    response: Response,
    report_kind: ReportKind | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    after: After = None,
) -> dict[str, Any]:
    """Every report sent out, at its latest version, latest period first: its hash, the log
    position its figures were computed at, the addressee, the covering letter, and each
    version's record."""
    caught_up(jejak, after, response)
    return page_body(PublishedReports(jejak).list(kind=report_kind, limit=limit, offset=offset))


@router.get("/figures")
def draft_figures(
    user: UserDep,
    jejak: JejakDep,
    period_start: BusinessDate,
    period_end: BusinessDate,
    report_kind: ReportKind = ReportKind.PROGRAMME_FIGURES,
    known_at: KnownAt = None,
) -> dict[str, Any]:
    """The figures a publication would freeze now (computed from the log as known at its
    head), to check before sending; with `known_at` (a log position or a recording time), the
    figures the log gave then. Nothing is recorded."""
    require_role(user, REPLAYERS, "compute a report's figures")
    period = Period(period_start, period_end)
    cut = report_cut(jejak, known_at, None)
    position = jejak.app.position() if cut is None else cut.known_at
    assert position is not None
    return figures(jejak.app, report_kind, period, position)


@router.get("/{report_id}")
def one_report(
    report_id: UUID, user: UserDep, jejak: JejakDep, version: ReportVersion = None
) -> dict[str, Any]:
    """One report: every version's record (who, when, why, letter, hash, position) and one
    version's frozen figures, each checked against its hash (`content_intact`)."""
    return PublishedReports(jejak).one(report_id, version)


@router.get("/{report_id}/comparison")
def compare_report(
    report_id: UUID,
    user: UserDep,
    jejak: JejakDep,
    version: ReportVersion = None,
    changed_only: bool = False,
    limit: Limit = 500,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A published version's figures beside today's for the same period, each with its
    difference and the positions of the events that make it; those events, recorded after
    the publication (late entries and corrections), with who recorded them; whether the
    frozen figures still match their hash, and whether replaying the log to the published
    position gives them back."""
    require_role(user, REPLAYERS, "compare a published report")
    return PublishedReports(jejak).compare(
        report_id, version, changed_only=changed_only, limit=limit, offset=offset
    )
