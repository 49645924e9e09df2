"""The options the `jejak` commands share, one name for each meaning (ADR 0037): who gives the
command (`--as`, ADR 0031), its business date (`--on`), the cut (`--known-at`, `--as-at`), the
day deadlines are judged on (`--today`) and the memo a decision rests on (`--memo`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from domain.recording import DocumentKind, DocumentRef
from service.cli.base import err_console, iso_date_text
from service.queries.time_travel import Cut, known_position
from service.security.accounts import Account
from service.system import Jejak

KnownAt = Annotated[
    str | None,
    typer.Option(
        help="What the system said then: a log position, or a recording time "
        "(ISO 8601 with its time zone)."
    ),
]
AsAt = Annotated[str | None, typer.Option(help="Business date: what had happened by then.")]


def cut_of(jejak: Jejak, known_at: str | None, as_at: str | None) -> Cut | None:
    """The cut the options name (None when neither is given); a bad value ends the command
    with its reason."""
    if known_at is None and as_at is None:
        return None
    try:
        return Cut(
            known_at=None if known_at is None else known_position(jejak, known_at),
            as_at=date.fromisoformat(as_at) if as_at else None,
        )
    except ValueError as error:
        err_console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


Today = Annotated[
    str | None,
    typer.Option(
        callback=iso_date_text,
        help="The day taken as today when deadlines are judged (overdue work, withdrawals); "
        "default: the --as-at date, else today in WITA. Not a cut: the records stay as they are.",
    ),
]

AsUser = Annotated[str, typer.Option("--as", help="Your username; the command is yours.")]
# Optional so that the command can say why it is needed (and `users add` of the first
# administrator of a new store can do without).
AsAdministrator = Annotated[
    str | None, typer.Option("--as", help="Your username (an administrator).")
]
OnDate = Annotated[
    str, typer.Option(callback=iso_date_text, help="The business date (WITA), YYYY-MM-DD.")
]

Memo = Annotated[
    str, typer.Option("--memo", help="The number of the memo (nota dinas) the decision rests on.")
]
MemoDate = Annotated[
    str | None,
    typer.Option(callback=iso_date_text, help="The memo's date, YYYY-MM-DD (default: --on)."),
]


def own_paper(
    kind: DocumentKind, number: str, on: str, account: Account, issued: str | None = None
) -> DocumentRef:
    """A paper the signed-in account's office wrote (a memo, an answer letter), dated --on
    unless `issued` says otherwise."""
    return DocumentRef(kind, number, date.fromisoformat(issued or on), account.org_unit)
