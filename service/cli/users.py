"""`jejak users`: staff accounts, managed by an administrator signed in with `--as`
(ADR 0031); new passwords are asked for, never taken from the command line (ADR 0037)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from domain.access import WRITE_ROLES, Write
from domain.recording import Role
from service.cli.base import console, new_password, signed_in_as
from service.cli.options import AsAdministrator
from service.system import Jejak

users_cli = typer.Typer(help="Manage staff accounts.", no_args_is_help=True)


def _account_manager(jejak: Jejak, username: str | None, *, first_admin: str | None = None) -> str:
    """Who changes an account: an administrator signed in with `--as`. On a store with no
    active administrator yet, the first one is created by no one else: it is recorded as its
    own creator (`first_admin`)."""
    if first_admin is not None and not any(
        a.active and a.role is Role.ADMIN for a in jejak.accounts.list()
    ):
        return first_admin
    return signed_in_as(
        jejak, username, WRITE_ROLES[Write.MANAGE_ACCOUNTS], "manage accounts"
    ).username


@users_cli.command("add")
def users_add(
    username: str,
    role: Role,
    org_unit: Annotated[str, typer.Option()],
    display_name: Annotated[str, typer.Option()],
    as_user: AsAdministrator = None,
) -> None:
    """Create an account, as an administrator (`--as`; the first administrator of a new store
    needs none). The new password is asked for (or JEJAK_NEW_PASSWORD, for a script)."""
    jejak = Jejak.open()
    try:
        first = username if role is Role.ADMIN else None
        manager = _account_manager(jejak, as_user, first_admin=first)
        jejak.accounts.create(username, new_password(), role, org_unit, display_name)
        jejak.access_log.record(
            manager, Role.ADMIN, "account_created", "account", None, f"{username} as {role.value}"
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
        jejak.accounts.set_password(username, new_password())
        jejak.access_log.record(manager, Role.ADMIN, "password_set", "account", None, username)
        console.print(f"Password of {username} changed.")
    finally:
        jejak.close()


@users_cli.command("deactivate")
def users_deactivate(
    username: str,
    as_user: AsAdministrator = None,
) -> None:
    """Deactivate an account (its tokens stop working at once), as an administrator."""
    jejak = Jejak.open()
    try:
        manager = _account_manager(jejak, as_user)
        jejak.accounts.deactivate(username)
        jejak.access_log.record(
            manager, Role.ADMIN, "account_deactivated", "account", None, username
        )
        console.print(f"Deactivated {username}.")
    finally:
        jejak.close()
