"""The programme dashboard: people per site and state, headcounts and rupiah credited, now
(programme_dashboard, ledger_totals) or at a cut (their histories and sums, ADR 0026)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from domain.units import Scope
from projections.beneficiary_status import beneficiary_status
from projections.dashboard import ProgrammeDashboard, programme_dashboard, summarise_members
from projections.dashboard_counts import (
    Cells,
    CountTables,
    counts_at,
    dashboard_moves,
    moves_at,
    out_of_order_keys,
)
from projections.payment_ledger import ledger_totals, payment_ledger
from projections.tables import HISTORIES
from service.queries.paging import Row
from service.queries.time_travel import (
    Cut,
    HistoryCut,
    read_model_at,
    replay_read_model_at,
    row_projection,
)
from service.security.scope import scoped_to_sites
from service.system import Jejak

# beneficiary_status's history: where the events of the people the dashboard refolds are found.
PEOPLE_HISTORY = HISTORIES[beneficiary_status.name]


class DashboardQueries:
    """The dashboard as it stands now."""

    def __init__(self, engine: Engine, scope: Scope) -> None:
        self.engine = engine
        self.scope = scope

    def now(self) -> dict[str, Any]:
        """Per-site counts, headcounts and rupiah credited net of returns, with totals."""
        with self.engine.connect() as conn:
            rows = [
                dict(r)
                for r in conn.execute(
                    scoped_to_sites(
                        select(programme_dashboard).order_by(programme_dashboard.c.site_code),
                        self.scope,
                        programme_dashboard.c.site_id,
                    )
                ).mappings()
            ]
            credited = {
                str(key): int(paid)
                for key, paid in conn.execute(
                    select(ledger_totals.c.key, ledger_totals.c.paid).where(
                        ledger_totals.c.dimension == "site"
                    )
                )
            }
        return dashboard_figures(rows, credited)


def dashboard_figures(rows: list[Row], credited: dict[str, int]) -> dict[str, Any]:
    """The dashboard's sites, each with the rupiah credited there, and the programme's totals;
    `rows` are programme_dashboard rows with their counts decoded (live, or at a past cut)."""
    for row in rows:
        if isinstance(row["counts_by_state"], str):
            row["counts_by_state"] = json.loads(row["counts_by_state"])
        row["credited_rupiah"] = credited.get(row["site_id"], 0)
    totals: dict[str, Any] = {
        key: sum(r[key] or 0 for r in rows)
        for key in (
            "headcount_at_pendataan",
            "declared_headcount_at_closure",
            "registered",
            "in_programme_now",
            "credited_rupiah",
        )
    }
    by_state: dict[str, int] = {}
    for row in rows:
        for state, n in row["counts_by_state"].items():
            by_state[state] = by_state.get(state, 0) + n
    totals["counts_by_state"] = dict(sorted(by_state.items()))
    return {"sites": rows, "totals": totals}


def dashboard_at(jejak: Jejak, cut: Cut, *, replay: bool = False) -> dict[str, Any]:
    """The programme dashboard's figures (per site and in total) at `cut`, from the version
    histories of site_status and beneficiary_status (or, with `replay`, from the log: the
    reference), and the money credited from payment_ledger's rows, each dated and positioned."""
    read: Callable[[Jejak, str, Cut], list[Row]] = replay_read_model_at if replay else read_model_at
    sites = read(jejak, "site_status", cut)
    if replay:
        counts = _count_states(read(jejak, "beneficiary_status", cut))
    else:
        counts = _states_at(jejak, cut)
    board = []
    for site in sorted(sites, key=lambda s: str(s["code"])):
        facts = {
            "site_id": site["site_id"],
            "site_code": site["code"],
            "site_name": site["name"],
            "site_state": site["state"],
            "headcount_at_pendataan": site["headcount_at_pendataan"],
            "declared_headcount_at_closure": site["declared_headcount"],
            "funding_status_at_closure": site["funding_status"],
        }
        board.append(summarise_members(facts, counts.get(site["site_id"], Counter())))
    return dashboard_figures(board, _credited_at(jejak, cut))


