"""`jejak restatements`: the record of restatements from the command line, as auditors read it
over HTTP (`GET /api/restatements`, ADR 0020).

Reading needs no account, as `jejak status` and `jejak read-model` do: a restatement's rows keep the
read models' sealed columns sealed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from projections.side_by_side import RowChange
from service.cli.base import err_console
from service.cli.money import console
from service.commands.restatements import Restatements, setting_causes
from service.system import Jejak

KINDS = ("added", "removed", "changed")
# What a row changed by a setting shows as its cause; the settings are printed above the rows.
SETTING_CAUSE = "the settings above"


def restatements_command(
    restatement_id: Annotated[
        str | None,
        typer.Argument(help="One restatement's id: its rows and the events behind them."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="How many to skip first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="The whole answer as JSON.")] = False,
) -> None:
    """The restatements on record, newest first; or one, with every row it changed."""
    key = _restatement_id(restatement_id) if restatement_id else None
    jejak = Jejak.open()
    try:
        record = Restatements(jejak)
        found = record.one(key, limit, offset) if key else record.list(limit, offset)
    finally:
        jejak.close()
    if found is None:
        err_console.print(f"[red]NOT_FOUND[/red]: no restatement {key}.")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(found, default=str, indent=2, sort_keys=True))
    elif key:
        _print_one(found)
    else:
        _print_list(found)


def _restatement_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        err_console.print(f"[red]INVALID_VALUE[/red]: {text!r} is not a restatement id.")
        raise typer.Exit(2) from None


def _print_list(page: dict[str, Any]) -> None:
    console.print(f"{page['total']} restatements, newest first.")
    for item in page["items"]:
        counts = _counts(item["summary"])
        console.print(
            f"\n[bold]{item['restatement_id']}[/bold] {str(item['switched_at'])[:16]}"
            f" by {item['actor_id']} ({item['actor_role']}), log position {item['log_position']}:"
            f" {', '.join(sorted(item['projections']))};"
            f" {', '.join(f'{counts[k]} {k}' for k in KINDS)}"
        )
        console.print(f"  {item['reason']}")


def _print_one(found: dict[str, Any]) -> None:
    console.print(
        f"Restatement {found['restatement_id']}, switched {str(found['switched_at'])[:19]} by"
        f" {found['actor_id']} ({found['actor_role']}) at log position {found['log_position']}"
        f" with Jejak {found['code_version']} ({found['git_commit']})."
    )
    console.print(f"Reason: {found['reason']}")
    summary = Table("table", "rows", *KINDS)
    for table, counts in sorted(found["summary"].items()):
        summary.add_row(table, str(counts.get("rows", "")), *(str(counts[k]) for k in KINDS))
    console.print(summary)
    for table, changes in sorted(found["settings_changed"].items()):
        print_setting_causes(table, setting_causes(changes))
    rows = Table("table", "kind", "key", "columns", "explained by (setting, or position event)")
    for row in found["rows"]:
        events = ", ".join(f"{e['position']} {e['event']}" for e in row["events"])
        explained = SETTING_CAUSE if row["settings"] else events
        rows.add_row(row["table"], row["kind"], row["key"], _columns(row), explained)
    console.print(rows)


def print_setting_causes(table: str, causes: list[dict[str, Any]]) -> None:
    """The settings a table was rebuilt with, one a line as a cause reads:
    ``JEJAK_DEADLINE_DAYS.withdrawal_days 90 -> 60``."""
    if not causes:
        return
    console.print(f"{table} was rebuilt with other settings, which explain its rows' changes:")
    for cause in causes:
        console.print(f"  {cause['setting']} {cause['before']} -> {cause['after']}")


def _columns(row: dict[str, Any]) -> str:
    """The columns a changed row differs in, as the rebuild's own diff names them; "all" for
    a row added or removed."""
    if row["kind"] != "changed":
        return "all"
    change = RowChange(row["table"], row["kind"], row["key"], row["before"], row["after"])
    return ", ".join(change.columns)


def _counts(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    return {k: sum(table.get(k, 0) for table in summary.values()) for k in KINDS}
