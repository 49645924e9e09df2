"""`jejak breaches`: the breach register (UU PDP Pasal 46) from the command line.

Each command that records something runs as a named user (`--as USERNAME` and that account's
password) and is refused unless the lifecycle gives that user's role the command, exactly as
over HTTP: only the data-protection officer records. A breach is named by its register number,
the cases by their case numbers; times are WITA.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from domain.errors import InvalidValue
from domain.privacy.breach_lifecycle import BREACH_LIFECYCLE
from domain.recording import DocumentRef
from service.api.breaches import READERS, wita_moment
from service.cli.base import Password, Programme, provenance_on, signed_in
from service.cli.options import AsUser, OnDate
from service.errors import NotFound
from service.files.breach_notices import agency_notice, subject_notice, subjects_notice
from service.files.letters import letter_pdf
from service.i18n.formats import datetime_id
from service.provenance import WITA
from service.queries.breaches import BreachQueries
from service.queries.read_models import ReadModels
from service.security.accounts import Account
from service.security.scope import of_account
from service.system import Jejak

breaches_cli = typer.Typer(
    help="The breach register (UU PDP Pasal 46): record, confirm, remedy, notify, close, list.",
    no_args_is_help=True,
)

Number = Annotated[str, typer.Argument(help="The breach's register number, e.g. KDP-2024-001.")]
Cases = Annotated[
    list[str] | None, typer.Option("--case", help="An affected case number (repeatable).")
]
Letter = Annotated[str, typer.Option("--letter", help="The number of the letter.")]
Issuer = "Pejabat Pelindungan Data Pribadi"


def _breach_id(jejak: Jejak, number: str) -> UUID:
    jejak.runner.catch_up()
    found = BreachQueries(jejak.engine).breach_id(number)
    if found is None:
        raise NotFound("Breach", number)
    return found


def _case_ids(jejak: Jejak, account: Account, cases: list[str] | None) -> list[UUID]:
    jejak.runner.catch_up()
    reads = ReadModels.of(jejak, of_account(jejak.scopes, account))
    try:
        return [reads.beneficiaries.id_of_case(c) for c in dict.fromkeys(cases or ())]
    except NotFound:
        raise InvalidValue("a case number is unknown", field="case_numbers") from None


def _moment(text: str) -> datetime:
    """`2024-12-02T09:15` (WITA) as an aware moment."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=WITA)


