"""`jejak requests`: data subjects' requests from the command line, and `jejak notices`: the
outbox of notices of clocks that ran out.

Commands that record something run as a named user (`--as`), refused unless the lifecycle gives
that user's role the command, as over HTTP. A request is named by its register number.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from domain.privacy.request_lifecycle import SUBJECT_REQUEST_LIFECYCLE
from domain.privacy.subject_request import WITA, SubjectRequest
from domain.recording import DocumentKind, DocumentRef
from service.cli.base import (
    Password,
    Programme,
    err_console,
    iso_date_text,
    provenance_on,
    signed_in,
)
from service.cli.options import AsUser, OnDate, own_paper
from service.files.access_copy import copy_or_not_found
from service.i18n.formats import datetime_id
from service.notices.outbox import Outbox
from service.notices.smtp import send_waiting
from service.queries.subject_requests import SubjectRequestQueries
from service.system import Jejak

requests_cli = typer.Typer(
    help="Data subjects' requests (UU 27/2022): record, verify, grant, refuse, list.",
    no_args_is_help=True,
)
notices_cli = typer.Typer(
    help="Notices of 72-hour clocks that ran out: queue, send by SMTP, list.",
    no_args_is_help=True,
)

Number = Annotated[str, typer.Argument(help="The request's register number, e.g. PDP-2026-001.")]
CaseId = Annotated[UUID | None, typer.Option("--case", help="Her case's id, once identified.")]


# The answer is always written: granting or refusing rests on the letter that answers.
AnswerLetter = Annotated[
    str, typer.Option("--letter", help="The number of the letter answering the requester.")
]


def _request_id(number: str) -> UUID:
    return SubjectRequest.create_id(number)


@requests_cli.command("add")
def add(
    number: Number,
    kind: Annotated[str, typer.Option(help="access_copy, correction, restriction, ...")],
    received: Annotated[
        str, typer.Option(help="When it was received, with its zone: 2026-04-06T09:30+08:00.")
    ],
    channel: Annotated[str, typer.Option(help="in_person, letter, email or phone.")],
    verification: Annotated[
        str, typer.Option(help="ktp_in_person, letter_with_ktp_copy, ... or not_yet_checked.")
    ],
    result: Annotated[str, typer.Option(help="verified, not_verified or pending.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
    requester: Annotated[str, typer.Option(help="subject or representative.")] = "subject",
    case: CaseId = None,
    summary: Annotated[str, typer.Option(help="What is asked. No personal data.")] = "",
    letter: Annotated[
        str | None,
        typer.Option(help="The number of her request letter (required when it came by letter)."),
    ] = None,
    letter_date: Annotated[
        str | None,
        typer.Option(
            callback=iso_date_text, help="Her letter's date, YYYY-MM-DD (default: received)."
        ),
    ] = None,
) -> None:
    """Record a request as received; its 3x24-hour clock starts at --received."""
    command = (SUBJECT_REQUEST_LIFECYCLE, "record_subject_request")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        received_at = datetime.fromisoformat(received)
        paper = None
        if letter:
            written = date.fromisoformat(letter_date) if letter_date else received_at.date()
            paper = DocumentRef(DocumentKind.SURAT, letter, written, "Pemohon")
        made = jejak.app.subject_requests.record_subject_request(
            number=number,
            kind=kind,
            received_at=received_at,
            channel=channel,
            requester=requester,
            verification_method=verification,
            verification_result=result,
            beneficiary_id=case,
            summary=summary,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Request {number} recorded: {made.aggregate_id}")


@requests_cli.command("verify")
def verify(
    number: Number,
    verification: Annotated[str, typer.Option(help="How the identity was checked.")],
    result: Annotated[str, typer.Option(help="verified, not_verified or pending.")],
    as_user: AsUser,
    password: Password,
    on: OnDate,
    case: CaseId = None,
) -> None:
    """Record a (further) identity check of the requester."""
    command = (SUBJECT_REQUEST_LIFECYCLE, "verify_requester")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        jejak.app.subject_requests.verify_requester(
            _request_id(number),
            verification_method=verification,
            verification_result=result,
            beneficiary_id=case,
            provenance=provenance_on(account, on),
        )
        typer.echo(f"Requester of {number}: {result}.")


@requests_cli.command("grant")
def grant(
    number: Number,
    done: Annotated[str, typer.Option(help="What was done. No personal data.")],
    answer: AnswerLetter,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    erasure: Annotated[
        str | None, typer.Option(help="The erasure's number, for a granted erasure request.")
    ] = None,
) -> None:
    """Grant a request, answered by the letter --letter (dated --on)."""
    command = (SUBJECT_REQUEST_LIFECYCLE, "grant_subject_request")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        paper = own_paper(DocumentKind.SURAT, answer, on, account)
        jejak.app.subject_requests.grant_subject_request(
            _request_id(number),
            done=done,
            erasure_reference=erasure,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Request {number} granted.")


@requests_cli.command("refuse")
def refuse(
    number: Number,
    reason: Annotated[
        str, typer.Option(help="endangers_safety_or_health or reveals_others_data (Pasal 33).")
    ],
    explanation: Annotated[str, typer.Option(help="Why, for the requester. No personal data.")],
    answer: AnswerLetter,
    as_user: AsUser,
    password: Password,
    on: OnDate,
) -> None:
    """Refuse a request on a ground of Pasal 33, answered by the letter --letter (dated --on)."""
    command = (SUBJECT_REQUEST_LIFECYCLE, "refuse_subject_request")
    with signed_in(as_user, password, command, Programme.WRITE) as (jejak, account):
        paper = own_paper(DocumentKind.SURAT, answer, on, account)
        jejak.app.subject_requests.refuse_subject_request(
            _request_id(number),
            refusal_reason=reason,
            explanation=explanation,
            provenance=provenance_on(account, on, paper),
        )
        typer.echo(f"Request {number} refused.")


@requests_cli.command("list")
def list_requests(
    state: Annotated[str | None, typer.Option(help="Only requests in this state.")] = None,
) -> None:
    """The register: each request's kind, state and clock, judged now."""
    jejak = Jejak.open()
    try:
        jejak.runner.catch_up()
        page = SubjectRequestQueries(jejak.engine).requests(
            now=datetime.now(UTC), state=state, limit=10_000, offset=0
        )
    finally:
        jejak.close()
    for row in page.items:
        clock = f"due {datetime_id(row['due_at'])}"
        if row["running"] and row["ran_out"]:
            clock += f" RAN OUT {row['hours_over']} h ago"
        typer.echo(f"{row['number']}  {row['kind']}  {row['state']}  {clock}")
    typer.echo(f"Requests: {page.total}")


