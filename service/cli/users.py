"""`jejak users`: staff accounts, managed by an administrator signed in with `--as`
(ADR 0031); new passwords are asked for, never taken from the command line (ADR 0037).

Every change of role, unit or activity is recorded as an event dated `--on` (the day it takes
effect, today when not given), on the appointment letter when one is named, before the
account's row changes (ADR 0045)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from domain.access import WRITE_ROLES, Write
from domain.recording import Actor, DocumentKind, DocumentRef, Provenance, Role
from service.cli.base import console, iso_date_text, new_password, signed_in_as
from service.cli.options import AsAdministrator
from service.commands.accounts import AccountAdministration, AccountChange
from service.provenance import actor_of, today_wita
from service.system import Jejak

users_cli = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)

EffectiveOn = Annotated[
    str | None,
    typer.Option(
        "--on",
        callback=iso_date_text,
        help="The business date (WITA) the grant takes effect, YYYY-MM-DD; default today. "
        "May lie in the past, to record a history from its letters.",
    ),
]
Letter = Annotated[
    str | None, typer.Option("--letter", help="The number of the appointment letter (SK).")
]
LetterIssuer = Annotated[
    str | None, typer.Option("--letter-issuer", help="Who issued the letter (an office).")
]
Reason = Annotated[
    str | None, typer.Option("--reason", help="Why the grant is given (no personal data).")
]
LetterDate = Annotated[
    str | None,
    typer.Option("--letter-date", callback=iso_date_text, help="The letter's date; default --on."),
]


def _account_manager(
    jejak: Jejak, username: str | None, *, first_admin: Actor | None = None
) -> Actor:
    """Who changes an account: an administrator signed in with `--as`. On a store with no
    active administrator yet, the first one is created by no one else: it is recorded as its
    own creator (`first_admin`)."""
    if first_admin is not None and not any(
        a.active and a.role is Role.ADMIN for a in jejak.accounts.list()
    ):
        return first_admin
    return actor_of(
        signed_in_as(jejak, username, WRITE_ROLES[Write.MANAGE_ACCOUNTS], "manage accounts")
    )


def grant_provenance(
    actor: Actor,
    on: str | None,
    letter: str | None,
    letter_date: str | None,
    letter_issuer: str | None,
    reason: str | None = None,
    kind: DocumentKind = DocumentKind.DECREE,
) -> Provenance:
    """The provenance of a grant: the administrator, the day it takes effect, its letter and
    why it was given."""
    effective = date.fromisoformat(on) if on else today_wita()
    document = None
    if letter is not None:
        issued = date.fromisoformat(letter_date) if letter_date else effective
        document = DocumentRef(kind.value, letter, issued, letter_issuer or "")
    return Provenance(actor, effective, document, reason)


def administration(jejak: Jejak) -> AccountAdministration:
    """The account changes the administration pages make too, recorded the same way."""
    return AccountAdministration(jejak.accounts, jejak.access_log, jejak.app.staff)


@users_cli.command("add")
def users_add(
    username: str,
    role: Role,
    org_unit: Annotated[str, typer.Option(help="The unit's code (once units are set up).")],
    display_name: Annotated[str, typer.Option()],
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
    letter: Letter = None,
    letter_date: LetterDate = None,
    letter_issuer: LetterIssuer = None,
    reason: Reason = None,
) -> None:
    """Create an account, as an administrator (`--as`; the first administrator of a new store
    needs none). The new password is asked for (or JEJAK_NEW_PASSWORD, for a script)."""
    jejak = Jejak.open()
    try:
        first = Actor(username, Role.ADMIN, org_unit) if role is Role.ADMIN else None
        manager = _account_manager(jejak, as_user, first_admin=first)
        administration(jejak).add(
            username,
            new_password(),
            role,
            org_unit,
            display_name,
            provenance=grant_provenance(manager, on, letter, letter_date, letter_issuer, reason),
        )
        console.print(f"Created {username} ({role.value}).")
    finally:
        jejak.close()


@users_cli.command("list")
def users_list() -> None:
    """List accounts."""
    jejak = Jejak.open()
    try:
        table = Table("username", "role", "unit", "name", "active")
        for a in jejak.accounts.list():
            table.add_row(
                a.username, a.role.value, a.org_unit, a.display_name, "yes" if a.active else "no"
            )
        console.print(table)
    finally:
        jejak.close()


@users_cli.command("passwd")
def users_passwd(
    username: str,
    as_user: AsAdministrator = None,
) -> None:
    """Set an account's password, as an administrator (`--as`); the new password is asked for
    (or JEJAK_NEW_PASSWORD, for a script)."""
    jejak = Jejak.open()
    try:
        manager = _account_manager(jejak, as_user)
        administration(jejak).set_password(username, new_password(), manager=manager)
        console.print(f"Password of {username} changed.")
    finally:
        jejak.close()


def _change(
    username: str,
    change: AccountChange,
    as_user: str | None,
    grant: tuple[str | None, str | None, str | None, str | None, str | None],
    to: str = "",
) -> None:
    """One change of an account's grants (`grant`: --on, --letter, --letter-date,
    --letter-issuer, --reason), as an administrator."""
    jejak = Jejak.open()
    try:
        manager = _account_manager(jejak, as_user)
        on, letter, letter_date, letter_issuer, reason = grant
        administration(jejak).change(
            username,
            change,
            provenance=grant_provenance(manager, on, letter, letter_date, letter_issuer, reason),
            to=to,
        )
    finally:
        jejak.close()


@users_cli.command("role")
def users_role(
    username: str,
    role: Role,
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
    letter: Letter = None,
    letter_date: LetterDate = None,
    letter_issuer: LetterIssuer = None,
    reason: Reason = None,
) -> None:
    """Give an account another role from `--on`, as an administrator."""
    grant = (on, letter, letter_date, letter_issuer, reason)
    _change(username, AccountChange.ROLE, as_user, grant, role.value)
    console.print(f"{username} is {role.value} from {on or today_wita().isoformat()}.")


@users_cli.command("move")
def users_move(
    username: str,
    unit: Annotated[str, typer.Option(help="The code of the unit it moves to.")],
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
    letter: Letter = None,
    letter_date: LetterDate = None,
    letter_issuer: LetterIssuer = None,
    reason: Reason = None,
) -> None:
    """Move an account to another unit from `--on`, as an administrator."""
    _change(
        username,
        AccountChange.UNIT,
        as_user,
        (on, letter, letter_date, letter_issuer, reason),
        unit,
    )
    console.print(f"{username} belongs to {unit} from {on or today_wita().isoformat()}.")


@users_cli.command("deactivate")
def users_deactivate(
    username: str,
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
    letter: Letter = None,
    letter_date: LetterDate = None,
    letter_issuer: LetterIssuer = None,
    reason: Reason = None,
) -> None:
    """Deactivate an account (its tokens stop working at once), as an administrator."""
    grant = (on, letter, letter_date, letter_issuer, reason)
    _change(username, AccountChange.DEACTIVATE, as_user, grant)
    console.print(f"Deactivated {username}.")


@users_cli.command("reactivate")
def users_reactivate(
    username: str,
    as_user: AsAdministrator = None,
    on: EffectiveOn = None,
    letter: Letter = None,
    letter_date: LetterDate = None,
    letter_issuer: LetterIssuer = None,
    reason: Reason = None,
) -> None:
    """Let a deactivated account sign in again, in its role and unit, as an administrator."""
    grant = (on, letter, letter_date, letter_issuer, reason)
    _change(username, AccountChange.REACTIVATE, as_user, grant)
    console.print(f"Reactivated {username}.")


@users_cli.command("check")
def users_check(
    repair: Annotated[
        bool,
        typer.Option(
            help="Record the opening of accounts with no grants, and copy the recorded grants "
            "to rows that differ (needs --as)."
        ),
    ] = False,
    as_user: AsAdministrator = None,
) -> None:
    """Compare the accounts table with the recorded grants, which are the authority; exits 1
    while they differ and nothing was repaired."""
    jejak = Jejak.open()
    try:
        if repair:
            manager = _account_manager(jejak, as_user)
            fixed = jejak.accounts.repair(Provenance(manager, today_wita()))
            for m in fixed:
                console.print(f"repaired {m.username}: {m.problem}")
            console.print(f"{len(fixed)} repaired.")
            return
        found = jejak.accounts.mismatches()
        for m in found:
            console.print(f"{m.username}: {m.problem}")
        if found:
            raise typer.Exit(1)
        console.print("Every account's row follows its recorded grants.")
    finally:
        jejak.close()
