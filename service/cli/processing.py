"""`jejak processing record|dpia`: the record of processing activities (UU PDP Pasal 31) and
the impact assessment (Pasal 34), generated from what Jejak stores, as PDF, CSV or JSON for the
data-protection officer (ADR 0060). Each file written is recorded as an export (ADR 0017)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from domain.access import READ_ROLES, Read
from domain.privacy.assessment_review import ASSESSMENT_REVIEW_LIFECYCLE, Conclusion
from service.cli.base import Password, Programme, signed_in, signed_in_as
from service.cli.options import AsUser, OnDate
from service.commands.export_records import record_export
from service.files.processing_exports import ExportFormat, Generated, processing_export
from service.provenance import provenance
from service.queries.processing import impact_assessment
from service.system import Jejak

READERS = READ_ROLES[Read.PRIVACY_REGISTERS]
processing_cli = typer.Typer(
    help="The record of processing (Pasal 31) and the impact assessment (Pasal 34).",
    no_args_is_help=True,
)
AsReader = Annotated[
    str | None, typer.Option("--as", help="Your username (the DPO or a supervisor).")
]
FormatOption = Annotated[ExportFormat, typer.Option("--format", help="pdf, csv or json.")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Write here; a PDF needs it, CSV and JSON print otherwise."),
]


def _write(
    as_user: str | None, what: str, document: Generated, fmt: ExportFormat, out: Path | None
) -> None:
    if fmt is ExportFormat.PDF and out is None:
        raise typer.BadParameter("give --out FILE for a PDF", param_hint="--out")
    jejak = Jejak.open()
    try:
        account = signed_in_as(jejak, as_user, READERS, f"export the {what}", Programme.READ)
        export = processing_export(
            jejak.engine, document, fmt, datetime.now(UTC).replace(microsecond=0)
        )
        record_export(
            jejak,
            account,
            name=export.name,
            filters=export.filters,
            rows=export.rows,
            content=export.content,
        )
    finally:
        jejak.close()
    if out is None:
        typer.echo(export.content.decode(), nl=False)
    else:
        out.write_bytes(export.content)
        typer.echo(f"Wrote the {what} to {out}.", err=True)


@processing_cli.command("record")
def record_command(
    as_user: AsReader = None, fmt: FormatOption = ExportFormat.JSON, out: OutOption = None
) -> None:
    """The record of processing activities: purposes, legal bases, subjects, categories of
    data, recipients, transfers, retention and security measures."""
    _write(as_user, "record of processing", Generated.RECORD, fmt, out)


@processing_cli.command("dpia")
def dpia_command(
    as_user: AsReader = None, fmt: FormatOption = ExportFormat.JSON, out: OutOption = None
) -> None:
    """The data-protection impact assessment: the Pasal 34 triggers, risks and measures."""
    _write(as_user, "impact assessment", Generated.ASSESSMENT, fmt, out)


@processing_cli.command("review")
def review_command(
    conclusion: Annotated[
        Conclusion,
        typer.Option(help="acceptable, measures_needed or consult_agency."),
    ],
    next_review: Annotated[
        str, typer.Option(help="When the assessment is to be reviewed again, YYYY-MM-DD.")
    ],
    reason: Annotated[str, typer.Option(help="What the review found. No personal data.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record your review of the impact assessment as it is generated now (the data-protection
    officer); prints the version reviewed."""
    command = (ASSESSMENT_REVIEW_LIFECYCLE, "review_impact_assessment")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        assessment = impact_assessment(jejak.engine, datetime.now(UTC))
        result = jejak.app.processing.review_impact_assessment(
            assessment_sha256=assessment.sha256,
            conclusion=conclusion,
            next_review_on=date.fromisoformat(next_review),
            provenance=provenance(account, date.fromisoformat(on), None, reason),
        )
        typer.echo(
            f"Review recorded at log position {result.position}: assessment "
            f"{assessment.sha256[:12]}, {conclusion.value}, next review {next_review}."
        )
