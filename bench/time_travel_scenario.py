"""Time travel at national scale: one site's case list and the dashboard at random past cuts.

Setup (untimed) registers a few real sites and people and catches the read models up, then
copies their version-history rows under fresh ids until beneficiary_status's history holds
`sizes.time_travel_versions` versions (three per person: registered, verified, assessed, dated
in that order over three years, interleaved across people in the log as a real programme's
would be) over `sizes.time_travel_sites` sites. Each person's versions are dated in the order
they were recorded, so no key needs refolding; that path's cost grows with the keys entered out
of date order, and the contract tests cover its correctness.

Timed, alternating rounds: `read_model_at` for one random site's beneficiary_status and
`dashboard_at`, each as known at a random position and as at a random date, beside a raw
baseline: the same cut written by hand in SQL on a plain driver connection to the same store
(latest version per person, people dated out of order left out), whose row counts must agree.
"""

from __future__ import annotations

import gc
import random
import time
import uuid
from collections.abc import Callable
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
from projections.tables import HISTORIES, VERSION_OCCURRED_ON, VERSION_POSITION
from service.system import Jejak
from service.time_travel import Cut, dashboard_at, read_model_at

ROUNDS = 4
CHUNK = 20_000
LATER_STATES = ("IDENTITY_VERIFIED", "ASSESSED")
PEOPLE = HISTORIES["beneficiary_status"]
SITES = HISTORIES["site_status"]


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
        _analyze(store)
        rng = random.Random(23)
        cuts = [
            _cut(rng, head, known) for _ in range(sizes.time_travel_queries) for known in (1, 0)
        ]
        chosen = [rng.choice(sites) for _ in cuts]
        raw = _RawQueries(store)
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
                    lambda cut, _site: dashboard_at(jejak, cut)["totals"]["registered"],
                    raw.dashboard,
                ),
            ):
                progress(f"{target.label}: {scenario}: {len(cuts)} cuts x {ROUNDS} rounds")
                results.append(
                    _measure(target, scenario, cuts, chosen, ours_query, raw_query, sizes)
                )
        finally:
            raw.close()
    return results


def _measure(
    target: Target,
    scenario: str,
    cuts: list[Cut],
    sites: list[str],
    ours_query: Callable[[Cut, str], int],
    raw_query: Callable[[Cut, str], int],
    sizes: Sizes,
) -> ScenarioResult:
    # Untimed first pass: warms both sides and checks they count the same rows at every cut.
    for cut, site in zip(cuts, sites, strict=True):
        ours, theirs = ours_query(cut, site), raw_query(cut, site)
        if ours != theirs:
            raise RuntimeError(f"{scenario} at {cut}: ours {ours} rows, raw {theirs}")
    mine, base = Tally(), Tally()
    for round_index in range(ROUNDS):
        gc.collect()
        for side in side_order(round_index):
            query = ours_query if side == "ours" else raw_query
            started = time.perf_counter()
            for cut, site in zip(cuts, sites, strict=True):
                query(cut, site)
            (mine if side == "ours" else base).add(len(cuts), time.perf_counter() - started)
    return scenario_result(
        target,
        scenario,
        mine,
        base,
        0,
        {
            "versions": sizes.time_travel_versions,
            "sites": sizes.time_travel_sites,
            "ms_per_query": round(1000 * mine.seconds / mine.count, 2),
            "baseline_ms_per_query": round(1000 * base.seconds / base.count, 2),
        },
    )


def _cut(rng: random.Random, head: int, known: int) -> Cut:
    if known:
        return Cut(known_at=rng.randint(1, head))
    return Cut(as_at=REGISTERED_ON + timedelta(days=rng.randint(0, 3 * 365)))


def _seed(jejak: Jejak, sizes: Sizes) -> tuple[list[str], int]:
    """Real template rows, then their copies; returns the site ids and the last position."""
    app = jejak.app
    template_site = register_site(app, "TT", 0)
    app.register_roster(
        template_site,
        _roster(_site_code("TT", 0), 1, 0),
        provenance=Provenance(actor=ACTOR, occurred_on=REGISTERED_ON),
    )
    jejak.runner.catch_up()
    with jejak.engine.connect() as conn:
        site_row = dict(conn.execute(SITES.select()).mappings().one())
        person_row = dict(conn.execute(PEOPLE.select()).mappings().one())
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
    rows: list[dict[str, Any]] = []
    for step in range(3):
        for i, pid in enumerate(person_ids):
            position = first + step * people + i
            occurred = REGISTERED_ON + timedelta(days=dates[i][step])
            rows.append(
                person_row
                | {
                    "beneficiary_id": pid,
                    "case_number": f"TT{i:09d}",
                    "site_id": site_ids[i % len(site_ids)],
                    "state": person_row["state"] if step == 0 else LATER_STATES[step - 1],
                    "version": step + 1,
                    "last_position": position,
                    "last_occurred_on": occurred,
                    VERSION_POSITION: position,
                    VERSION_OCCURRED_ON: occurred,
                }
            )
            if len(rows) >= CHUNK:
                _insert(jejak, rows)
                rows = []
    _insert(jejak, rows)
    return site_ids, first + 3 * people - 1


