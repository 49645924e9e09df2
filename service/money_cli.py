"""`jejak money`: the ledger's file work from the command line (bank files, statements, and the
auditors' exports).

Money commands are attributed to a person, never to "the command line": each takes
`--as USERNAME` and that account's password, and runs with its role and unit, so four eyes and
the lifecycle's roles hold here exactly as over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from domain.beneficiary import Beneficiary
from domain.decree import AidComponent
from domain.errors import DomainError
from domain.funding import FundingSource
from domain.payment_batch import PaymentBatch
from domain.recording import Actor, DocumentRef, Provenance
from domain.site import Site
from service.accounts import Account
from service.application import NotFound
from service.bankfiles import BankFileRejected
from service.ledger_exports import ExportFile, ExportRefused, LedgerExports, LedgerFormat
from service.queries import LedgerFilter
from service.system import Jejak

money_cli = typer.Typer(
    help="The money ledger: bank files, statements and exports.", no_args_is_help=True
)
console = Console()

AsUser = Annotated[str, typer.Option("--as", help="Your username; the command is yours.")]
Password = Annotated[
    str, typer.Option(prompt=True, hide_input=True, envvar="JEJAK_PASSWORD", show_envvar=False)
]
OnDate = Annotated[str, typer.Option(help="The business date (WITA), YYYY-MM-DD.")]
ISO_DATE = "%Y-%m-%d"


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
    except ExportRefused as error:
        console.print(f"[red]ROLE_FORBIDDEN[/red]: {error}")
        raise typer.Exit(1) from None
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
    with _signed_in(as_user, password) as (jejak, account):
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
    with _signed_in(as_user, password) as (jejak, account):
        try:
            export = _exports(jejak).payment_history_pdf(
                account, Beneficiary.create_id(case_number)
            )
        except NotFound:
            console.print(f"[red]NOT_FOUND[/red]: no case {case_number}.")
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
