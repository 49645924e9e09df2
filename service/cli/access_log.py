"""`jejak access-log`: the access log read on the command line, for the data-protection officer
and the auditors (ADR 0042), filtered as over HTTP; and its hash chain sealed, its head signed,
its checkpoints kept and verified (`seal`, `checkpoint`, `checkpoints`, `verify`, ADR 0047).
Every read and verification is written to the access log, after it is made."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table
from typer.core import TyperGroup

from domain.access import READ_ROLES, WRITE_ROLES, Read, Write
from domain.recording import Role
from service.cli.base import Password, Programme, console, signed_in, signed_in_as
from service.cli.base import err_console as errors
from service.cli.integrity import held_checkpoints, write_checkpoints
from service.cli.options import AsAdministrator
from service.files.access_log_export import AccessLogFormat, access_log_file
from service.queries.access_log import (
    AccessLogFilter,
    access_log_entries,
    record_read,
    record_signing,
    record_verification,
)
from service.security.access_log import AccessAction, Interface
from service.security.access_log_chain import CHECKPOINT_FORMAT
from service.system import Jejak

READERS = READ_ROLES[Read.ACCESS_LOG]
AsReader = Annotated[str | None, typer.Option("--as", help="Your username (dpo or auditor).")]


class EntriesUnlessNamed(TyperGroup):
    """`jejak access-log [OPTIONS]` lists the entries, as it did before the chain's commands
    joined it; `jejak access-log seal|checkpoint|checkpoints|verify` runs the one named."""

    # `Any`: the base class types `ctx` as the click context typer vendors privately.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["list", *args]
        return list(super().parse_args(ctx, args))


access_log_cli = typer.Typer(
    help="The access log: its entries (the default), and its hash chain under signed checkpoints.",
    cls=EntriesUnlessNamed,
)


class Output(StrEnum):
    """How the entries are printed: a table for people, CSV for their tools."""

    TABLE = "table"
    CSV = "csv"


def _instant_text(value: str | None) -> str | None:
    """An option's instant checked as it is read, so that a malformed one is a usage error
    naming the option."""
    if value is not None:
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(
                "not an instant: write it ISO 8601 with its time zone"
            ) from None
        if instant.tzinfo is None:
            raise typer.BadParameter("give the time zone (+08:00 for WITA, Z for UTC)")
    return value


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@access_log_cli.command("list")
def access_log(
    as_user: Annotated[str, typer.Option("--as", help="Your username (dpo or auditor).")],
    password: Password,
    user_id: Annotated[str | None, typer.Option(help="Only this account's entries.")] = None,
    role: Annotated[Role | None, typer.Option(help="Only entries made in this role.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    subject_id: Annotated[UUID | None, typer.Option(help="Only about this record.")] = None,
    case_number: Annotated[str | None, typer.Option(help="Only about her case.")] = None,
    interface: Annotated[Interface | None, typer.Option(help="api, web or cli.")] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", callback=_instant_text, help="From this instant (ISO 8601, zoned)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", callback=_instant_text, help="Up to, not including, this instant."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="At most this many.")] = 50,
    output: Annotated[Output, typer.Option("--format", help="table or csv.")] = Output.TABLE,
) -> None:
    """Who read whose data, what, when (WITA), why and from which interface, newest first.

    Also `jejak access-log` alone. The entries are sealed into the chain first.
    """
    with signed_in(as_user, password, programme=Programme.READ) as (jejak, account):
        if account.role not in READERS:
            errors.print(f"[red]ROLE_FORBIDDEN[/red]: a {account.role.value} may not read it.")
            raise typer.Exit(2)
        jejak.access_log_chain.seal()
        filters = AccessLogFilter(
            user_id,
            role,
            action,
            subject_id,
            case_number,
            interface,
            _instant(start),
            _instant(end),
        )
        entries = access_log_entries(jejak.engine, filters, limit)
        record_read(
            jejak.access_log,
            account,
            AccessAction.READ_ACCESS_LOG,
            output.value,
            len(entries),
            filters,
        )
    if output is Output.CSV:
        made = access_log_file(entries, filters, AccessLogFormat.CSV, datetime.now(UTC))
        sys.stdout.buffer.write(made.content)
        return
    table = Table(
        "id", "at (WITA)", "account", "role", "action", "subject", "case", "detail", "via"
    )
    for e in entries:
        table.add_row(
            str(e.id),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.user_id,
            e.role or "-",
            e.action,
            e.subject_id or "-",
            e.case_number or "-",
            e.detail or "",
            e.interface,
        )
    console.print(table)


@access_log_cli.command("seal")
def seal() -> None:
    """Chain every entry recorded since the last seal.

    Upkeep that shows nothing, so it needs no account: run it as often as you like, for
    example every few minutes from cron.
    """
    jejak = Jejak.open()
    try:
        sealed = jejak.access_log_chain.seal()
    finally:
        jejak.close()
    typer.echo(f"Sealed {sealed.entries} entries; the chain's head is entry {sealed.head}.")


@access_log_cli.command("checkpoint")
def sign_checkpoint(as_user: AsAdministrator = None) -> None:
    """Seal the access log and sign its chain's head now (an administrator)."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak,
            as_user,
            WRITE_ROLES[Write.SIGN_CHECKPOINT],
            "sign a checkpoint",
            Programme.WRITE,
        )
        signed = jejak.access_log_chain.sign_head()
        record_signing(jejak.access_log, account, signed)
        typer.echo(json.dumps(signed.as_dict() if signed else None, indent=2))
    finally:
        jejak.close()


@access_log_cli.command("checkpoints")
def list_checkpoints(
    as_user: AsReader = None,
    out: Annotated[Path | None, typer.Option(help="Write the JSON here instead.")] = None,
) -> None:
    """Every signed checkpoint of the access log's chain with its public key, as JSON.

    The copy the data-protection officer and the auditors keep outside the system.
    """
    jejak = Jejak.open()
    try:
        signed_in_as(jejak, as_user, READERS, "read the access log's checkpoints", Programme.READ)
        write_checkpoints(jejak.access_log_chain.checkpoints.document(), out)
    finally:
        jejak.close()


@access_log_cli.command("verify")
def verify(
    as_user: AsReader = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            help="Checkpoints you kept (the JSON of `jejak access-log checkpoints`).",
        ),
    ] = None,
) -> None:
    """Seal, then re-read every entry against the chain and the signed checkpoints.

    Prints "intact up to entry N", or the first entry where the log breaks and how; exits 1
    when it is broken. The verification is written to the access log.
    """
    jejak = Jejak.open()
    try:
        account = signed_in_as(jejak, as_user, READERS, "verify the access log", Programme.READ)
        held = []
        if checkpoints is not None:
            held = held_checkpoints(checkpoints, CHECKPOINT_FORMAT, "jejak access-log checkpoints")
        result = jejak.access_log_chain.verify(held)
        record_verification(jejak.access_log, account, result)
        typer.echo(result.summary())
    finally:
        jejak.close()
    if not result.intact:
        raise typer.Exit(1)