def _insert(jejak: Jejak, rows: list[dict[str, Any]]) -> None:
    if rows:
        with jejak.engine.begin() as conn:
            conn.execute(PEOPLE.insert(), rows)


def _analyze(store: FreshStore) -> None:
    # Planner statistics for the freshly loaded tables, as autovacuum would gather them.
    with store.jejak.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


class _RawQueries:
    """The same cuts written by hand, run on a plain driver connection to the same store."""

    def __init__(self, store: FreshStore) -> None:
        self.kind = store.target.kind
        self.conn: Any = (
            connect_sqlite(store.config)
            if self.kind == "sqlite"
            else connect_postgres(store.config)
        )
        self.mark = "?" if self.kind == "sqlite" else "%s"

    def close(self) -> None:
        self.conn.close()

    def _latest(self, cut: Cut, scope: str) -> tuple[str, list[Any]]:
        """Each person's version at the cut (people dated out of order left out), in SQL."""
        m = self.mark
        if cut.known_at is not None:
            return (
                "SELECT h.* FROM beneficiary_status_history h JOIN ("
                f" SELECT beneficiary_id, MAX(version_position) AS at"
                f" FROM beneficiary_status_history WHERE version_position <= {m} {scope}"
                " GROUP BY beneficiary_id) l"
                " ON h.beneficiary_id = l.beneficiary_id AND h.version_position = l.at"
                " WHERE NOT h.removed",
                [cut.known_at],
            )
        assert cut.as_at is not None
        return (
            "SELECT h.* FROM beneficiary_status_history h JOIN ("
            " SELECT beneficiary_id, MAX(version_position) AS at"
            f" FROM beneficiary_status_history WHERE version_occurred_on <= {m} {scope}"
            " GROUP BY beneficiary_id) l"
            " ON h.beneficiary_id = l.beneficiary_id AND h.version_position = l.at"
            " WHERE NOT h.removed AND h.beneficiary_id NOT IN ("
            " SELECT beneficiary_id FROM beneficiary_status_history WHERE 1 = 1"
            f" {scope} GROUP BY beneficiary_id HAVING"
            f" MIN(CASE WHEN version_occurred_on > {m} THEN version_position END)"
            f" < MAX(CASE WHEN version_occurred_on <= {m} THEN version_position END))",
            [_day(self.kind, cut.as_at)] * 3,
        )

    def site_list(self, cut: Cut, site: str) -> int:
        m = self.mark
        sql, params = self._latest(cut, f"AND site_id = {m}")
        scoped = [params[0], site, *([site, *params[1:]] if cut.as_at is not None else [])]
        rows = self.conn.execute(
            sql + f" AND h.site_id = {m} ORDER BY h.beneficiary_id",
            [
                *scoped,
                site,
            ],
        ).fetchall()
        return len(rows)

    def dashboard(self, cut: Cut, _site: str) -> int:
        sql, params = self._latest(cut, "")
        counts = self.conn.execute(
            f"SELECT site_id, state, COUNT(*) FROM ({sql}) c GROUP BY site_id, state", params
        ).fetchall()
        sites = self._sites(cut)
        return sum(n for s, _, n in counts if s in sites)

    def _sites(self, cut: Cut) -> set[str]:
        m = self.mark
        column, value = (
            ("version_position", cut.known_at)
            if cut.known_at is not None
            else ("version_occurred_on", _day(self.kind, cut.as_at))
        )
        rows = self.conn.execute(
            f"SELECT DISTINCT site_id FROM site_status_history WHERE {column} <= {m}", [value]
        ).fetchall()
        return {r[0] for r in rows}


def _day(kind: str, day: date | None) -> Any:
    # SQLite holds dates as ISO text; psycopg adapts the date itself.
    assert day is not None
    return day.isoformat() if kind == "sqlite" else day
