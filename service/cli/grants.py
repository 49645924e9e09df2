"""`jejak units`, `jejak assignments` and `jejak grants`: the offices that work the programme,
the examiners' assignments, and who could do what where on a day (ADR 0044, ADR 0045).

Writes run as a named administrator (`--as`, ADR 0031) and are recorded as events dated `--on`;
the grants are read by the roles `domain.access.READ_ROLES` names."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from domain.access import READ_ROLES, Read
from domain.assignments import ASSIGNMENT_LIFECYCLE
from domain.recording import DocumentKind
from domain.units import UNIT_LIFECYCLE, UnitInfo, UnitKind
from projections.custody import directory_of
from service.cli.base import catch_up, console, iso_date_text, signed_in_as
from service.cli.options import AsAdministrator
from service.cli.users import EffectiveOn, grant_provenance
from service.provenance import actor_of, today_wita
from service.security import grants
from service.system import Jejak

units_cli = typer.Typer(help="The units (offices) that work the programme.", no_args_is_help=True)
assignments_cli = typer.Typer(help="Examiners' assignments (surat tugas).", no_args_is_help=True)
grants_cli = typer.Typer(help="Who could do what, where, on a day.", no_args_is_help=True)

AsReader = Annotated[str | None, typer.Option("--as", help="Your username (admin, auditor, dpo).")]
Day = Annotated[
    str | None,
    typer.Option("--on", callback=iso_date_text, help="The business date; default today (WITA)."),
]
Auditor = Annotated[str, typer.Argument(help="The examiner's username.")]
LetterNumber = Annotated[str, typer.Option("--letter", help="The letter's number.")]


@units_cli.command("add")
def units_add(
    code: Annotated[str, typer.Option(help="Upper-case code, e.g. DINSOS-TARAKAN.")],
    name: Annotated[str, typer.Option()],
    kind: Annotated[UnitKind, typer.Option()],
    region: Annotated[str, typer.Option(help="Kemendagri code, e.g. 65.71; '' for the ministry.")],
    facility: Annotated[
        list[str] | None, typer.Option(help="A training facility it runs (repeatable).")
    ] = None,
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
) -> None:
    """Set up a unit, as an administrator."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak, as_user, UNIT_LIFECYCLE.roles_for("establish_unit"), "establish units"
        )
        info = UnitInfo(code, name, kind, region, tuple(facility or ()))
        jejak.app.units.establish_unit(
            info, provenance=grant_provenance(actor_of(account), on, None, None, None)
        )
        console.print(f"Unit {code} established.")
    finally:
        jejak.close()


@units_cli.command("list")
def units_list() -> None:
    """List the units in the system."""
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        table = Table("code", "name", "kind", "region", "facilities")
        with jejak.engine.connect() as conn:
            directory = directory_of(conn)
        for unit in directory.all():
            table.add_row(
                unit.code, unit.name, unit.kind.value, unit.region, ", ".join(unit.facilities)
            )
        console.print(table)
    finally:
        jejak.close()


@assignments_cli.command("give")
def assignments_give(
    auditor: Auditor,
    valid_from: Annotated[
        str, typer.Option("--from", callback=iso_date_text, help="First day, YYYY-MM-DD.")
    ],
    valid_until: Annotated[
        str, typer.Option("--until", callback=iso_date_text, help="Last day, YYYY-MM-DD.")
    ],
    letter: LetterNumber,
    letter_issuer: Annotated[str, typer.Option(help="Who issued the surat tugas.")],
    letter_date: Annotated[
        str | None,
        typer.Option(callback=iso_date_text, help="The letter's date; default --on."),
    ] = None,
    unit: Annotated[list[str] | None, typer.Option(help="A unit it covers (repeatable).")] = None,
    whole_programme: Annotated[bool, typer.Option(help="It covers the whole programme.")] = False,
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
) -> None:
    """Record an examiner's assignment on its surat tugas, as an administrator: it gives the
    units (or the whole programme) from --from to --until, and nothing outside those days."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak, as_user, ASSIGNMENT_LIFECYCLE.roles_for("give_assignment"), "give assignments"
        )
        jejak.app.assignments.give(
            auditor,
            units=unit or (),
            whole_programme=whole_programme,
            valid_from=date.fromisoformat(valid_from),
            valid_until=date.fromisoformat(valid_until),
            provenance=grant_provenance(
                actor_of(account), on, letter, letter_date, letter_issuer, kind=DocumentKind.SURAT
            ),
        )
        console.print(f"{auditor} is assigned from {valid_from} until {valid_until}.")
    finally:
        jejak.close()


@assignments_cli.command("withdraw")
def assignments_withdraw(
    auditor: Auditor,
    letter: LetterNumber,
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
) -> None:
    """Withdraw the assignment a letter gave an examiner, from --on, as an administrator."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak,
            as_user,
            ASSIGNMENT_LIFECYCLE.roles_for("withdraw_assignment"),
            "withdraw assignments",
        )
        jejak.app.assignments.withdraw(
            auditor,
            letter,
            provenance=grant_provenance(actor_of(account), on, None, None, None),
        )
        console.print(f"The assignment {letter} of {auditor} is withdrawn.")
    finally:
        jejak.close()


