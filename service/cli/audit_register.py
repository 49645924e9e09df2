"""`jejak register`: the audit findings register from the command line.

Like `jejak money`, each command that records something runs as a named user (`--as USERNAME`
and that account's password) and is refused unless the lifecycle gives that user's role the
command, exactly as over HTTP: an auditor's account reads the register but changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated
from uuid import UUID

import typer

from domain.audit_lifecycles import AUDIT_FINDING_LIFECYCLE
from domain.recording import DocumentRef
from service.cli.base import (
    Password,
    Programme,
    err_console,
    iso_date_text,
    provenance_on,
    signed_in,
)
from service.cli.options import AsUser, OnDate, Today
from service.i18n.formats import rupiah as format_rupiah
from service.provenance import today_wita
from service.queries.audit_register import AuditRegisterQueries
from service.security.accounts import Account
from service.system import Jejak

register_cli = typer.Typer(
    help="External audit findings (BPK, Inspektorat): record, answer, close, list.",
    no_args_is_help=True,
)

FindingId = Annotated[UUID, typer.Argument(help="The finding's id, as `add` and `list` print.")]
LetterNumber = Annotated[str, typer.Option("--letter", help="The number of the letter.")]


def _may(account: Account, command: str) -> None:
    if account.role not in AUDIT_FINDING_LIFECYCLE.roles_for(command):
        what = command.replace("_", " ")
        err_console.print(f"[red]ROLE_FORBIDDEN[/red]: your role may not {what}")
        raise typer.Exit(1)


@register_cli.command("add")
def add(
    audit_body: Annotated[str, typer.Option("--body", help="e.g. BPK RI Perwakilan Kaltara.")],
    lhp_number: Annotated[str, typer.Option("--lhp", help="The report's (LHP) number.")],
    lhp_date: Annotated[
        str, typer.Option(callback=iso_date_text, help="The report's date, YYYY-MM-DD.")
    ],
    received: Annotated[
        str, typer.Option(callback=iso_date_text, help="When the LHP was received (the 60 days).")
    ],
    finding_number: Annotated[str, typer.Option("--finding", help="e.g. 3.2")],
    title: Annotated[str, typer.Option()],
    recommendation: Annotated[str, typer.Option(help="No personal data: case numbers only.")],
    official: Annotated[str, typer.Option(help="The answerable position, not a name.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
    amount: Annotated[int | None, typer.Option(help="Rupiah to recover, if any.")] = None,
) -> None:
    """Record a finding from its LHP."""
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        _may(account, "record_finding")
        issued = date.fromisoformat(lhp_date)
        paper = DocumentRef("lhp", lhp_number, issued, audit_body)
        result = jejak.app.audit_register.record_finding(
            audit_body=audit_body,
            lhp_number=lhp_number,
            lhp_date=issued,
            lhp_received_on=date.fromisoformat(received),
            finding_number=finding_number,
            title=title,
            recommendation=recommendation,
            responsible_position=official,
            amount_to_recover=amount,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Finding {finding_number} of {lhp_number} recorded: {result.aggregate_id}")


@register_cli.command("respond")
def respond(
    finding: FindingId,
    summary: Annotated[str, typer.Option(help="What was done. No personal data.")],
    letter: LetterNumber,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    recovered: Annotated[int, typer.Option(help="Rupiah recovered with this answer.")] = 0,
) -> None:
    """Record an answer to a finding (its letter)."""
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        _may(account, "submit_response")
        answerable = jejak.app.finding(finding).responsible_position
        paper = DocumentRef("surat_tanggapan", letter, date.fromisoformat(on), answerable)
        result = jejak.app.audit_register.submit_response(
            finding,
            summary=summary,
            amount_recovered=recovered,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Answer recorded; the finding is {result.state}.")


@register_cli.command("accept")
def accept(
    finding: FindingId, letter: LetterNumber, as_user: AsUser, password: Password, on: OnDate
) -> None:
    """Record the audit body's letter accepting the follow-up."""
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        _may(account, "accept_follow_up")
        paper = _audit_letter(jejak, finding, letter, on)
        jejak.app.audit_register.accept_follow_up(
            finding, provenance=provenance_on(account, on, paper)
        )
        typer.echo("Follow-up accepted.")


@register_cli.command("reject")
def reject(
    finding: FindingId,
    letter: LetterNumber,
    reason: Annotated[str, typer.Option(help="What the audit body found lacking.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record the audit body's letter rejecting the follow-up, and why."""
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        _may(account, "reject_follow_up")
        paper = _audit_letter(jejak, finding, letter, on)
        provenance = replace(provenance_on(account, on, paper), reason=reason)
        jejak.app.audit_register.reject_follow_up(finding, provenance=provenance)
        typer.echo("Follow-up rejected; a new answer is due.")


def _audit_letter(jejak: Jejak, finding: UUID, number: str, on: str) -> DocumentRef:
    """The audit body's letter on a finding, as the event cites it."""
    body = jejak.app.finding(finding).audit_body
    return DocumentRef("surat", number, date.fromisoformat(on), body)


@register_cli.command("close")
def close(
    finding: FindingId,
    document_number: Annotated[str, typer.Option(help="The audit body's closing document.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Close an accepted finding on the audit body's word."""
    with signed_in(as_user, password, programme=Programme.WRITE) as (jejak, account):
        _may(account, "close_finding")
        body = jejak.app.finding(finding).audit_body
        paper = DocumentRef("laporan", document_number, date.fromisoformat(on), body)
        jejak.app.audit_register.close_finding(
            finding, provenance=provenance_on(account, on, paper)
        )
        typer.echo("Finding closed.")


@register_cli.command("list")
def list_findings(
    state: Annotated[str | None, typer.Option(help="Only findings in this state.")] = None,
    overdue: Annotated[bool, typer.Option(help="Only findings past their due date.")] = False,
    today: Today = None,
) -> None:
    """The register: each finding's state, due date and latest answer."""
    jejak = Jejak.open()
    try:
        jejak.runner.catch_up()
        day = date.fromisoformat(today) if today else today_wita()
        page = AuditRegisterQueries(jejak.engine).findings(
            as_of=day, state=state, overdue=True if overdue else None, limit=10_000, offset=0
        )
    finally:
        jejak.close()
    for row in page.items:
        due = f"due {row['due_on']}" if row["due_on"] else "awaiting the audit body"
        late = f" OVERDUE {row['days_overdue']} days" if row["overdue"] else ""
        owed = row["amount_to_recover"]
        money = (
            f" {format_rupiah(row['amount_recovered'])} of {format_rupiah(owed)}" if owed else ""
        )
        typer.echo(
            f"{row['finding_id']}  {row['lhp_number']} #{row['finding_number']}  "
            f"{row['state']}  {due}{late}{money}  {row['title']}"
        )
    typer.echo(f"Findings: {page.total} (overdue judged on {day})")
