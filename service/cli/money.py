"""`jejak money`: the ledger's file work from the command line (bank files, statements, and the
auditors' exports).

Money commands are attributed to a person, never to "the command line": each takes
`--as USERNAME` and that account's password, and runs with its role and unit, so four eyes and
the lifecycle's roles hold here exactly as over HTTP.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from domain.bank_statement import STATEMENT_LIFECYCLE
from domain.beneficiary import Beneficiary
from domain.decree import AidComponent, Decree, PaymentType
from domain.errors import InvalidValue
from domain.funding import FundingCommitment, FundingSource
from domain.money_lifecycles import (
    BATCH_LIFECYCLE,
    COMMITMENT_LIFECYCLE,
    DECREE_LIFECYCLE,
    ENTITLEMENT_LIFECYCLE,
    FUNDABLE_ENTITLEMENT_STATES,
    ORDERABLE_ENTITLEMENT_STATES,
)
from domain.payment_batch import PaymentBatch
from domain.recording import DocumentRef
from domain.site import Site
from service.cli.base import (
    Password,
    Programme,
    console,
    err_console,
    iso_date_text,
    provenance_on,
    signed_in,
)
from service.cli.options import AsAt, AsUser, KnownAt, OnDate, Today, cut_of
from service.commands.money import NewDecreeLine
from service.errors import NotFound
from service.files.money_exports import ExportFile, LedgerExports, LedgerFormat
from service.i18n.formats import rupiah as format_rupiah
from service.provenance import today_wita
from service.queries.money import LedgerFilter
from service.queries.reconciliation import ReconciliationReport, reconciliations_at
from service.queries.time_travel import Cut
from service.system import Jejak

money_cli = typer.Typer(
    help="The money ledger: bank files, statements and exports.", no_args_is_help=True
)

ISO_DATE = "%Y-%m-%d"


@money_cli.command("transfer-file")
def transfer_file(
    batch_number: str,
    out: Annotated[Path, typer.Option(help="Where to write the CSV for the bank.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Write an approved batch's transfer file for the bank (the export is recorded)."""
    with signed_in(
        as_user, password, (BATCH_LIFECYCLE, "export_transfer_file"), Programme.WRITE
    ) as (
        jejak,
        account,
    ):
        content = jejak.app.money.export_transfer_file(
            PaymentBatch.create_id(batch_number), provenance=provenance_on(account, on)
        )
        jejak.access_log.record(
            account.username, account.role, "export_transfer_file", "payment_batch", None
        )
        out.write_bytes(content)
        transfers = len(content.splitlines()) - 1  # the header is the first line
        console.print(f"Wrote {out} ({transfers} transfers).")


