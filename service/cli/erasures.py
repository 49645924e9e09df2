"""`jejak erasure`: erasure requests from the command line (ADR 0055).

Each command runs as a named user (`--as USERNAME` and that account's password) and is refused
unless the lifecycle gives that user's role the command, exactly as over HTTP: the
data-protection officer records, a supervisor who did not record the request decides it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from domain.access import READ_ROLES, Read
from domain.privacy.erasure import AWAITING_DECISION, ERASURE_LIFECYCLE, WITA
from domain.recording import DocumentKind, DocumentRef, Role
from service.cli.base import Password, Programme, iso_date_text, provenance_on, signed_in
from service.cli.options import AsUser, Memo, MemoDate, OnDate, own_paper
from service.files.erasure_notice import erasure_notice_pdf
from service.queries.erasures import ErasureQueries
from service.queries.read_models import ReadModels
from service.queries.retention import held
from service.security.scope import of_account

erasure_cli = typer.Typer(
    help="Erasure requests: record, approve, refuse, list, write her notice.",
    no_args_is_help=True,
)

ErasureId = Annotated[UUID, typer.Argument(help="The request's id, as `record` and `list` print.")]
Reason = Annotated[str, typer.Option(help="Why; kept in clear, so no personal data.")]


@erasure_cli.command("record")
def record(
    case_number: Annotated[str, typer.Option("--case", help="Her case number, e.g. TRK-JP-0004.")],
    letter: Annotated[str, typer.Option(help="The number of her request letter.")],
    letter_date: Annotated[
        str, typer.Option(callback=iso_date_text, help="The letter's date, YYYY-MM-DD.")
    ],
    received_at: Annotated[
        str,
        typer.Option(help="When it was received: YYYY-MM-DDTHH:MM, WITA unless a zone is given."),
    ],
    reason: Reason,
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Record her request from her letter (the data-protection officer)."""
    command = (ERASURE_LIFECYCLE, "record_erasure_request")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        received = datetime.fromisoformat(received_at)
        if received.utcoffset() is None:
            received = received.replace(tzinfo=WITA)
        reads = ReadModels.of(jejak, of_account(jejak.scopes, account))
        paper = DocumentRef("surat", letter, date.fromisoformat(letter_date), "Pemohon")
        result = jejak.app.erasures.record_request(
            beneficiary_id=reads.beneficiaries.id_of_case(case_number),
            received_at=received,
            provenance=replace(provenance_on(account, on, paper), reason=reason),
        )
        typer.echo(f"Erasure request of {case_number} recorded: {result.aggregate_id}")


@erasure_cli.command("approve")
def approve(
    erasure: ErasureId,
    memo: Memo,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    memo_date: MemoDate = None,
) -> None:
    """Approve on your decision memo: her case-file key is destroyed at once, then the
    approval is recorded."""
    command = (ERASURE_LIFECYCLE, "approve_erasure")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        paper = own_paper(DocumentKind.NOTA_DINAS, memo, on, account, memo_date)
        result = jejak.app.erasures.approve(erasure, provenance=provenance_on(account, on, paper))
        typer.echo(f"Approved; her case file is erased. The request is {result.state}.")


@erasure_cli.command("refuse")
def refuse(
    erasure: ErasureId,
    reason: Reason,
    memo: Memo,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    memo_date: MemoDate = None,
) -> None:
    """Refuse on your decision memo, with the reason she will be told."""
    command = (ERASURE_LIFECYCLE, "refuse_erasure")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        paper = own_paper(DocumentKind.NOTA_DINAS, memo, on, account, memo_date)
        provenance = replace(provenance_on(account, on, paper), reason=reason)
        result = jejak.app.erasures.refuse(erasure, provenance=provenance)
        typer.echo(f"Refused. The request is {result.state}.")


@erasure_cli.command("list")
def list_erasures(as_user: AsUser, password: Password) -> None:
    """The register: each request's case, letter, state and, once carried out, until when."""
    with signed_in(as_user, password, programme=Programme.READ) as (jejak, account):
        _may_read(account.role)
        jejak.runner.catch_up()
        page = ErasureQueries(jejak.engine).requests(limit=10_000, offset=0)
    for row in page.items:
        kept = f"  kept until {row['keep_until']}" if row["keep_until"] else ""
        typer.echo(
            f"{row['erasure_id']}  {row['case_number']}  {row['state']}  "
            f"letter {row['request_number']}{kept}"
        )
    typer.echo(f"Erasure requests: {page.total}")


@erasure_cli.command("notice")
def notice(
    erasure: ErasureId,
    out: Annotated[Path, typer.Option(help="Where to write her notice (PDF).")],
    as_user: AsUser,
    password: Password,
) -> None:
    """Write her notice of a decided request as a PDF."""
    with signed_in(as_user, password, programme=Programme.READ) as (jejak, account):
        _may_read(account.role)
        jejak.runner.catch_up()
        row = ErasureQueries(jejak.engine).one(erasure)
        her = UUID(row["beneficiary_id"])
        holds = [(r.kind, r.reference) for r in held(jejak.engine, [her]).get(her, ())]
    if row["state"] == AWAITING_DECISION:
        typer.echo("NOT_DECIDED_YET: the notice is written once the request is decided", err=True)
        raise typer.Exit(1)
    out.write_bytes(erasure_notice_pdf(row, holds))
    typer.echo(f"Notice written: {out}")


def _may_read(role: Role) -> None:
    if role not in READ_ROLES[Read.PRIVACY_REGISTERS]:
        typer.echo("ROLE_FORBIDDEN: your role may not read the erasure register", err=True)
        raise typer.Exit(1)
