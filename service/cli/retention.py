"""`jejak retention`: what is due for destruction, the periods in force, legal holds, and the
four-eyes destruction, from the command line.

`jejak retention` alone lists what is due (`--today` a date, today in WITA by default): each
case number and category, when its period ended, and whether a hold keeps it and why. Every
command that records something runs as a named user (`--as`), refused unless the lifecycle
gives that user's role the command, exactly as over HTTP.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import typer

from domain.beneficiary import Beneficiary
from domain.privacy.categories import CountedFrom, RetentionCategory
from domain.privacy.destruction import DESTRUCTION_LIFECYCLE, Destruction
from domain.privacy.legal_hold import LEGAL_HOLD_LIFECYCLE, HoldKind
from domain.privacy.retention import RETENTION_POLICY_LIFECYCLE
from domain.recording import DocumentKind, DocumentRef
from service.cli.base import Password, Programme, catch_up, iso_date_text, signed_in
from service.cli.options import AsUser, Memo, MemoDate, OnDate, own_paper
from service.provenance import provenance, today_wita
from service.queries import retention as queries
from service.system import Jejak

retention_cli = typer.Typer(
    help="Retention: what is due for destruction, periods, legal holds, destructions.",
    invoke_without_command=True,
)

Issuer = Annotated[str, typer.Option(help="Who issued the paper: an office or an official.")]
Reason = Annotated[str, typer.Option(help="Why. No personal data: case numbers only.")]
DueOn = Annotated[
    str | None,
    typer.Option(
        "--today",
        callback=iso_date_text,
        help="The day taken as today when what is due is judged, YYYY-MM-DD (default: today "
        "in WITA).",
    ),
]


@retention_cli.callback()
def due_now(
    ctx: typer.Context,
    today: DueOn = None,
    category: Annotated[RetentionCategory | None, typer.Option(help="Only this category.")] = None,
) -> None:
    """What is due for destruction on a day, and what holds it back."""
    if ctx.invoked_subcommand is not None:
        return
    day = date.fromisoformat(today) if today else today_wita()
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        rows = queries.due(jejak.engine, day, category)
    finally:
        jejak.close()
    for row in rows:
        holds = "; ".join(r.text for r in row.held_by)
        state = f"HELD ({holds})" if row.held else "due"
        typer.echo(
            f"{row.case_number}  {row.category.value}  ended {row.ends_on.isoformat()}"
            f"  (case ended {row.case_ended_on.isoformat()})  {state}"
        )
    held = sum(1 for r in rows if r.held)
    typer.echo(f"Due on {day.isoformat()}: {len(rows)} ({held} held)")


@retention_cli.command("periods")
def periods() -> None:
    """The period in force per category, and whether it is the default."""
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        found = queries.periods(jejak.engine)
    finally:
        jejak.close()
    for category, period in found.items():
        source = (
            "default"
            if period.is_default
            else f"set {period.set_on} by {period.set_by} on {period.document_number}"
        )
        typer.echo(
            f"{category.value}  {period.years} years from {period.counted_from.value}"
            f"  (at least {period.floor_years})  {source}"
        )


@retention_cli.command("set")
def set_period(
    category: Annotated[RetentionCategory, typer.Argument(help="The category of data.")],
    years: Annotated[int, typer.Option(help="Whole years.")],
    decree: Annotated[str, typer.Option(help="The number of the JRA or decree.")],
    issued: Annotated[str, typer.Option(callback=iso_date_text, help="Its date, YYYY-MM-DD.")],
    issuer: Issuer,
    reason: Reason,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    counted_from: Annotated[
        CountedFrom | None, typer.Option(help="The fact the period runs from.")
    ] = None,
) -> None:
    """Set or change a category's retention period, on its JRA or decree."""
    with signed_in(
        as_user,
        password,
        command=(RETENTION_POLICY_LIFECYCLE, "set_retention_period"),
        programme=Programme.WRITE,
    ) as (jejak, account):
        paper = DocumentRef("decree", decree, date.fromisoformat(issued), issuer)
        result = jejak.app.retention.set_retention_period(
            category=category,
            years=years,
            counted_from=counted_from,
            provenance=provenance(account, date.fromisoformat(on), paper, reason),
        )
        typer.echo(f"{category.value}: {years} years (version {result.version}).")


def _letter(kind: str, number: str, on: str, issuer: str) -> DocumentRef:
    return DocumentRef(kind, number, date.fromisoformat(on), issuer)


