"""Time travel at national scale: one site's case list and the dashboard at random past cuts.

Setup (untimed) registers a few real sites and people and catches the read models up, then
copies their version-history rows under fresh ids until beneficiary_status's history holds
`sizes.time_travel_versions` versions (three per person: registered, verified, assessed, dated
in that order over three years, interleaved across people in the log as a real programme's
would be) over `sizes.time_travel_sites` sites. The same people's moves go through the
dashboard's own writer (`record_moves`, ADR 0026) in chunks, which keeps the sums at cuts, and
each gets her dashboard member row. Each person's versions are dated in the order they were
recorded, so no key needs refolding; that path's cost grows with the keys entered out of date
order, and the contract tests cover its correctness.

Timed, alternating rounds: `read_model_at` for one random site's beneficiary_status and
`dashboard_at`, each as known at a random position, as at a random date and at both, beside a
raw baseline: the same cut written by hand in SQL on a plain driver connection to the same
store, which must give the same rows (the site list) and the same counts per site and state
(the dashboard). For the dashboard that is the same reads ours makes: the sites' versions at the
cut, a checkpoint's or a month's sums and the moves between it and the cut, the tallies that
choose between the two for a cut at both, the people out of date order at the date, and the
money credited.
"""

from __future__ import annotations

import gc
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.scenarios import (
    ACTOR,
    TIME_TRAVEL_DASHBOARD,
    TIME_TRAVEL_SITE_LIST,
    Progress,
    ScenarioResult,
    Sizes,
    Tally,
    _roster,
    _site_code,
    register_site,
    scenario_result,
    side_order,
)
from bench.scenarios import PENDATAAN as REGISTERED_ON
from bench.stores import FreshStore, Target, connect_postgres, connect_sqlite, fresh_store
from domain.recording import Provenance
from projections.base import append_rows
from projections.dashboard import ProgrammeDashboard, dashboard_members
from projections.dashboard_counts import CountRules, Move, month_end, record_moves
from projections.schema import VERSION_OCCURRED_ON, VERSION_POSITION
from projections.tables import HISTORIES
from service.queries.dashboard import dashboard_at
from service.queries.time_travel import Cut, read_model_at
from service.system import Jejak

ROUNDS = 4
CHUNK = 20_000
LATER_STATES = ("IDENTITY_VERIFIED", "ASSESSED")
PEOPLE = HISTORIES["beneficiary_status"]
SITES = HISTORIES["site_status"]
# The kinds of cut, in the order each query's cuts are drawn.
CUT_KINDS = ("known_at", "as_at", "both")
# A dashboard at a cut, compared between the two sides: site id -> state -> people.
Board = dict[str, dict[str, int]]


