"""`jejak status`: the dashboard as plain text, deterministic for the same events."""

from __future__ import annotations

from datetime import date

from service.display import rupiah_for_display
from service.queries import ReadModels
from service.system import Jejak


def render_status(jejak: Jejak, as_of: date) -> str:
    """The programme's figures per site, then the open work, as of `as_of`."""
    reads = ReadModels(jejak.engine, jejak.vault, jejak.access_log, jejak.app)
    board = reads.dashboard()
    lines = [f"Jejak status as of {as_of.isoformat()} (log position {jejak.runner.position()})", ""]
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
            f"{s['in_programme_now']:>5} {rupiah_for_display(s['credited_rupiah']):>15}  {funds}"
        )
    t = board["totals"]
    lines.append(
        f"{'total':<8} {'':<16} {t['headcount_at_pendataan']:>9} "
        f"{t['declared_headcount_at_closure']:>8} {t['in_programme_now']:>5} "
        f"{rupiah_for_display(t['credited_rupiah']):>15}"
    )
    lines += ["", "cases per state:"]
    for state, n in t["counts_by_state"].items():
        lines.append(f"  {state:<26} {n:>4}")
    work = reads.worklist(
        as_of=as_of, overdue_only=False, site_id=None, kind=None, limit=10_000, offset=0
    )
    overdue = [w for w in work.items if w["overdue"]]
    lines += ["", f"open work items: {work.total}, overdue: {len(overdue)}"]
    for w in overdue[:10]:
        lines.append(
            f"  {w['label']:<12} {w['next_action']:<20} due {w['due_on']} "
            f"({w['days_overdue']} days overdue)"
        )
    return "\n".join(lines) + "\n"