@assignments_cli.command("list")
def assignments_list(
    as_user: AsReader = None,
    auditor: Annotated[str | None, typer.Option(help="Only this examiner's.")] = None,
) -> None:
    """List the examiners' assignments."""
    jejak = Jejak.open()
    try:
        signed_in_as(jejak, as_user, READ_ROLES[Read.GRANTS], "read the grants")
        catch_up(jejak)
        with jejak.engine.connect() as conn:
            found = grants.assignments_of(conn, auditor)
        # Plain lines, one per assignment: a letter number is not cut short.
        for a in found:
            covers = "whole programme" if a.coverage.whole_programme else ",".join(a.coverage.units)
            withdrawn = "" if a.withdrawn_on is None else f"  withdrawn {a.withdrawn_on}"
            console.print(
                f"{a.auditor}  {covers}  {a.valid_from} .. {a.valid_until}{withdrawn}"
                f"  on {a.letter_number}",
                soft_wrap=True,
                highlight=False,
            )
    finally:
        jejak.close()


@grants_cli.command("who-could")
def who_could(
    command: Annotated[str, typer.Option(help="A command, e.g. approve_batch.")],
    unit: Annotated[str | None, typer.Option(help="Where: a unit's code.")] = None,
    region: Annotated[str | None, typer.Option(help="Where: a region code, e.g. 65.71.")] = None,
    site: Annotated[str | None, typer.Option(help="Where: a site's code, e.g. TRK-JP.")] = None,
    on: Day = None,
    as_user: AsReader = None,
) -> None:
    """The accounts that could issue a command for the things of a place on a day: active
    then, in a role the command's declaration names, with that place in their scope then."""
    jejak = Jejak.open()
    try:
        signed_in_as(jejak, as_user, READ_ROLES[Read.GRANTS], "read the grants")
        catch_up(jejak)
        day = date.fromisoformat(on) if on else today_wita()
        with jejak.engine.connect() as conn:
            place = grants.place_unit(
                conn, grants.directory_on(conn, day), unit=unit, region=region, site=site
            )
            holders = grants.who_could(conn, command, place, day)
        table = Table("username", "name", "role", "unit", "through")
        for h in holders:
            table.add_row(h.username, h.display_name, h.role.value, h.unit, h.through)
        console.print(table)
        console.print(f"{len(holders)} could {command} there on {day.isoformat()}.")
    finally:
        jejak.close()


@grants_cli.command("history")
def grants_history(username: str, as_user: AsReader = None) -> None:
    """An account's grants by business date, and its assignments."""
    jejak = Jejak.open()
    try:
        signed_in_as(jejak, as_user, READ_ROLES[Read.GRANTS], "read the grants")
        catch_up(jejak)
        with jejak.engine.connect() as conn:
            held = grants.history(conn, username)
            assigned = grants.assignments_of(conn, username)
        # Plain lines, one per grant: a narrow terminal must not cut a date or a letter short.
        for g in held:
            until = "" if g.valid_until is None else g.valid_until.isoformat()
            console.print(
                f"{g.valid_from.isoformat()} .. {until:<10}  {g.role.value:<10} {g.unit}"
                f"  {'active' if g.active else 'inactive'}  by {g.granted_by}"
                + (f"  on {g.document_number}" if g.document_number else ""),
                soft_wrap=True,
                highlight=False,
            )
        for a in assigned:
            covers = "the whole programme" if a.coverage.whole_programme else a.coverage.units
            console.print(
                f"assigned {covers} from {a.valid_from} until {a.last_day} ({a.letter_number})"
            )
        if not held:
            console.print(f"No grants recorded for {username}.")
    finally:
        jejak.close()