@money_cli.command("bank-result")
def bank_result(
    batch_number: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Apply the bank's result file to a batch; every bad line is listed and nothing applied."""
    with signed_in(as_user, password, (BATCH_LIFECYCLE, "import_bank_result"), Programme.WRITE) as (
        jejak,
        account,
    ):
        paper = DocumentRef("bank_result_file", file.name, date.fromisoformat(on), "bank")
        summary = jejak.app.money.import_bank_result(
            PaymentBatch.create_id(batch_number),
            content=file.read_bytes(),
            provenance=provenance_on(account, on, paper),
        )
        if summary.already_imported:
            console.print("This file was applied before; nothing changed.")
        else:
            console.print(
                f"Credited {summary.credited}, failed {summary.failed}, "
                f"unchanged {summary.unchanged}."
            )


@money_cli.command("statement")
def statement(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    account_label: Annotated[str, typer.Option(help="The programme account, e.g. its bank.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Keep the programme account's statement (rekening koran) for reconciliation."""
    with signed_in(
        as_user, password, (STATEMENT_LIFECYCLE, "import_bank_statement"), Programme.WRITE
    ) as (
        jejak,
        account,
    ):
        paper = DocumentRef("bank_statement", file.name, date.fromisoformat(on), account_label)
        summary = jejak.app.money.import_bank_statement(
            content=file.read_bytes(),
            account_label=account_label,
            provenance=provenance_on(account, on, paper),
        )
        if summary.already_imported:
            console.print("This statement was imported before; nothing changed.")
        else:
            typer.echo(f"Kept {summary.movements} movements (file {summary.file_sha256}).")


@money_cli.command("reconcile")
def reconcile_command(
    batch_number: Annotated[str | None, typer.Option("--batch", help="One batch.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", callback=iso_date_text, help="Period start, YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", callback=iso_date_text, help="Period end, YYYY-MM-DD.")
    ] = None,
    today: Today = None,
    known_at: KnownAt = None,
    as_at: AsAt = None,
) -> None:
    """Reconcile the ledger with the bank statements, for a batch or a period, now or at a past
    cut; exit 1 if not clean (so a scheduled job can raise the alarm)."""
    if (batch_number is None) == (start is None or end is None):
        err_console.print("[red]Give either --batch or both --from and --to.[/red]")
        raise typer.Exit(2)
    jejak = Jejak.open()
    try:
        jejak.runner.catch_up()
        cut = cut_of(jejak, known_at, as_at)
        reports = reconciliations_at(jejak, cut)
        day = date.fromisoformat(today) if today else (cut and cut.as_at) or today_wita()
        if batch_number is not None:
            report = reports.for_batch(PaymentBatch.create_id(batch_number), day)
        else:
            assert start is not None and end is not None
            report = reports.for_period(date.fromisoformat(start), date.fromisoformat(end), day)
        _print_reconciliation(report, cut)
        if not report.clean:
            raise typer.Exit(1)
    finally:
        jejak.close()


def _print_reconciliation(report: ReconciliationReport, cut: Cut | None) -> None:
    summary = report.as_dict()
    typer.echo(f"Reconciliation of {report.scope}, withdrawals judged on {report.as_of}")
    if cut is not None:
        known = "now" if cut.known_at is None else f"at log position {cut.known_at}"
        dated = "" if cut.as_at is None else f", as at {cut.as_at}"
        typer.echo(f"  both sides as known {known}{dated}")
    for finding, count in summary["counts"].items():
        typer.echo(f"  {finding.replace('_', ' '):<20} {count:>7}")
    typer.echo(f"  ledger net {format_rupiah(summary['system_total'])}")
    typer.echo(f"  bank net   {format_rupiah(summary['bank_total'])}")
    for line in summary["budget_lines"]:
        verdict = "agrees" if line["agrees"] else "DIFFERS"
        typer.echo(
            f"  budget line {line['commitment_id']}: ledger {format_rupiah(line['ledger_net'])},"
            f" bank {format_rupiah(line['bank_net'])} ({verdict})"
        )
    for finding in ("not_on_statement", "unknown_to_system", "amount_mismatches", "not_withdrawn"):
        for item in summary[finding]:
            typer.echo(f"  {finding}: {item['bank_reference']} {format_rupiah(item['amount'])}")
    typer.echo("CLEAN" if report.clean else "NOT CLEAN")


# --- funding, decrees and batches --------------------------------------------------------------

Year = Annotated[int, typer.Option("--year", help="The fiscal year (1 January-31 December).")]
Source = Annotated[FundingSource, typer.Option(help="apbn (a DIPA line) or apbd (a DPA line).")]
BudgetLine = Annotated[str, typer.Option("--line", help="The DIPA or DPA line.")]
Authority = Annotated[str, typer.Option(help="Who signed the decree.")]
DecreeNumber = Annotated[str, typer.Option("--decree", help="The decree's number.")]


@money_cli.command("commit")
def commit_funds(
    year: Year,
    source: Source,
    line: BudgetLine,
    funder: Annotated[str, typer.Option()],
    amount: Annotated[int, typer.Option(help="Whole rupiah.")],
    document_number: Annotated[str, typer.Option(help="The DIPA or DPA number.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record a fiscal year's commitment of one budget line."""
    with signed_in(as_user, password, (COMMITMENT_LIFECYCLE, "commit_funds"), Programme.WRITE) as (
        jejak,
        account,
    ):
        paper = DocumentRef(
            source.budget_document.value, document_number, date.fromisoformat(on), funder
        )
        result = jejak.app.money.commit_funds(
            fiscal_year=year,
            source=source,
            budget_line=line,
            funder=funder,
            amount=amount,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Committed {format_rupiah(amount)} ({result.aggregate_id}).")


@money_cli.command("decree")
def issue_decree(
    lines: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    authority: Authority,
    number: DecreeNumber,
    legal_basis: Annotated[str, typer.Option()],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record a decree from a CSV of lines: case_number,component,tranche,amount."""
    with signed_in(as_user, password, (DECREE_LIFECYCLE, "issue_decree"), Programme.WRITE) as (
        jejak,
        account,
    ):
        parsed = _decree_lines(jejak, _utf8_text(lines.read_bytes()))
        paper = DocumentRef("decree", number, date.fromisoformat(on), authority)
        jejak.app.money.issue_decree(
            authority=authority,
            number=number,
            legal_basis=legal_basis,
            payment_type=PaymentType.BENEFICIARY_AID,
            lines=parsed,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Decree {number}: {len(parsed)} entitlements planned.")


@money_cli.command("allocate")
def allocate(
    year: Year,
    source: Source,
    line: BudgetLine,
    authority: Authority,
    number: DecreeNumber,
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Fund every entitlement of a decree still awaiting funds from one commitment."""
    with signed_in(
        as_user, password, (ENTITLEMENT_LIFECYCLE, "allocate_funds"), Programme.WRITE
    ) as (
        jejak,
        account,
    ):
        waiting = _decreed(jejak, authority, number, FUNDABLE_ENTITLEMENT_STATES)
        jejak.app.money.allocate_funds(
            FundingCommitment.create_id(year, source, line),
            entitlement_ids=waiting,
            provenance=provenance_on(account, on),
        )
        typer.echo(f"Funded {len(waiting)} entitlements.")


@money_cli.command("batch")
def create_batch(
    batch_number: str,
    authority: Authority,
    number: DecreeNumber,
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Prepare a batch of every entitlement of a decree that is ready to pay."""
    with signed_in(as_user, password, (BATCH_LIFECYCLE, "create_batch"), Programme.WRITE) as (
        jejak,
        account,
    ):
        ready = _decreed(jejak, authority, number, ORDERABLE_ENTITLEMENT_STATES)
        jejak.app.money.create_batch(
            batch_number=batch_number, entitlement_ids=ready, provenance=provenance_on(account, on)
        )
        typer.echo(f"Batch {batch_number}: {len(ready)} lines, awaiting a second supervisor.")


@money_cli.command("approve")
def approve_batch(batch_number: str, as_user: AsUser, password: Password, on: OnDate) -> None:
    """Approve a batch (not the supervisor who prepared it) and order every line."""
    with signed_in(as_user, password, (BATCH_LIFECYCLE, "approve_batch"), Programme.WRITE) as (
        jejak,
        account,
    ):
        jejak.app.money.approve_batch(
            PaymentBatch.create_id(batch_number), provenance=provenance_on(account, on)
        )
        typer.echo(f"Batch {batch_number} approved; every line is ordered.")


@money_cli.command("close-year")
def close_year(
    year: Year, source: Source, line: BudgetLine, as_user: AsUser, password: Password, on: OnDate
) -> None:
    """Close a commitment's fiscal year: what was not spent lapses."""
    with signed_in(
        as_user, password, (COMMITMENT_LIFECYCLE, "close_fiscal_year"), Programme.WRITE
    ) as (
        jejak,
        account,
    ):
        commitment_id = FundingCommitment.create_id(year, source, line)
        jejak.app.money.close_fiscal_year(commitment_id, provenance=provenance_on(account, on))
        lapsed = jejak.app.commitment(commitment_id).lapsed_amount
        typer.echo(f"Fiscal year {year} closed; {format_rupiah(lapsed)} lapsed.")


def _utf8_text(content: bytes) -> str:
    try:
        # utf-8-sig drops the byte order mark spreadsheet programs put in front.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise InvalidValue(
            f"line {line}: the lines file is not UTF-8 text; save it as CSV UTF-8", field="lines"
        ) from None


def _decree_lines(jejak: Jejak, text: str) -> list[NewDecreeLine]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as error:  # a field over the csv module's limit, a NUL byte
        raise InvalidValue(f"line {reader.line_num}: {error}", field="lines") from None
    missing = {"case_number", "component", "amount"} - set(rows[0] if rows else ())
    if missing:
        raise InvalidValue(f"the lines file lacks {', '.join(sorted(missing))}", field="lines")
    lines = []
    for n, row in enumerate(rows, start=2):
        if not (row["amount"] or "").isdigit() or not (row.get("tranche") or "1").isdigit():
            raise InvalidValue(f"line {n}: amount and tranche are whole numbers", field="lines")
        beneficiary = Beneficiary.create_id(row["case_number"].strip())
        jejak.app.beneficiary(beneficiary)  # NotFound names an unknown case number
        lines.append(
            NewDecreeLine(
                AidComponent(row["component"].strip().lower()),
                int(row["amount"]),
                int(row.get("tranche") or 1),
                beneficiary_id=beneficiary,
            )
        )
    return lines


def _decreed(jejak: Jejak, authority: str, number: str, states: tuple[str, ...]) -> list[UUID]:
    decree = jejak.app.decree(Decree.create_id(authority, number))
    return [e for e in decree.lines if jejak.app.entitlement(e).state in states]


@money_cli.command("ledger")
def ledger(
    out: Annotated[Path, typer.Option(help="Where to write the export.")],
    as_user: AsUser,
    password: Password,
    fmt: Annotated[LedgerFormat, typer.Option("--format", help="xlsx or csv.")] = (
        LedgerFormat.XLSX
    ),
    site: Annotated[str | None, typer.Option(help="Only this site, by code (TRK-JP).")] = None,
    fiscal_year: Annotated[int | None, typer.Option(help="Only this fiscal year.")] = None,
    source: Annotated[FundingSource | None, typer.Option(help="Only this source.")] = None,
    component: Annotated[AidComponent | None, typer.Option(help="Only this aid.")] = None,
    occurred_from: Annotated[
        datetime | None,
        typer.Option("--from", formats=[ISO_DATE], help="From this business date."),
    ] = None,
    occurred_to: Annotated[
        datetime | None,
        typer.Option("--to", formats=[ISO_DATE], help="To this business date."),
    ] = None,
) -> None:
    """Export the payment ledger for auditors as XLSX (with budget and per-site sheets) or CSV;
    the export is written to the access log."""
    filters = LedgerFilter(
        site_id=Site.create_id(site) if site else None,
        component=component.value if component else None,
        fiscal_year=fiscal_year,
        source=source.value if source else None,
        occurred_from=occurred_from.date() if occurred_from else None,
        occurred_to=occurred_to.date() if occurred_to else None,
    )
    with signed_in(as_user, password, programme=Programme.READ) as (jejak, account):
        _write(out, _exports(jejak).ledger(account, filters, fmt))


@money_cli.command("history")
def history(
    case_number: str,
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")],
    as_user: AsUser,
    password: Password,
) -> None:
    """Export one woman's payment history as PDF (her name masked unless your role may see
    it); the export is written to the access log."""
    with signed_in(as_user, password, programme=Programme.READ) as (jejak, account):
        try:
            export = _exports(jejak).payment_history_pdf(
                account, Beneficiary.create_id(case_number)
            )
        except NotFound:
            err_console.print(f"[red]NOT_FOUND[/red]: no case {case_number}.")
            raise typer.Exit(1) from None
        _write(out, export)


def _exports(jejak: Jejak) -> LedgerExports:
    # A separate process may keep the read models; catching up first means the export holds
    # every event recorded before the command ran.
    jejak.runner.catch_up()
    return LedgerExports.of(jejak)


def _write(out: Path, export: ExportFile) -> None:
    out.write_bytes(export.content)
    console.print(f"Wrote {out} ({len(export.content)} bytes).")
