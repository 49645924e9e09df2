"""`jejak read-model`: a read model at a past cut, one JSON row per line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from service.cli.base import catch_up, err_console
from service.cli.options import AsAt, KnownAt, cut_of
from service.queries.money import money_report_at
from service.queries.time_travel import read_model_page
from service.system import Jejak


def read_model_at(
    read_model: str,
    known_at: KnownAt = None,
    as_at: AsAt = None,
    site: Annotated[str | None, typer.Option(help="Only this site's rows (site id).")] = None,
    state: Annotated[str | None, typer.Option(help="Only rows in this state.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many rows.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Rows to skip first.")] = 0,
) -> None:
    """A read model at a past cut, one JSON row per line (sealed columns left out): any row
    read model, payment_ledger (running totals as they stood) or budget_position."""
    if known_at is None and as_at is None:
        err_console.print("[red]Give --known-at, --as-at or both.[/red]")
        raise typer.Exit(2)
    where = {k: v for k, v in (("site_id", site), ("state", state)) if v is not None}
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        cut = cut_of(jejak, known_at, as_at)
        assert cut is not None
        try:
            page = money_report_at(
                jejak, read_model, cut, where, limit=limit, offset=offset
            ) or read_model_page(jejak, read_model, cut, where, limit=limit, offset=offset)
        except (LookupError, KeyError) as error:
            err_console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
        for row in page.items:
            typer.echo(json.dumps(row, default=str, sort_keys=True))
    finally:
        jejak.close()