def time_travel(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    """The site list and the dashboard at random cuts, each beside its hand-written SQL."""
    with fresh_store(target, workdir) as store:
        jejak = store.jejak
        progress(
            f"{target.label}: time travel: writing {sizes.time_travel_versions} versions over "
            f"{sizes.time_travel_sites} sites"
        )
        sites, head = _seed(jejak, sizes)
        analyze(store)
        rng = random.Random(23)
        cuts = [
            random_cut(rng, head, kind)
            for _ in range(sizes.time_travel_queries)
            for kind in CUT_KINDS
        ]
        chosen = [rng.choice(sites) for _ in cuts]
        raw = _RawQueries(store, _dashboard(jejak).count_rules)
        try:
            results = []
            for scenario, ours_query, raw_query in (
                (
                    TIME_TRAVEL_SITE_LIST,
                    lambda cut, site: len(
                        read_model_at(jejak, "beneficiary_status", cut, {"site_id": site})
                    ),
                    raw.site_list,
                ),
                (
                    TIME_TRAVEL_DASHBOARD,
                    lambda cut, _site: _board(dashboard_at(jejak, cut)),
                    raw.dashboard,
                ),
            ):
                progress(f"{target.label}: {scenario}: {len(cuts)} cuts x {ROUNDS} rounds")
                details: dict[str, float | int | str] = {
                    "versions": sizes.time_travel_versions,
                    "sites": sizes.time_travel_sites,
                }
                results.append(
                    measure_cuts(target, scenario, cuts, chosen, ours_query, raw_query, details)
                )
        finally:
            raw.close()
    return results


def measure_cuts(
    target: Target,
    scenario: str,
    cuts: list[Cut],
    sites: list[str],
    ours_query: Callable[[Cut, str], object],
    raw_query: Callable[[Cut, str], object],
    details: dict[str, float | int | str],
    compared: Callable[[Cut], bool] = lambda _cut: True,
) -> ScenarioResult:
    """Both sides at every cut in alternating rounds, timed per kind of cut. An untimed first
    pass warms both and checks they give the same answer at every cut `compared` names."""
    for cut, site in zip(cuts, sites, strict=True):
        ours, theirs = ours_query(cut, site), raw_query(cut, site)
        if compared(cut) and ours != theirs:
            raise RuntimeError(f"{scenario} at {cut}: ours {ours!r:.300}, raw {theirs!r:.300}")
    mine, base = Tally(), Tally()
    by_kind = {(side, kind): 0.0 for side in ("ours", "raw") for kind in CUT_KINDS}
    for round_index in range(ROUNDS):
        gc.collect()
        for side in side_order(round_index):
            query = ours_query if side == "ours" else raw_query
            started = time.perf_counter()
            for cut, site in zip(cuts, sites, strict=True):
                asked = time.perf_counter()
                query(cut, site)
                by_kind[(side, _kind(cut))] += time.perf_counter() - asked
            (mine if side == "ours" else base).add(len(cuts), time.perf_counter() - started)
    per_kind = ROUNDS * len(cuts) // len(CUT_KINDS)
    return scenario_result(
        target,
        scenario,
        mine,
        base,
        0,
        {
            **details,
            "ms_per_query": round(1000 * mine.seconds / mine.count, 2),
            "baseline_ms_per_query": round(1000 * base.seconds / base.count, 2),
            **{
                f"{'' if side == 'ours' else 'baseline_'}ms_{kind}": round(
                    1000 * seconds / per_kind, 2
                )
                for (side, kind), seconds in by_kind.items()
            },
        },
    )


def random_cut(rng: random.Random, head: int, kind: str, first_day: date = REGISTERED_ON) -> Cut:
    """A cut of `kind` at a random position up to `head` and a random date in the three
    years from `first_day`."""
    position = rng.randint(1, head)
    day = first_day + timedelta(days=rng.randint(0, 3 * 365))
    if kind == "known_at":
        return Cut(known_at=position)
    if kind == "as_at":
        return Cut(as_at=day)
    return Cut(known_at=position, as_at=day)


def _kind(cut: Cut) -> str:
    if cut.as_at is None:
        return "known_at"
    return "as_at" if cut.known_at is None else "both"


def _board(figures: dict[str, Any]) -> Board:
    return {str(s["site_id"]): s["counts_by_state"] for s in figures["sites"]}


def _dashboard(jejak: Jejak) -> ProgrammeDashboard:
    found = next(p for p in jejak.runner.projections if isinstance(p, ProgrammeDashboard))
    return found


def _seed(jejak: Jejak, sizes: Sizes) -> tuple[list[str], int]:
    """Real template rows, then their copies; returns the site ids and the last position."""
    app = jejak.app
    template_site = register_site(app, "TT", 0)
    app.beneficiaries.register_roster(
        template_site,
        _roster(_site_code("TT", 0), 1, 0),
        provenance=Provenance(actor=ACTOR, occurred_on=REGISTERED_ON),
    )
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        site_row = dict(conn.execute(SITES.select()).mappings().one())
        person_row = dict(conn.execute(PEOPLE.select()).mappings().one())
        member_row = dict(conn.execute(dashboard_members.select()).mappings().one())
    base = app.position()
    people = sizes.time_travel_versions // 3
    site_ids = [str(uuid.uuid4()) for _ in range(sizes.time_travel_sites)]
    with jejak.engine.begin() as conn:
        conn.execute(
            SITES.insert(),
            [
                site_row
                | {
                    "site_id": s,
                    "code": _site_code("TS", i),
                    VERSION_POSITION: base + 1 + i,
                    "last_position": base + 1 + i,
                }
                for i, s in enumerate(site_ids)
            ],
        )
    first = base + 1 + len(site_ids)
    person_ids = [str(uuid.uuid4()) for _ in range(people)]
    rng = random.Random(7)
    # Each person's later versions are dated after her earlier ones; the log interleaves people.
    dates = [
        (rng.randint(1, 364), rng.randint(365, 729), rng.randint(730, 1094)) for _ in person_ids
    ]
    states = (person_row["state"], *LATER_STATES)
    dashboard = _dashboard(jejak)
    rows: list[dict[str, Any]] = []
    moves: list[Move] = []
    for step in range(3):
        for i, pid in enumerate(person_ids):
            position = first + step * people + i
            occurred = REGISTERED_ON + timedelta(days=dates[i][step])
            site = site_ids[i % len(site_ids)]
            rows.append(
                person_row
                | {
                    "beneficiary_id": pid,
                    "case_number": f"TT{i:09d}",
                    "site_id": site,
                    "state": states[step],
                    "version": step + 1,
                    "last_position": position,
                    "last_occurred_on": occurred,
                    VERSION_POSITION: position,
                    VERSION_OCCURRED_ON: occurred,
                }
            )
            moves.append(
                Move(
                    position, occurred, site, None if step == 0 else states[step - 1], states[step]
                )
            )
            if len(rows) >= CHUNK:
                _insert(jejak, dashboard, rows, moves)
                rows, moves = [], []
    _insert(jejak, dashboard, rows, moves)
    head = first + 3 * people - 1
    _insert_members(jejak, member_row, person_ids, site_ids, dates, head)
    return site_ids, head


def _insert(
    jejak: Jejak, dashboard: ProgrammeDashboard, rows: list[dict[str, Any]], moves: list[Move]
) -> None:
    """A chunk of versions, and the same people's moves through the dashboard's writer, as one
    batch of its catch-up would write them."""
    if rows:
        with jejak.engine.begin() as conn:
            conn.execute(PEOPLE.insert(), rows)
            record_moves(
                conn, dashboard.count_tables(), dashboard.count_rules, moves, moves[-1].position
            )


def _insert_members(
    jejak: Jejak,
    template: dict[str, Any],
    person_ids: Sequence[str],
    site_ids: Sequence[str],
    dates: Sequence[tuple[int, int, int]],
    head: int,
) -> None:
    """Every seeded person's member row as her last version left it: assessed, in date order."""
    people = len(person_ids)
    columns = [c.name for c in dashboard_members.columns]
    for start in range(0, people, CHUNK):
        chunk = []
        for i in range(start, min(start + CHUNK, people)):
            last_on = REGISTERED_ON + timedelta(days=dates[i][2])
            member = template | {
                "beneficiary_id": person_ids[i],
                "site_id": site_ids[i % len(site_ids)],
                "state": LATER_STATES[-1],
                "dated_up_to": last_on,
                "last_event": "Assessed",
                "last_position": head - people + 1 + i,
                "last_occurred_on": last_on,
            }
            chunk.append(tuple(member[c] for c in columns))
        with jejak.engine.begin() as conn:
            append_rows(conn, dashboard_members, chunk)


def analyze(store: FreshStore) -> None:
    # Planner statistics for the freshly loaded tables, as autovacuum would gather them.
    with store.jejak.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


class _RawQueries:
    """The same cuts written by hand, run on a plain driver connection to the same store."""

    def __init__(self, store: FreshStore, rules: CountRules) -> None:
        self.kind = store.target.kind
        self.conn: Any = (
            connect_sqlite(store.config)
            if self.kind == "sqlite"
            else connect_postgres(store.config)
        )
        self.mark = "?" if self.kind == "sqlite" else "%s"
        self.bucket_positions = rules.bucket_positions

    def close(self) -> None:
        self.conn.close()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.conn.execute(sql.replace("?", self.mark), list(params)).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._rows(sql, params)[0][0]

    # --- the latest version of each key at the cut ---------------------------------------------

    def _latest(
        self, table: str, key: str, cut: Cut, scope: str = "", scoped: Sequence[Any] = ()
    ) -> tuple[str, list[Any]]:
        """Each key's version at the cut (keys dated out of order left out), in SQL; `scope`
        is a further condition on the history's versions, with `scoped` its parameters."""
        recorded, known = "", []
        if cut.known_at is not None:
            recorded, known = " AND version_position <= ?", [cut.known_at]
        dated, day = "", []
        if cut.as_at is not None:
            dated, day = " AND version_occurred_on <= ?", [self._day(cut.as_at)]
        sql = (
            f"SELECT h.* FROM {table}_history h JOIN ("
            f" SELECT {key}, MAX(version_position) AS at FROM {table}_history"
            f" WHERE 1 = 1 {scope}{recorded}{dated} GROUP BY {key}) l"
            f" ON h.{key} = l.{key} AND h.version_position = l.at WHERE NOT h.removed"
        )
        params = [*scoped, *known, *day]
        if cut.as_at is not None:
            sql += (
                f" AND h.{key} NOT IN (SELECT {key} FROM {table}_history WHERE 1 = 1"
                f" {scope}{recorded} GROUP BY {key} HAVING"
                " MIN(CASE WHEN version_occurred_on > ? THEN version_position END)"
                " < MAX(CASE WHEN version_occurred_on <= ? THEN version_position END))"
            )
            params += [*scoped, *known, *day, *day]
        return sql, params

    def site_list(self, cut: Cut, site: str) -> int:
        sql, params = self._latest(
            "beneficiary_status", "beneficiary_id", cut, "AND site_id = ?", [site]
        )
        rows = self._rows(sql + " AND h.site_id = ? ORDER BY h.beneficiary_id", [*params, site])
        return len(rows)

    # --- the dashboard ---------------------------------------------------------------------------

    def dashboard(self, cut: Cut, _site: str) -> Board:
        sql, params = self._latest("site_status", "site_id", cut)
        # The site's facts the dashboard shows beside its counts.
        shown = (
            "site_id, code, name, state, headcount_at_pendataan, declared_headcount, funding_status"
        )
        sites = {r[0] for r in self._rows(f"SELECT {shown} FROM ({sql}) s", params)}
        cells = self._counts(cut)
        if cut.as_at is not None:
            day = self._day(cut.as_at)
            keys = self._rows(
                "SELECT beneficiary_id FROM programme_dashboard_members"
                " WHERE out_of_order_from <= ? AND out_of_order_until > ?",
                [day, day],
            )
            if keys:
                raise RuntimeError("the seed enters no one out of date order")
        self._credited(cut)
        board: Board = {site: {} for site in sites}
        for (site, state), n in sorted(cells.items()):
            if n and site in board:
                board[site][state] = n
        return board

    def _counts(self, cut: Cut) -> Counter[tuple[str, str]]:
        if cut.as_at is None:
            assert cut.known_at is not None
            return self._from_checkpoint(cut.known_at, None)
        if cut.known_at is None:
            return self._from_month(None, cut.as_at)
        checkpoint = self._one(
            "SELECT MAX(position) FROM programme_dashboard_counts_known WHERE position <= ?",
            [cut.known_at],
        )
        month = self._month(cut.as_at)
        through = -1 if checkpoint is None else checkpoint // self.bucket_positions
        cut_bucket, cut_month = cut.known_at // self.bucket_positions, month_end(cut.as_at)
        after_month = "month_end > ?" if month is not None else "1 = 1"
        by_checkpoint, by_month = self._rows(
            "SELECT COALESCE(SUM(CASE"
            " WHEN bucket <= ? AND month_end >= ? THEN moves"
            " WHEN bucket > ? AND bucket <= ? THEN moves ELSE 0 END), 0),"
            " COALESCE(SUM(CASE"
            " WHEN bucket >= ? AND month_end <= ? THEN moves"
            f" WHEN {after_month} AND month_end <= ? THEN moves ELSE 0 END), 0)"
            " FROM programme_dashboard_move_tallies",
            [
                through,
                self._day(cut_month),
                through,
                cut_bucket,
                cut_bucket,
                self._day(cut_month),
                *([] if month is None else [month]),
                self._day(cut_month),
            ],
        )[0]
        if by_checkpoint <= by_month:
            return self._from_checkpoint(cut.known_at, cut.as_at)
        return self._from_month(cut.known_at, cut.as_at)

    def _from_checkpoint(self, known_at: int, as_at: date | None) -> Counter[tuple[str, str]]:
        checkpoint = self._one(
            "SELECT MAX(position) FROM programme_dashboard_counts_known WHERE position <= ?",
            [known_at],
        )
        cells = self._sums("programme_dashboard_counts_known", "position", checkpoint)
        tail, params = "position <= ?", [known_at]
        if checkpoint is not None:
            tail, params = tail + " AND position > ?", [*params, checkpoint]
        if as_at is not None:
            tail, params = tail + " AND occurred_on <= ?", [*params, self._day(as_at)]
        self._add_moves(cells, tail, params, 1)
        if checkpoint is not None and as_at is not None:
            buckets = self._buckets(
                "bucket <= ? AND month_end >= ?",
                [checkpoint // self.bucket_positions, self._day(month_end(as_at))],
            )
            if buckets:
                self._add_moves(
                    cells, f"bucket IN ({buckets}) AND occurred_on > ?", [self._day(as_at)], -1
                )
        return cells

    def _from_month(self, known_at: int | None, as_at: date) -> Counter[tuple[str, str]]:
        month = self._month(as_at)
        cells = self._sums("programme_dashboard_counts_dated", "month_end", month)
        day, last = self._day(as_at), self._day(month_end(as_at))
        in_month, dated, since = "month_end <= ?", "occurred_on <= ?", []
        if month is not None:
            in_month, dated, since = (
                in_month + " AND month_end > ?",
                dated + " AND occurred_on > ?",
                [month],
            )
        buckets = self._buckets(in_month, [last, *since])
        if buckets:
            self._add_moves(cells, f"bucket IN ({buckets}) AND {dated}", [day, *since], 1)
        if known_at is not None:
            later = self._buckets(
                "bucket >= ? AND month_end <= ?", [known_at // self.bucket_positions, last]
            )
            if later:
                self._add_moves(
                    cells,
                    f"bucket IN ({later}) AND occurred_on <= ? AND position > ?",
                    [day, known_at],
                    -1,
                )
        return cells

    def _sums(self, table: str, column: str, value: Any) -> Counter[tuple[str, str]]:
        """The stored sums under `column = value` (none when there is no such checkpoint)."""
        cells: Counter[tuple[str, str]] = Counter()
        if value is not None:
            query = f"SELECT site_id, state, people FROM {table} WHERE {column} = ?"
            for site, state, people in self._rows(query, [value]):
                cells[(site, state)] = people
        return cells

    def _month(self, as_at: date) -> Any:
        return self._one(
            "SELECT MAX(month_end) FROM programme_dashboard_move_tallies WHERE month_end <= ?",
            [self._day(as_at)],
        )

    def _buckets(self, where: str, params: Sequence[Any]) -> str:
        """The buckets whose tallies match, as an IN list (whole numbers from the store)."""
        found = self._rows(
            f"SELECT DISTINCT bucket FROM programme_dashboard_move_tallies WHERE {where}", params
        )
        return ", ".join(str(int(b)) for (b,) in found)

    def _add_moves(
        self, cells: Counter[tuple[str, str]], where: str, params: Sequence[Any], sign: int
    ) -> None:
        for site, left, entered, n in self._rows(
            "SELECT site_id, left_state, entered_state, COUNT(*) FROM programme_dashboard_moves"
            f" WHERE {where} GROUP BY site_id, left_state, entered_state",
            params,
        ):
            cells[(site, entered)] += sign * n
            if left is not None:
                cells[(site, left)] -= sign * n

    def _credited(self, cut: Cut) -> dict[str, int]:
        where, params = "site_id IS NOT NULL", []
        if cut.known_at is not None:
            where, params = where + " AND position <= ?", [cut.known_at]
        if cut.as_at is not None:
            where, params = where + " AND occurred_on <= ?", [*params, self._day(cut.as_at)]
        rows = self._rows(
            f"SELECT site_id, SUM(paid_effect) FROM payment_ledger WHERE {where} GROUP BY site_id",
            params,
        )
        return {site: int(n) for site, n in rows}

    def _day(self, day: date) -> Any:
        # SQLite holds dates as ISO text; psycopg adapts the date itself.
        return day.isoformat() if self.kind == "sqlite" else day
