"""`jejak evidence`: an evidence bundle for auditors, for one beneficiary, one site, a period
or the whole programme, with the script that checks it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from domain.access import clear_reason_of, may_ask_in_clear
from domain.beneficiary import Beneficiary
from domain.recording import Role
from domain.site import Site
from service.cli.base import Password, Programme, err_console, iso_date_text, signed_in
from service.files.evidence.bundle import Scope
from service.files.evidence.export import export_bundle


def evidence(
    out: Annotated[Path, typer.Option(help="Where to write the bundle (zip).")],
    as_user: Annotated[str, typer.Option("--as", help="Your username (an auditor).")],
    password: Password,
    case_number: Annotated[str | None, typer.Option("--beneficiary")] = None,
    site_code: Annotated[str | None, typer.Option("--site")] = None,
    start: Annotated[str | None, typer.Option("--from", callback=iso_date_text)] = None,
    end: Annotated[str | None, typer.Option("--to", callback=iso_date_text)] = None,
    in_clear: Annotated[
        bool, typer.Option(help="Personal data in clear (an auditor also gives --reason).")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why personal data is needed in clear (access-logged).")
    ] = None,
) -> None:
    """Export an evidence bundle for one beneficiary, one site, a period, or (with no option)
    the whole programme; check it with the verify_bundle.py inside it."""
    with signed_in(as_user, password, programme=Programme.READ) as (jejak, account):
        if account.role not in (Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN):
            err_console.print(f"[red]A {account.role.value} may not export evidence.[/red]")
            raise typer.Exit(2)
        if case_number:
            scope = Scope("beneficiary", Beneficiary.create_id(case_number))
        elif site_code:
            scope = Scope("site", Site.create_id(site_code))
        elif start and end:
            scope = Scope("period", None, date.fromisoformat(start), date.fromisoformat(end))
        elif start or end:
            raise typer.BadParameter("a period needs both --from and --to")
        else:
            scope = Scope("programme")
        if in_clear and not may_ask_in_clear(account.role):
            err_console.print(
                f"[red]A {account.role.value} may not see personal data in clear.[/red]"
            )
            raise typer.Exit(2)
        clear = clear_reason_of(account.role, in_clear=in_clear, reason=reason)
        bundle = export_bundle(jejak, account, scope, clear_reason=clear)
        out.write_bytes(bundle.content)
        typer.echo(
            f"Wrote {out}: {bundle.events} events, {bundle.documents} documents "
            f"({bundle.withheld} withheld), checkpoint at position {bundle.checkpoint.position}."
        )