@breaches_cli.command("record")
def record(
    number: Number,
    discovered: Annotated[str, typer.Option(help="When discovered, WITA: 2024-12-02T09:15.")],
    happened_from: Annotated[str, typer.Option("--from", help="When it began, YYYY-MM-DD.")],
    channel: Annotated[str, typer.Option(help="lost_device, wrong_recipient, ...")],
    category: Annotated[list[str], typer.Option(help="identity, case_file or financial.")],
    description: Annotated[str, typer.Option(help="What happened. No personal data.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
    happened_to: Annotated[str | None, typer.Option("--to", help="When it ended.")] = None,
    case: Cases = None,
    estimate: Annotated[int | None, typer.Option(help="How many, while unknown.")] = None,
) -> None:
    """Record a suspected breach; the 3x24-hour clock runs from its discovery."""
    command = (BREACH_LIFECYCLE, "record_suspected_breach")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        result = jejak.app.breaches.record_suspected_breach(
            number=number,
            discovered_at=_moment(discovered),
            happened_from=date.fromisoformat(happened_from),
            happened_to=date.fromisoformat(happened_to) if happened_to else None,
            channel=channel,
            categories=category,
            beneficiary_ids=_case_ids(jejak, account, case),
            estimated_count=estimate,
            description=description,
            provenance=provenance_on(account, on),
        )
        typer.echo(f"Breach {number} recorded ({result.state}).")


@breaches_cli.command("confirm")
def confirm(number: Number, as_user: AsUser, password: Password, on: OnDate) -> None:
    """Judge a suspected breach a breach: its notices become due."""
    with signed_in(as_user, password, (BREACH_LIFECYCLE, "confirm_breach")) as (jejak, account):
        result = jejak.app.breaches.confirm_breach(
            _breach_id(jejak, number), provenance=provenance_on(account, on)
        )
        typer.echo(f"Breach {number} is {result.state}.")


@breaches_cli.command("dismiss")
def dismiss(
    number: Number,
    reason: Annotated[str, typer.Option(help="Why it is not a breach.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Judge a suspected breach not a breach, with the reason."""
    with signed_in(as_user, password, (BREACH_LIFECYCLE, "dismiss_breach")) as (jejak, account):
        provenance = replace(provenance_on(account, on), reason=reason)
        result = jejak.app.breaches.dismiss_breach(_breach_id(jejak, number), provenance=provenance)
        typer.echo(f"Breach {number} is {result.state}.")


@breaches_cli.command("remedy")
def remedy(
    number: Number,
    summary: Annotated[str, typer.Option(help="What was done. No personal data.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record what was done to contain the breach or recover from it."""
    command = (BREACH_LIFECYCLE, "record_remediation")
    with signed_in(as_user, password, command) as (jejak, account):
        jejak.app.breaches.record_remediation(
            _breach_id(jejak, number), summary=summary, provenance=provenance_on(account, on)
        )
        typer.echo(f"Remediation recorded on breach {number}.")


@breaches_cli.command("notice")
def notice(
    number: Number,
    to: Annotated[str, typer.Option(help="subject, agency or public.")],
    channel: Annotated[str, typer.Option(help="letter, in_person, phone, email, ...")],
    at: Annotated[str, typer.Option(help="When it was sent on --on, WITA: 14.00.")],
    letter: Letter,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    case: Cases = None,
    everyone: Annotated[bool, typer.Option("--all", help="To all the subjects at once.")] = False,
) -> None:
    """Record a notice sent; the last one owed completes the notification."""
    command = (BREACH_LIFECYCLE, "record_notice_sent")
    with signed_in(as_user, password, command) as (jejak, account):
        paper = DocumentRef("surat", letter, date.fromisoformat(on), Issuer)
        result = jejak.app.breaches.record_notice_sent(
            _breach_id(jejak, number),
            recipient=to,
            channel=channel,
            sent_at=wita_moment(date.fromisoformat(on), at),
            beneficiary_ids=_case_ids(jejak, account, case),
            to_all_subjects=everyone,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Notice recorded; breach {number} is {result.state}.")


@breaches_cli.command("close")
def close(
    number: Number,
    report: Annotated[str, typer.Option(help="The number of the report closing it.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Close a notified breach on the report of its handling."""
    with signed_in(as_user, password, (BREACH_LIFECYCLE, "close_breach")) as (jejak, account):
        paper = DocumentRef("laporan", report, date.fromisoformat(on), Issuer)
        result = jejak.app.breaches.close_breach(
            _breach_id(jejak, number), provenance=provenance_on(account, on, paper)
        )
        typer.echo(f"Breach {number} is {result.state}.")


def _reader(account: Account) -> None:
    if account.role not in READERS:
        raise typer.BadParameter("your role does not read the breach register")


@breaches_cli.command("list")
def list_breaches(as_user: AsUser, password: Password) -> None:
    """The register: each breach's state, cases, and its 3x24-hour clock now."""
    with signed_in(as_user, password) as (jejak, account):
        _reader(account)
        jejak.runner.catch_up()
        now = datetime.now(WITA)
        page = BreachQueries(jejak.engine).breaches(now=now, limit=10_000, offset=0)
    for row in page.items:
        due = datetime_id(datetime.fromisoformat(str(row["due_at"])))
        typer.echo(
            f"{row['number']}  {row['state']}  cases {row['affected_count']}  "
            f"due {due}  clock {row['clock']} ({row['hours_left']} h)"
        )
    typer.echo(f"Breaches: {page.total}")


@breaches_cli.command("notice-pdf")
def notice_pdf(
    number: Number,
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")],
    as_user: AsUser,
    password: Password,
    case: Annotated[str | None, typer.Option(help="The subject's notice for this case.")] = None,
    agency: Annotated[bool, typer.Option(help="The notice to the agency.")] = False,
) -> None:
    """Write a notice as a PDF letter: the agency's, one subject's, or all the subjects'."""
    with signed_in(as_user, password) as (jejak, account):
        _reader(account)
        jejak.runner.catch_up()
        now = datetime.now(WITA)
        row = BreachQueries(jejak.engine).breach(number, now=now)
    if agency:
        letter = agency_notice(row, now)
    elif case:
        if case not in row["case_numbers"]:
            raise typer.BadParameter(f"{case} is not a case the breach affects")
        letter = subject_notice(row, case, now)
    else:
        letter = subjects_notice(row, now)
    out.write_bytes(letter_pdf(letter))
    typer.echo(f"{letter.number} written to {out}")
