"""`jejak access-log`: the access log read on the command line, for the data-protection officer
and the auditors (ADR 0042), filtered as over HTTP; the read is written to the access log."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from domain.access import READ_ROLES, Read
from domain.recording import Role
from service.cli.base import Password, console, signed_in
from service.cli.base import err_console as errors
from service.files.access_log_export import AccessLogFormat, access_log_file
from service.queries.access_log import AccessLogFilter, access_log_entries, record_read
from service.security.access_log import AccessAction, Interface


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
    """Who read whose data, what, when (WITA), why and from which interface, newest first."""
    with signed_in(as_user, password) as (jejak, account):
        if account.role not in READ_ROLES[Read.ACCESS_LOG]:
            errors.print(f"[red]ROLE_FORBIDDEN[/red]: a {account.role.value} may not read it.")
            raise typer.Exit(2)
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
