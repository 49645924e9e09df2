"""`jejak status`: the dashboard as plain text, deterministic for the same events, now or at a
past cut."""

from __future__ import annotations

from datetime import date

import typer

from domain.units import EVERYTHING
from service.cli.base import catch_up
from service.cli.options import AsAt, KnownAt, Today, cut_of
from service.i18n.formats import rupiah
from service.provenance import today_wita
from service.queries.dashboard import dashboard_at
from service.queries.paging import Row
from service.queries.read_models import ReadModels
from service.queries.time_travel import Cut, read_model_at
from service.system import Jejak


def status(
    today: Today = None,
    as_at: AsAt = None,
    known_at: KnownAt = None,
) -> None:
    """The dashboard's figures as text (the same events always give the same text), now or at
    a past cut."""
    jejak = Jejak.open()
    try:
        catch_up(jejak)
        cut = cut_of(jejak, known_at, as_at)
        day = date.fromisoformat(today) if today else (cut and cut.as_at) or today_wita()
        typer.echo(render_status(jejak, day, cut), nl=False)
    finally:
        jejak.close()


def render_status(jejak: Jejak, today: date, cut: Cut | None = None) -> str:
    """The programme's figures per site, then the open work with its deadlines judged on
    `today`; at `cut` when given (as at a business date, as known at a log position, or both)."""
    # The status is the store's own overview, printed to whoever runs the store's shell.
    reads = ReadModels.of(jejak, EVERYTHING)
    board = reads.dashboard.now() if cut is None else dashboard_at(jejak, cut)
    if cut is None:
        title = f"Jejak status on {today.isoformat()} (log position {jejak.runner.position()})"
    else:
        title = f"Jejak status {_describe(cut)}, overdue judged on {today.isoformat()}"
    lines = [title, ""]
    header = (
        f"{'site':<8} {'state':<16} {'pendataan':>9} {'closure':>8} {'now':>5} "
        f"{'credited':>15}  funds at closure"
    )
    lines += [header, "-" * len(header)]
    for s in board["sites"]:
        closure = s["declared_headcount_at_closure"]
        funds = {
            None: "-",
            "in_place": "yes",
            "not_in_place": "NO (unfunded closure)",
            "unknown": "not recorded",
        }[s["funding_status_at_closure"]]
        lines.append(
            f"{s['site_code']:<8} {s['site_state']:<16} "
            f"{s['headcount_at_pendataan']:>9} {'-' if closure is None else closure:>8} "
            f"{s['in_programme_now']:>5} {rupiah(s['credited_rupiah']):>15}  {funds}"
        )
    t = board["totals"]
    lines.append(
        f"{'total':<8} {'':<16} {t['headcount_at_pendataan']:>9} "
        f"{t['declared_headcount_at_closure']:>8} {t['in_programme_now']:>5} "
        f"{rupiah(t['credited_rupiah']):>15}"
    )
    lines += ["", "cases per state:"]
    for state, n in t["counts_by_state"].items():
        lines.append(f"  {state:<26} {n:>4}")
    if cut is None:
        work = reads.worklist.list(
            as_of=today, overdue_only=False, site_id=None, kind=None, limit=10_000, offset=0
        )
        items, total = work.items, work.total
    else:
        items = _work_at(jejak, cut, today)
        total = len(items)
    overdue = [w for w in items if w["overdue"]]
    lines += ["", f"open work items: {total}, overdue: {len(overdue)}"]
    for w in overdue[:10]:
        lines.append(
            f"  {w['label']:<12} {w['next_action']:<20} due {w['due_on']} "
            f"({w['days_overdue']} days overdue)"
        )
    return "\n".join(lines) + "\n"


def _describe(cut: Cut) -> str:
    parts = []
    if cut.as_at is not None:
        parts.append(f"as at {cut.as_at.isoformat()}")
    if cut.known_at is not None:
        parts.append(f"as known at log position {cut.known_at}")
    return " and ".join(parts)


def _work_at(jejak: Jejak, cut: Cut, today: date) -> list[Row]:
    """The worklist's open items at `cut`, most urgent first, judged overdue on `today`."""
    items = [w for w in read_model_at(jejak, "worklist", cut) if w["next_action"] is not None]
    items.sort(key=lambda w: (w["due_on"] is None, w["due_on"] or today, w["label"]))
    for w in items:
        w["overdue"] = w["due_on"] is not None and w["due_on"] < today
        w["days_overdue"] = (today - w["due_on"]).days if w["overdue"] else 0
    return items
