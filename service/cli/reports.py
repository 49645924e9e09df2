"""`jejak reports`: published reports from the command line (ADR 0021).

Publishing is an official's act, taken as a named user (`--as` and that account's password) and
refused unless the lifecycle gives that account's role the command, as over HTTP. Reading needs
no account, as `jejak status` and `jejak audit findings` do: the figures hold no personal data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from domain.errors import DomainError
from domain.published_report import Period, PublishedReport, ReportKind
from domain.recording import DocumentRef, Provenance
from domain.report_lifecycles import REPORT_LIFECYCLE
from projections.report_figures import flatten
from service.cli.base import (
    Password,
    Programme,
    console,
    err_console,
    iso_date_text,
    provenance_on,
    signed_in,
)
from service.cli.options import AsUser, KnownAt, OnDate, cut_of
from service.errors import NotFound
from service.i18n.formats import number
from service.queries.reports import PublishedReports, figures
from service.system import Jejak

reports_cli = typer.Typer(
    help="Published reports: the figures sent out, frozen, and compared with today's.",
    no_args_is_help=True,
)

Kind = Annotated[ReportKind, typer.Option(help="What the report counts.")]
PeriodText = Annotated[
    str,
    typer.Option("--period", help="A quarter (2019-Q3) or START..END (2019-07-01..2019-09-30)."),
]
ReportRef = Annotated[str, typer.Argument(help="The report's id, or its period (2019-Q3).")]
VersionOption = Annotated[
    int | None, typer.Option(min=1, help="A version of the report (default: the latest).")
]
AsJson = Annotated[bool, typer.Option("--json", help="The whole answer as JSON.")]


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except DomainError as error:
        err_console.print(f"[red]{error.code}[/red]: {error.message}")
        raise typer.Exit(2) from None


def _report_id(reference: str, kind: ReportKind) -> UUID:
    try:
        return UUID(reference)
    except ValueError:
        return PublishedReport.create_id(kind, _period(reference))


def _reading() -> Jejak:
    return Jejak.open()


@reports_cli.command("figures")
def draft(
    period: PeriodText, kind: Kind = ReportKind.PROGRAMME_FIGURES, known_at: KnownAt = None
) -> None:
    """The figures a publication would freeze now, or would have frozen as known at a past
    position or time; nothing is recorded."""
    jejak = _reading()
    try:
        cut = cut_of(jejak, known_at, None)
        position = jejak.app.position() if cut is None or cut.known_at is None else cut.known_at
        content = figures(jejak.app, kind, _period(period), position)
    finally:
        jejak.close()
    typer.echo(f"{kind.value} {content['period']['start']}..{content['period']['end']}")
    typer.echo(f"as known at log position {content['known_at_position']}")
    _print_figures(content)


@reports_cli.command("publish")
def publish_command(
    period: PeriodText,
    addressee: Annotated[str, typer.Option(help="The office it is sent to, never a person.")],
    letter: Annotated[str, typer.Option(help="The covering letter's number.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
    kind: Kind = ReportKind.PROGRAMME_FIGURES,
    issuer: Annotated[
        str | None, typer.Option(help="Who signs the letter (default: your unit).")
    ] = None,
    letter_date: Annotated[
        str | None, typer.Option(callback=iso_date_text, help="The letter's date (default: --on).")
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why; required with --replaces (what is corrected).")
    ] = None,
    replaces: Annotated[
        int | None,
        typer.Option(min=1, help="Republish: the latest version, which this one corrects."),
    ] = None,
) -> None:
    """Publish a period's figures as they stand now, frozen with their SHA-256 and log
    position; with --replaces, publish a corrected version of a published report."""
    chosen = _period(period)
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        command = "publish_report" if replaces is None else "republish_report"
        if account.role not in REPORT_LIFECYCLE.roles_for(command):
            verb = command.split("_")[0]
            err_console.print(f"[red]ROLE_FORBIDDEN[/red]: your role may not {verb}")
            raise typer.Exit(1)
        paper = DocumentRef(
            "surat_pengantar",
            letter,
            date.fromisoformat(letter_date or on),
            issuer or account.org_unit,
        )
        base = provenance_on(account, on, paper)
        provenance = Provenance(base.actor, base.occurred_on, paper, reason)
        if replaces is None:
            done = jejak.app.reports.publish(
                kind=kind, period=chosen, addressee=addressee, provenance=provenance
            )
        else:
            done = jejak.app.reports.republish(
                PublishedReport.create_id(kind, chosen),
                replaces_version=replaces,
                addressee=addressee,
                provenance=provenance,
            )
    # Plain lines: a narrow terminal must not cut an id or a hash short.
    typer.echo(f"Published {kind.value} {chosen}, version {done.result.version}.")
    typer.echo(f"report   {done.result.aggregate_id}")
    typer.echo(f"sha256   {done.content_sha256}")
    typer.echo(
        f"figures as known at log position {done.log_position}; recorded at {done.result.position}"
    )


@reports_cli.command("list")
def list_command(
    kind: Annotated[ReportKind | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
) -> None:
    """Every report sent out, at its latest version, latest period first."""
    jejak = _reading()
    try:
        jejak.runner.catch_up()
        page = PublishedReports(jejak).list(kind=kind, limit=limit, offset=0)
    finally:
        jejak.close()
    for r in page.items:
        typer.echo(
            f"{r['report_id']}  {r['report_kind']} {r['period_start']}..{r['period_end']}"
            f"  v{r['version']}  {r['published_on']}  letter {r['document_number']}"
            f"  to {r['addressee']}  position {r['log_position']}  sha256 {r['content_sha256']}"
        )
    typer.echo(f"{len(page.items)} of {page.total} reports.")


@reports_cli.command("show")
def show(
    report: ReportRef,
    kind: Kind = ReportKind.PROGRAMME_FIGURES,
    version: VersionOption = None,
    as_json: AsJson = False,
) -> None:
    """One report: each version's record, and one version's frozen figures checked against
    their hash; exit 1 if they no longer match it."""
    jejak = _reading()
    try:
        found = _found(lambda: PublishedReports(jejak).one(_report_id(report, kind), version))
    finally:
        jejak.close()
    if as_json:
        typer.echo(json.dumps(found, default=str, indent=2))
    else:
        typer.echo(f"{found['report_kind']} {_span(found)}  report {found['report_id']}")
        for v in found["versions"]:
            letter = v["document"]["number"] if v["document"] else "-"
            typer.echo(
                f"  v{v['version']} {v['published_on']} to {v['addressee']}, letter {letter},"
                f" by {v['actor']['user_id']} ({v['actor']['role']}); as known at"
                f" {v['log_position']}; sha256 {v['content_sha256']}"
                + (f"; replaces v{v['replaces_version']}: {v['reason']}" if v["reason"] else "")
            )
        typer.echo(f"figures of version {found['shown_version']}:")
        _print_figures(found["content"])
    if not found["content_intact"]:
        err_console.print("[red]BROKEN[/red]: the frozen figures no longer match their SHA-256")
        raise typer.Exit(1)


@reports_cli.command("compare")
def compare(
    report: ReportRef,
    kind: Kind = ReportKind.PROGRAMME_FIGURES,
    version: VersionOption = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every figure, not only changed ones.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """A published version's figures beside today's for the same period, and the events
    recorded since that changed them; exit 1 if the frozen figures no longer match their hash."""
    jejak = _reading()
    try:
        found = _found(
            lambda: PublishedReports(jejak).compare(
                _report_id(report, kind), version, changed_only=not every, limit=10_000
            )
        )
    finally:
        jejak.close()
    published, today = found["published"], found["today"]
    if as_json:
        typer.echo(json.dumps(found, default=str, indent=2))
    else:
        typer.echo(
            f"{found['report_kind']} {_span(found)}, version {found['compared_version']}:"
            f" published {published['published_on']} as known at {published['log_position']},"
            f" today as known at {today['log_position']}"
        )
        typer.echo(
            "frozen figures match their sha256"
            if published["content_intact"]
            else "frozen figures DO NOT match their sha256"
        )
        if not found["reproducible"]:
            typer.echo(
                "replaying the log to the published position no longer gives the published"
                " figures: how figures are computed has changed since (see the restatements)"
            )
        shown = f" of {len(found['figures'])}" if every else ""
        typer.echo(f"{found['figures_changed']}{shown} figures changed:")
        for row in found["figures"]:
            if not row["changed"]:
                typer.echo(f"  {row['figure']}: {row['published']}")
                continue
            difference = f" ({row['difference']:+d})" if row["difference"] is not None else ""
            because = ", ".join(str(p) for p in row["positions"]) or "no later event"
            typer.echo(
                f"  {row['figure']}: {row['published']} -> {row['today']}{difference}  [{because}]"
            )
        typer.echo(f"{found['events_total']} events recorded since change the period's figures:")
        for e in found["events"]:
            subject = e["subject"] or e["aggregate_id"]
            typer.echo(
                f"  {e['position']}  {e['event']}  {e['aggregate_type']} {subject}"
                f"  occurred {e['occurred_on']}  recorded {e['recorded_at']:%Y-%m-%d %H:%M}"
                f"  by {e['actor']['user_id']} ({e['actor']['role']}, {e['actor']['org_unit']})"
                + _correcting(e["corrects"])
            )
    if not published["content_intact"]:
        raise typer.Exit(1)


def _found(read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        found: dict[str, Any] = read()
    except NotFound as error:
        err_console.print(f"[red]NOT_FOUND[/red]: {error}")
        raise typer.Exit(1) from None
    return found


def _correcting(corrects: dict[str, Any] | None) -> str:
    """What a correction among the later events corrects, for its line ('' for the others)."""
    if corrects is None:
        return ""
    dates = (
        f" dated {corrects['previous_date']} -> {corrects['corrected_date']}"
        if "corrected_date" in corrects
        else ""
    )
    return f"  corrects v{corrects['version']} {corrects['event']}{dates}"


def _span(found: dict[str, Any]) -> str:
    return f"{found['period']['start']}..{found['period']['end']}"


def _print_figures(content: dict[str, Any]) -> None:
    """The figures as a table: one row per figure, one column per site and the programme."""
    sites = content["sites"]
    columns = [*sites, "no site", "programme"]
    blocks = [flatten(s) for s in sites.values()]
    blocks.append(flatten(content["without_site"]))
    blocks.append(flatten(content["programme"]))
    names = list(dict.fromkeys(name for block in blocks for name in block))
    table = Table("figure", *columns)
    for name in names:
        table.add_row(name, *(_cell(block.get(name, "")) for block in blocks))
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return number(value)
    return str(value)