@requests_cli.command("copy")
def copy(
    number: Number,
    out: Annotated[Path, typer.Option(help="Where to write her copy (PDF); never overwritten.")],
    as_user: AsUser,
    password: Password,
) -> None:
    """Produce her own data as a PDF for an access request (a logged read of her data)."""
    if out.exists():
        # Refused before her data is read: a read that writes nothing is not logged for naught.
        err_console.print(f"[red]{out} exists; give another --out.[/red]")
        raise typer.Exit(2)
    command = (SUBJECT_REQUEST_LIFECYCLE, "grant_subject_request")
    with signed_in(as_user, password, command, Programme.READ) as (jejak, account):
        produced = copy_or_not_found(jejak, account, number, datetime.now(WITA))
        write_file(out, produced.content)
        typer.echo(f"Her copy for {number} written to {out} ({len(produced.content)} bytes).")


@notices_cli.command("send")
def send() -> None:
    """Queue a notice for every clock that ran out, then send what waits, once each."""
    jejak = Jejak.open()
    try:
        jejak.runner.catch_up()
        outbox = Outbox(jejak.engine)
        queued = outbox.queue_ran_out(public_url=jejak.settings.public_url)
        report = send_waiting(outbox, jejak.settings)
    finally:
        jejak.close()
    typer.echo(
        f"Queued {queued}; sent {report.sent}, to retry {report.retrying},"
        f" failed {report.failed}, without recipients or server {report.skipped}."
    )
    if report.failed:
        raise typer.Exit(1)


@notices_cli.command("list")
def list_notices() -> None:
    """Every notice in the outbox, newest first, with what became of it."""
    jejak = Jejak.open()
    try:
        rows = Outbox(jejak.engine).notices()
    finally:
        jejak.close()
    for row in rows:
        error = f"  {row['last_error']}" if row["last_error"] else ""
        typer.echo(f"{row['status']:<7} {row['attempts']}x  {row['subject']}{error}")
    typer.echo(f"Notices: {len(rows)}")


def write_file(path: Path, content: bytes) -> None:
    """Write a produced file, refusing to overwrite one."""
    with path.open("xb") as out:
        out.write(content)
