"""`jejak search`: finding a case by its case number, or by her exact name through the
erasable keyed name index, and rebuilding that index (ADR 0043).

A name is prompted for, never taken as an argument, so it stays out of the shell's history
and the process list. Names in the answer are shown as the account's role sees them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from domain.access import WRITE_ROLES, Write
from service.cli.base import Password, catch_up, console, signed_in, signed_in_as
from service.cli.options import AsAdministrator, AsUser
from service.commands.name_index import reindex_names
from service.queries.paging import Page, Row
from service.queries.read_models import ReadModels
from service.security.scope import of_account
from service.system import Jejak

search_cli = typer.Typer(
    help="Find a case by case number or by her exact name.", no_args_is_help=True
)

Limit = Annotated[int, typer.Option(min=1, max=500, help="At most this many cases.")]


@search_cli.command("case")
def by_case_number(
    case_number: Annotated[
        str, typer.Argument(help="A case number, or its beginning (TRK-JP-00).")
    ],
    as_user: AsUser,
    password: Password,
    limit: Limit = 50,
) -> None:
    """Cases whose number is this one or begins with it."""
    with signed_in(as_user, password) as (jejak, account):
        catch_up(jejak)
        _print(
            ReadModels.of(jejak, of_account(jejak.scopes, account)).search.by_case_number(
                account, case_number, limit=limit
            )
        )


@search_cli.command("name")
def by_name(as_user: AsUser, password: Password, limit: Limit = 50) -> None:
    """Cases of the women registered under the name you type at the prompt (operators and
    supervisors); the search is logged, the name never."""
    with signed_in(as_user, password) as (jejak, account):
        catch_up(jejak)
        name = str(typer.prompt("Her name"))
        _print(
            ReadModels.of(jejak, of_account(jejak.scopes, account)).search.by_name(
                account, name, limit=limit
            )
        )


@search_cli.command("reindex")
def reindex(as_user: AsAdministrator = None) -> None:
    """Index every registered woman by her current name: once for a store registered before
    the index existed, or to repair it. Opens each name once and shows none."""
    jejak = Jejak.open()
    try:
        account = signed_in_as(
            jejak, as_user, WRITE_ROLES[Write.REINDEX_NAMES], "rebuild the name index"
        )
        catch_up(jejak)
        console.print(f"{reindex_names(jejak, account)} names indexed.")
    finally:
        jejak.close()


def _print(page: Page[Row]) -> None:
    for item in page.items:
        console.print(
            f"{item['case_number']}  {item['site_code'] or '-'}  {item['state']}  {item['name']}",
            highlight=False,
            markup=False,
        )
    console.print(f"{len(page.items)} of {page.total} cases.", highlight=False)