@retention_cli.command("hold")
def hold(
    kind: Annotated[HoldKind, typer.Option(help="investigation or litigation.")],
    case: Annotated[list[str], typer.Option(help="A case number held (repeatable).")],
    letter: Annotated[str, typer.Option(help="The number of the letter or court decision.")],
    issuer: Issuer,
    reason: Reason,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    court: Annotated[bool, typer.Option(help="The paper is a court decision.")] = False,
) -> None:
    """Place a legal hold on the cases named."""
    with signed_in(
        as_user,
        password,
        command=(LEGAL_HOLD_LIFECYCLE, "place_legal_hold"),
        programme=Programme.WRITE,
    ) as (jejak, account):
        paper = _letter("court_decision" if court else "surat", letter, on, issuer)
        result = jejak.app.retention.place_legal_hold(
            kind=kind,
            beneficiary_ids=[Beneficiary.create_id(number) for number in case],
            provenance=provenance(account, date.fromisoformat(on), paper, reason),
        )
        typer.echo(f"Hold placed: {result.aggregate_id}")


@retention_cli.command("lift")
def lift(
    hold_id: Annotated[UUID, typer.Argument(help="The hold's id, as `holds` prints.")],
    letter: Annotated[str, typer.Option(help="The number of the paper that ends the matter.")],
    issuer: Issuer,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    court: Annotated[bool, typer.Option(help="The paper is a court decision.")] = False,
) -> None:
    """Lift a legal hold."""
    with signed_in(
        as_user,
        password,
        command=(LEGAL_HOLD_LIFECYCLE, "lift_legal_hold"),
        programme=Programme.WRITE,
    ) as (jejak, account):
        paper = _letter("court_decision" if court else "surat", letter, on, issuer)
        jejak.app.retention.lift_legal_hold(
            hold_id, provenance=provenance(account, date.fromisoformat(on), paper, None)
        )
        typer.echo("Hold lifted.")


@retention_cli.command("holds")
def list_holds() -> None:
    """Every legal hold, newest first."""
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        rows = queries.holds(jejak.engine)
    finally:
        jejak.close()
    for row in rows:
        typer.echo(
            f"{row['hold_id']}  {row['kind']}  {row['state']}  {row['document_number']}"
            f"  {', '.join(row['case_numbers'])}"
        )


@retention_cli.command("propose")
def propose(
    memo: Memo,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    reason: Annotated[str | None, typer.Option(help="Why now. No personal data.")] = None,
    memo_date: MemoDate = None,
) -> None:
    """Propose, on your memo, the destruction of everything due on --on and not held."""
    with signed_in(
        as_user,
        password,
        command=(DESTRUCTION_LIFECYCLE, "propose_destruction"),
        programme=Programme.WRITE,
    ) as (jejak, account):
        paper = own_paper(DocumentKind.NOTA_DINAS, memo, on, account, memo_date)
        result = jejak.app.retention.propose_destruction(
            provenance=provenance(account, date.fromisoformat(on), paper, reason)
        )
        number = jejak.app.load(Destruction, result.aggregate_id).number
        typer.echo(f"Destruction {number} proposed; another supervisor approves it.")


def _destruction_id(jejak: Jejak, number: str) -> UUID:
    catch_up(jejak)
    return UUID(queries.destruction(jejak.engine, number)["destruction_id"])


@retention_cli.command("approve")
def approve(
    number: Annotated[str, typer.Argument(help="The destruction's number (PMS-...).")],
    memo: Memo,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    memo_date: MemoDate = None,
) -> None:
    """Approve a destruction on your memo (another supervisor than the proposer): its keys
    are destroyed."""
    with signed_in(
        as_user,
        password,
        command=(DESTRUCTION_LIFECYCLE, "approve_destruction"),
        programme=Programme.WRITE,
    ) as (jejak, account):
        paper = own_paper(DocumentKind.NOTA_DINAS, memo, on, account, memo_date)
        result = jejak.app.retention.approve_destruction(
            _destruction_id(jejak, number),
            provenance=provenance(account, date.fromisoformat(on), paper, None),
        )
        typer.echo(f"Destruction {number}: {result.state}.")


@retention_cli.command("reject")
def reject(
    number: Annotated[str, typer.Argument(help="The destruction's number (PMS-...).")],
    reason: Reason,
    memo: Memo,
    as_user: AsUser,
    password: Password,
    on: OnDate,
    memo_date: MemoDate = None,
) -> None:
    """Refuse a proposed destruction on your memo; nothing is destroyed."""
    with signed_in(
        as_user,
        password,
        command=(DESTRUCTION_LIFECYCLE, "reject_destruction"),
        programme=Programme.WRITE,
    ) as (jejak, account):
        paper = own_paper(DocumentKind.NOTA_DINAS, memo, on, account, memo_date)
        jejak.app.retention.reject_destruction(
            _destruction_id(jejak, number),
            provenance=provenance(account, date.fromisoformat(on), paper, reason),
        )
        typer.echo(f"Destruction {number} rejected.")


@retention_cli.command("destructions")
def destructions() -> None:
    """Every destruction, newest first."""
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        rows = queries.destruction_list(jejak.engine)
    finally:
        jejak.close()
    for row in rows:
        typer.echo(
            f"{row['number']}  {row['state']}  proposed {row['proposed_on']} by"
            f" {row['proposed_by']}  items {len(row['items'])}  destroyed"
            f" {len(row['destroyed'])}"
        )
