"""`jejak money`: the ledger's file work from the command line (bank files, statements).

Money commands are attributed to a person, never to "the command line": each takes
`--as USERNAME` and that account's password, and runs with its role and unit, so four eyes and
the lifecycle's roles hold here exactly as over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from domain.errors import DomainError
from domain.payment_batch import PaymentBatch
from domain.recording import Actor, DocumentRef, Provenance
from service.accounts import Account
from service.api.deps import today_wita
from service.bankfiles import BankFileRejected
from service.exports.indonesian import format_rupiah_id as format_rupiah
from service.reconciliation_report import ReconciliationReport, Reconciliations
from service.system import Jejak

money_cli = typer.Typer(help="The money ledger: bank files and statements.", no_args_is_help=True)
console = Console()

AsUser = Annotated[str, typer.Option("--as", help="Your username; the command is yours.")]
Password = Annotated[
    str, typer.Option(prompt=True, hide_input=True, envvar="JEJAK_PASSWORD", show_envvar=False)
]
OnDate = Annotated[str, typer.Option(help="The business date (WITA), YYYY-MM-DD.")]


@contextmanager
def _signed_in(username: str, password: str) -> Iterator[tuple[Jejak, Account]]:
    """The started system and the account, closed after; a refusal is printed, not raised."""
    jejak = Jejak.start()
    try:
        account = jejak.accounts.authenticate(username, password)
        if account is None:
            console.print("[red]Unknown user or wrong password.[/red]")
            raise typer.Exit(2)
        yield jejak, account
    except DomainError as error:
        raise _refused(error) from None
    finally:
        jejak.close()


def _provenance(account: Account, on: str, document: DocumentRef | None = None) -> Provenance:
    return Provenance(
        actor=Actor(account.username, account.role, account.org_unit),
        occurred_on=date.fromisoformat(on),
        document=document,
    )


def _refused(error: DomainError) -> typer.Exit:
    console.print(f"[red]{error.code}[/red]: {error.message}")
    if isinstance(error, BankFileRejected):
        for problem in error.problems:
            console.print(f"  line {problem.line}: {problem.code} {problem.message}")
    return typer.Exit(1)


@money_cli.command("transfer-file")
def transfer_file(
    batch_number: str,
    out: Annotated[Path, typer.Option(help="Where to write the CSV for the bank.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Write an approved batch's transfer file for the bank (the export is recorded)."""
    with _signed_in(as_user, password) as (jejak, account):
        content = jejak.app.export_transfer_file(
            PaymentBatch.create_id(batch_number), provenance=_provenance(account, on)
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
    with _signed_in(as_user, password) as (jejak, account):
        paper = DocumentRef("bank_result_file", file.name, date.fromisoformat(on), "bank")
        summary = jejak.app.import_bank_result(
            PaymentBatch.create_id(batch_number),
            content=file.read_bytes(),
            provenance=_provenance(account, on, paper),
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
    with _signed_in(as_user, password) as (jejak, account):
        paper = DocumentRef("rekening koran", file.name, date.fromisoformat(on), account_label)
        summary = jejak.app.import_bank_statement(
            content=file.read_bytes(),
            account_label=account_label,
            provenance=_provenance(account, on, paper),
        )
        if summary.already_imported:
            console.print("This statement was imported before; nothing changed.")
        else:
            typer.echo(f"Kept {summary.movements} movements (file {summary.file_sha256}).")


@money_cli.command("reconcile")
def reconcile_command(
    batch_number: Annotated[str | None, typer.Option("--batch", help="One batch.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Period start, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Period end, YYYY-MM-DD.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Judge withdrawals as of this date.")] = None,
) -> None:
    """Reconcile the ledger with the bank statements, for a batch or a period; exit 1 if not
    clean (so a scheduled job can raise the alarm)."""
    if (batch_number is None) == (start is None or end is None):
        console.print("[red]Give either --batch or both --from and --to.[/red]")
        raise typer.Exit(2)
    jejak = Jejak.start()
    try:
        jejak.runner.catch_up()
        reports = Reconciliations(jejak.engine, jejak.settings.deadline_days)
        day = date.fromisoformat(as_of) if as_of else today_wita()
        if batch_number is not None:
            report = reports.for_batch(PaymentBatch.create_id(batch_number), day)
        else:
            assert start is not None and end is not None
            report = reports.for_period(date.fromisoformat(start), date.fromisoformat(end), day)
        _print_reconciliation(report)
        if not report.clean:
            raise typer.Exit(1)
    finally:
        jejak.close()


def _print_reconciliation(report: ReconciliationReport) -> None:
    summary = report.as_dict()
    typer.echo(f"Reconciliation of {report.scope} as of {report.as_of}")
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
