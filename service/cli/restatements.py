"""`jejak rebuild` and `jejak restatements`: read models rebuilt from the whole log next to the
live ones, compared, and switched to with a restatement on record (ADR 0020); and that record
read from the command line, as auditors read it over HTTP (`GET /api/restatements`).

Rebuilding is an official's act, taken with `--as`; reading needs no account, as `jejak status`
and `jejak read-model` do: a restatement's rows keep the read models' sealed columns sealed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.progress import Progress, ProgressColumn, Task, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from domain.restatement import Restatement
from projections.side_by_side import ChainDiverged, RowChange, TableDiff, refuse_a_changed_chain
from service.cli.base import console, err_console, progress_bar, signed_in_as
from service.commands import restatements
from service.commands.restatements import Restatements, setting_causes
from service.security.accounts import Account
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


def rebuild(
    names: Annotated[list[str] | None, typer.Argument(help="Read models to rebuild.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every read model.")] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why the reports change; kept in the record.")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Your username; the restatement is yours.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Switch without asking.")] = False,
    show: Annotated[int, typer.Option(help="Rows of each kind of difference to show.")] = 10,
    drop_previous: Annotated[
        bool, typer.Option("--drop-previous", help="Drop the versions earlier switches kept.")
    ] = False,
) -> None:
    """Rebuild read models from the whole log next to the live ones, show what would change,
    and switch to them on confirmation, recording a restatement (ADR 0020)."""
    jejak = Jejak.open()
    try:
        if drop_previous:
            dropped = restatements.drop_previous(jejak, names or [])
            console.print(f"Dropped {', '.join(dropped) or 'nothing'}.")
            return
        chosen = restatements.side_by_side_names(jejak) if every else list(names or [])
        if not chosen:
            raise typer.BadParameter("name the read models to rebuild, or give --all")
        if not (reason or "").strip() or not as_user:
            raise typer.BadParameter("a restatement needs --reason and --as")
        Restatement.check_reason(reason)
        account = _rebuilder(jejak, as_user)
        try:
            with _rebuild_progress() as progress:
                task = progress.add_task("Rebuilding " + ", ".join(chosen), total=None)
                rebuilt = restatements.prepare(
                    jejak,
                    chosen,
                    on_total=lambda head: progress.update(task, total=head),
                    on_batch=lambda n: progress.advance(task, n),
                )
        except ValueError as error:
            err_console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        diffs = restatements.compare(rebuilt)
        _print_diffs(jejak, diffs, show)
        try:
            refuse_a_changed_chain(diffs)
        except ChainDiverged as error:
            err_console.print(f"[red]{error.code}[/red]: {error}")
            raise typer.Exit(3) from None
        if not yes and not typer.confirm("Switch to the rebuilt read models?"):
            console.print("Nothing switched; the rebuilt tables stay until the next rebuild.")
            raise typer.Exit(1)
        try:
            done = restatements.switch(rebuilt, account, reason or "")
        except ChainDiverged as error:  # the chain moved between the diff and the switch
            err_console.print(f"[red]{error.code}[/red]: {error}")
            raise typer.Exit(3) from None
        console.print(
            f"Switched {', '.join(chosen)} at position {done.position}; restatement"
            f" {done.restatement_id} recorded at {done.event_position}. The previous version"
            " stays until `jejak rebuild --drop-previous`."
        )
    finally:
        jejak.close()


def _rebuilder(jejak: Jejak, username: str) -> Account:
    roles = Restatement.lifecycle.roles_for("restate_read_models")
    return signed_in_as(jejak, username, roles, "restate read models")


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} events/s")


def _rebuild_progress() -> Progress:
    return progress_bar(_RateColumn(), TimeRemainingColumn())


def _print_diffs(jejak: Jejak, diffs: list[TableDiff], show: int) -> None:
    summary = Table("table", "rows", "added", "removed", "changed", "checks")
    for diff in diffs:
        counts = diff.counts()
        checks = ", ".join(f"{k} {v}" for k, v in diff.checks.items())
        summary.add_row(
            diff.table,
            str(diff.rows),
            *(str(counts[k]) for k in ("added", "removed", "changed")),
            checks,
        )
    console.print(summary)
    shown = {
        (diff.table, kind): [c for c in diff.changes if c.kind == kind][:show]
        for diff in diffs
        for kind in ("added", "removed", "changed")
    }
    events = restatements.explaining_events(
        jejak, (p for rows in shown.values() for c in rows for p in c.positions)
    )
    settings = {diff.table: diff.settings for diff in diffs}
    for (table, kind), rows in shown.items():
        if not rows:
            continue
        explained_by = "explained by (setting, or position event)"
        listing = Table("key", "columns", explained_by, title=f"{table}: {kind}")
        # A changed setting explains every row of its table better than the row's last event.
        causes = restatements.setting_causes(settings[table])
        print_setting_causes(table, causes)
        for change in rows:
            events_behind = ", ".join(
                f"{p} {events[p]['event']}" if p in events else str(p) for p in change.positions
            )
            explained = SETTING_CAUSE if causes else events_behind
            listing.add_row(change.key, ", ".join(change.columns), explained)
        console.print(listing)


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