def _states_at(jejak: Jejak, cut: Cut) -> dict[str, Counter[str]]:
    """How many people each site has in each state at `cut`: the dashboard's sums of moves
    (ADR 0026), with the people whose events the cut's date falls between, entered out of date
    order, taken out of the sums and folded again from their own events."""
    dashboard = _dashboard(jejak)
    tables = dashboard.count_tables()
    with jejak.engine.connect() as conn:
        cells = counts_at(conn, tables, dashboard.count_rules, cut.known_at, cut.as_at)
        _refold_out_of_order(conn, jejak, tables, cut, cells)
    return _per_site(cells)


def _refold_out_of_order(
    conn: Connection, jejak: Jejak, tables: CountTables, cut: Cut, cells: Cells
) -> None:
    """Put right in `cells` (the cut's moves summed) the people whose events the cut's date
    falls between, entered out of date order: their moves out, their refolded rows in."""
    if cut.as_at is None:
        return
    keys = out_of_order_keys(conn, tables, cut.as_at)
    if not keys:
        return
    people = HistoryCut(row_projection(jejak, "beneficiary_status"), PEOPLE_HISTORY, cut, {})
    positions = people.positions_of(conn, keys)
    cells.subtract(moves_at(conn, tables, positions))
    for row in people.refold_positions(conn, jejak, positions):
        cells[(row["site_id"], row["state"])] += 1


def _per_site(cells: Cells) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for (site_id, state), n in cells.items():
        if n:
            counts.setdefault(site_id, Counter())[state] = n
    return counts


def _dashboard(jejak: Jejak) -> ProgrammeDashboard:
    found = next(p for p in jejak.runner.projections if isinstance(p, ProgrammeDashboard))
    return found


def _count_states(people: Sequence[Row]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for person in people:
        counts.setdefault(person["site_id"], Counter())[person["state"]] += 1
    return counts


def _credited_at(jejak: Jejak, cut: Cut) -> dict[str, int]:
    """Rupiah credited net of returns per site at `cut`: payment_ledger keeps one row per event
    with its position and business date, so the cut is a WHERE clause."""
    c = payment_ledger.c
    query = select(c.site_id, func.sum(c.paid_effect)).where(c.site_id.is_not(None))
    if cut.known_at is not None:
        query = query.where(c.position <= cut.known_at)
    if cut.as_at is not None:
        query = query.where(c.occurred_on <= cut.as_at)
    with jejak.engine.connect() as conn:
        return {s: int(n) for s, n in conn.execute(query.group_by(c.site_id))}


def first_move_on(jejak: Jejak) -> date | None:
    """The business date of the programme's first move (a registration): where a chart of
    people over time starts."""
    with jejak.engine.connect() as conn:
        found: date | None = conn.execute(select(func.min(dashboard_moves.c.occurred_on))).scalar()
    return found


def states_over_time(
    jejak: Jejak, days: Sequence[date], known_at: int | None
) -> list[dict[str, Counter[str]]]:
    """People per site and state at the end of each of `days` (in order), as known at
    `known_at` (None: as known now): what `_states_at` gives for each day, from one pass.

    A day's counts are the moves recorded by `known_at` and dated by that day, summed (ADR
    0026): one query groups those moves by date, and each day adds the dates since the one
    before. The people a day falls between two events of, entered out of date order, are then
    put right as `_states_at` does. One query instead of one cut per day: ADR 0052 measures it.
    """
    if not days:
        return []
    tables = _dashboard(jejak).count_tables()
    m = tables.moves.c
    grouped = (
        select(m.occurred_on, m.site_id, m.left_state, m.entered_state, func.count())
        .where(m.occurred_on <= days[-1])
        .group_by(m.occurred_on, m.site_id, m.left_state, m.entered_state)
        .order_by(m.occurred_on)
    )
    if known_at is not None:
        grouped = grouped.where(m.position <= known_at)
    series = []
    with jejak.engine.connect() as conn:
        moves = list(conn.execute(grouped))
        running: Cells = Counter()
        taken = 0
        for day in days:
            while taken < len(moves) and moves[taken][0] <= day:
                _, site, left, entered, n = moves[taken]
                running[(site, entered)] += n
                if left is not None:
                    running[(site, left)] -= n
                taken += 1
            cells = Counter(running)
            _refold_out_of_order(conn, jejak, tables, Cut(known_at=known_at, as_at=day), cells)
            series.append(_per_site(cells))
    return series
