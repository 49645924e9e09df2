"""The three benchmark scenarios, each measured beside its raw baseline on the same store.

The two sides are interleaved in slices (ours, raw, raw, ours, ...) rather than run one after
the other, because commit latency on a shared virtual disk drifts by a factor of several within
a minute; interleaving exposes both sides to the same drift, so the ratio stays meaningful even
when the absolute rates do not.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from bench.baselines import RawStore
from bench.read_models import HISTORY_TABLES
from bench.stores import Target, fresh_store
from domain.recording import Actor, DocumentRef, Provenance, RegionRef, Role
from projections.runner import ProjectionRunner
from service.commands.application import ProgrammeApplication
from service.commands.beneficiaries import NewBeneficiary

COMMAND_PATH = "command path"
BATCHED_IMPORT = "batched import"
# The same import beside a baseline that writes every row the import must write (ADR 0025).
BATCHED_IMPORT_SAME_ROWS = "batched import, same rows"
PROJECTION_CATCH_UP = "projection catch-up"
ORDERING = "ordering"
CREDITING = "crediting"
RECONCILING = "reconciling"
VERIFICATION = "log verification"
TIME_TRAVEL_SITE_LIST = "time travel: one site's cases"
TIME_TRAVEL_DASHBOARD = "time travel: dashboard"
TIME_TRAVEL_AUDIT = "time travel: audit findings"
REBUILD = "side-by-side rebuild"
# A row per page of the workspace (`bench.page_latency`), counted in requests.
PAGE_LATENCY = "page"
SITE_PAGE_LATENCY = "site page, many cases"
PAGE_SCENARIOS = (PAGE_LATENCY, SITE_PAGE_LATENCY)
EVENT_SCENARIOS = (
    COMMAND_PATH,
    BATCHED_IMPORT,
    BATCHED_IMPORT_SAME_ROWS,
    PROJECTION_CATCH_UP,
    VERIFICATION,
    REBUILD,
)
# One batch of many lines, counted in lines (`bench.ledger_scenarios`).
LEDGER_SCENARIOS = (ORDERING, CREDITING, RECONCILING)
# Queries at past cuts, counted in queries (`bench.time_travel_scenario`).
TIME_TRAVEL_SCENARIOS = (TIME_TRAVEL_SITE_LIST, TIME_TRAVEL_DASHBOARD)
# The audit checks' findings at past cuts, over a log of their own (`bench.audit_at_scenario`).
AUDIT_SCENARIOS = (TIME_TRAVEL_AUDIT,)
QUERY_SCENARIOS = TIME_TRAVEL_SCENARIOS + AUDIT_SCENARIOS
SCENARIOS = EVENT_SCENARIOS + LEDGER_SCENARIOS + QUERY_SCENARIOS

# The goals set for PostgreSQL; SQLite is held to the same ratios for comparison. The ledger
# scenarios have none yet: their ratios are reported only.
GOALS = {
    COMMAND_PATH: 0.4,
    BATCHED_IMPORT: 0.4,
    BATCHED_IMPORT_SAME_ROWS: 0.4,
    PROJECTION_CATCH_UP: 0.6,
}

BASELINES = {
    COMMAND_PATH: "INSERT + COMMIT per row",
    BATCHED_IMPORT: "executemany, one transaction",
    BATCHED_IMPORT_SAME_ROWS: "executemany of the event row and both key rows per person",
    PROJECTION_CATCH_UP: (
        "read + decode + the same read models with hand-written upserts, "
        "and their version histories with executemany"
    ),
    ORDERING: "SELECT a row per line by key + executemany N+1 rows, one transaction",
    CREDITING: "csv-parse the same file + executemany N+2 rows, one transaction",
    RECONCILING: "SELECT the same two read models + a dict join in Python",
    VERIFICATION: "SELECT the same event rows + SHA-256 of each stored state",
    REBUILD: "stream the event rows + decode + hand fold + executemany writes",
    TIME_TRAVEL_SITE_LIST: "the same cut of the version history, hand-written SQL",
    TIME_TRAVEL_DASHBOARD: "the same reads in hand-written SQL: the sites' versions at the cut, "
    "a checkpoint's or a month's sums and the moves to the cut, the tallies' choice between them",
    PAGE_LATENCY: "the page's own SELECTs replayed on the plain driver, every row fetched",
    SITE_PAGE_LATENCY: "the page's own SELECTs replayed on the plain driver, every row fetched",
    TIME_TRAVEL_AUDIT: "the same reads in hand-written SQL: the findings' versions at the start, "
    "the clock's versions, the late events' positions and their stored rows (no fold)",
}

HISTORY_NAMES = frozenset(t.real for t in HISTORY_TABLES)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WARMUP_BATCHES = 2
MAX_SITES = 26**3
# A payment batch holds at most 99,999 lines; the ledger scenarios add a warm-up batch.
MAX_BATCH_LINES = 90_000
ACTOR = Actor(user_id="bench", role=Role.OPERATOR, org_unit="Dinas Sosial (benchmark)")
PENDATAAN = date(2016, 5, 10)
KELURAHAN = RegionRef(scheme="kemendagri", code="65.71.01.1001")

Progress = Callable[[str], None]
StoredRow = tuple[Any, int, str, bytes]


@dataclass(frozen=True)
class Sizes:
    """How much work each scenario does; `quick()` is a smoke run, `default()` the real one."""

    commands: int = 3000
    sites: int = 600
    command_block: int = 100
    roster: int = 10_000
    chunk: int = 500
    rounds: int = 4
    rebuilds: int = 3
    warmup: int = 50
    batch: int = 500
    batch_lines: int = 40_000
    verify_events: int = 1_000_000
    rebuild_events: int = 1_000_000
    time_travel_versions: int = 1_000_000
    time_travel_sites: int = 1000
    time_travel_queries: int = 10
    audit_events: int = 1_000_000
    page_requests: int = 40
    site_cases: int = 5000

    def __post_init__(self) -> None:
        if min(self.commands, self.sites, self.command_block, self.roster, self.chunk) < 1:
            raise ValueError("sizes must be positive")
        if min(self.time_travel_versions // 3, self.time_travel_sites) < 1:
            raise ValueError("time travel needs at least 3 versions and 1 site")
        if self.time_travel_queries < 1:
            raise ValueError("time_travel_queries must be at least 1")
        if self.audit_events < 1000:
            raise ValueError("audit_events must be at least 1000")
        if self.page_requests < 1 or self.site_cases < 1:
            raise ValueError("page_requests and site_cases must be at least 1")
        if self.verify_events < 1:
            raise ValueError("verify_events must be at least 1")
        if not 1000 <= self.rebuild_events <= MAX_SITES * 200:
            # A tenth of the log is measured too; site codes bound the copies of the template.
            raise ValueError(f"rebuild_events must be between 1000 and {MAX_SITES * 200}")
        if not 1 <= self.batch_lines <= MAX_BATCH_LINES:
            raise ValueError(f"batch_lines must be between 1 and {MAX_BATCH_LINES}")
        if min(self.rounds, self.rebuilds, self.warmup) < 1:
            raise ValueError("rounds, rebuilds and warmup must be at least 1")
        if not 10 <= self.batch <= 10_000:
            # The bounds of the projection_batch_size setting the runner is built with.
            raise ValueError("batch must be between 10 and 10000")
        if self.chunk > 9999:
            # Case numbers carry four digits, so one roster call holds at most 9999 people.
            raise ValueError("chunk must be at most 9999")
        if max(self.sites, -(-self.roster // self.chunk)) > MAX_SITES:
            # Site codes carry three letters, and each roster call needs a site of its own.
            raise ValueError(f"at most {MAX_SITES} sites (and roster calls) per scenario")

    @classmethod
    def quick(cls) -> Sizes:
        """A smoke run of a few hundred events per store (seconds, not minutes)."""
        return cls(
            commands=120,
            sites=24,
            command_block=20,
            roster=200,
            chunk=100,
            rounds=2,
            rebuilds=2,
            warmup=10,
            batch_lines=300,
            verify_events=2_000,
            rebuild_events=2_000,
            time_travel_versions=3_000,
            time_travel_sites=20,
            time_travel_queries=3,
            audit_events=3_000,
            page_requests=2,
            site_cases=30,
        )


@dataclass
class Tally:
    """Events (or rows) and seconds summed over the interleaved slices of one side."""

    count: int = 0
    seconds: float = 0.0
    slices: list[float] = field(default_factory=list)

    def add(self, count: int, seconds: float) -> None:
        """Record one timed slice."""
        self.count += count
        self.seconds += seconds
        self.slices.append(count / seconds if seconds > 0 else 0.0)

    @property
    def rate(self) -> float:
        """Count per second over all slices."""
        return self.count / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ScenarioResult:
    """One row of the report: a scenario and its raw baseline, measured on one store."""

    store: str
    scenario: str
    events: int
    seconds: float
    baseline: str
    baseline_rows: int
    baseline_seconds: float
    goal: float | None
    payload_bytes: int
    slice_ratio_median: float
    details: dict[str, float | int | str]

    @property
    def rate(self) -> float:
        """Our events per second."""
        return self.events / self.seconds if self.seconds > 0 else 0.0

    @property
    def baseline_rate(self) -> float:
        """The raw baseline's rows per second."""
        return self.baseline_rows / self.baseline_seconds if self.baseline_seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        """Ours divided by the baseline (1.0 = as fast as the raw driver)."""
        return self.rate / self.baseline_rate if self.baseline_rate > 0 else 0.0

    @property
    def passed(self) -> bool | None:
        """True when the ratio meets the goal; None when the scenario has no goal."""
        return None if self.goal is None else self.ratio >= self.goal

    @property
    def unit(self) -> str:
        """What the scenario counts: events written or read, lines of a payment batch, or
        queries at past cuts."""
        if self.scenario in QUERY_SCENARIOS:
            return "queries"
        if self.scenario in PAGE_SCENARIOS:
            return "pages"
        return "lines" if self.scenario in LEDGER_SCENARIOS else "events"

    def as_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready values, derived rates included."""
        return {
            "store": self.store,
            "scenario": self.scenario,
            "unit": self.unit,
            "events": self.events,
            "seconds": round(self.seconds, 4),
            "events_per_second": round(self.rate, 1),
            "baseline": self.baseline,
            "baseline_rows": self.baseline_rows,
            "baseline_seconds": round(self.baseline_seconds, 4),
            "baseline_rows_per_second": round(self.baseline_rate, 1),
            "ratio": round(self.ratio, 4),
            "slice_ratio_median": round(self.slice_ratio_median, 4),
            "goal": self.goal,
            "passed": self.passed,
            "payload_bytes": self.payload_bytes,
            "details": self.details,
        }


@dataclass
class EventArchive:
    """The stored events the first two scenarios produced, replayed into the third's store."""

    rows: list[StoredRow] = field(default_factory=list)

    def collect(self, app: ProgrammeApplication, page: int = 1000) -> None:
        """Append every event of `app`'s log, in log order."""
        position = 0
        while notifications := app.recorder.select_notifications(
            position, limit=page, inclusive_of_start=False
        ):
            self.rows.extend(
                (n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
            )
            position = notifications[-1].id


def run_store(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    """All three scenarios on one kind of store, each in its own fresh store."""
    archive = EventArchive()
    results = [
        command_path(target, sizes, workdir, progress, archive),
        *batched_import(target, sizes, workdir, progress, archive),
        projection_catch_up(target, sizes, workdir, progress, archive),
    ]
    return results


# --- 1. command path -----------------------------------------------------------------------------


def command_path(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress, archive: EventArchive
) -> ScenarioResult:
    """One `hold_sosialisasi` per request across many sites, versus INSERT + COMMIT per row.

    Every command loads its site from the store, decides, and saves one event in its own
    transaction, as an HTTP request would.
    """
    progress(f"{target.label}: {COMMAND_PATH}: registering {sizes.sites} sites")
    with fresh_store(target, workdir) as store:
        app = store.jejak.app
        raw = RawStore(store)
        try:
            sites = [register_site(app, "BC", i) for i in range(sizes.sites)]
            sosialisasi = _sosialisasi_provenance()
            issued = 0

            def commands(count: int) -> float:
                nonlocal issued
                started = time.perf_counter()
                for _ in range(count):
                    app.sites.hold_sosialisasi(
                        sites[issued % len(sites)],
                        venue="Balai Kelurahan Karang Anyar Pantai",
                        attendance=40 + issued % 60,
                        facilitators=("Pekerja Sosial Dinsos", "Penyuluh Kelurahan"),
                        provenance=sosialisasi,
                    )
                    issued += 1
                return time.perf_counter() - started

            # Warm-up: pools, prepared statements, imports and caches on both sides.
            head = app.position()
            commands(sizes.warmup)
            payload = mean_state_bytes(app, head)
            raw.insert_each_committed(raw.make_rows(sizes.warmup, payload))

            ours, base = Tally(), Tally()
            remaining = sizes.commands
            slice_index = 0
            progress(f"{target.label}: {COMMAND_PATH}: {sizes.commands} commands")
            while remaining > 0:
                count = min(sizes.command_block, remaining)
                rows = raw.make_rows(count, payload)
                gc.collect()
                for side in side_order(slice_index):
                    if side == "ours":
                        ours.add(count, commands(count))
                    else:
                        base.add(count, raw.insert_each_committed(rows))
                remaining -= count
                slice_index += 1
            archive.collect(app)
            settings = raw.settings()
        finally:
            raw.close()
    return scenario_result(
        target,
        COMMAND_PATH,
        ours,
        base,
        payload,
        {"sites": sizes.sites, "slices": slice_index, **settings},
    )


# --- 2. batched import ---------------------------------------------------------------------------


def batched_import(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress, archive: EventArchive
) -> tuple[ScenarioResult, ScenarioResult]:
    """`register_rosters` of the whole roster in rosters of `chunk` people, versus two raw
    baselines: `executemany` of one event-sized row per person, and of every row the import
    writes (the event and the person's two key rows).

    Each roster is one transaction for the events; sealing every name and phone, and creating
    each person's vault keys, is part of the timed work because an import cannot skip it.
    """
    calls = _split(sizes.roster, sizes.chunk)
    progress(f"{target.label}: {BATCHED_IMPORT}: registering {len(calls)} sites")
    with fresh_store(target, workdir) as store:
        app = store.jejak.app
        raw = RawStore(store)
        try:
            roster_provenance = Provenance(actor=ACTOR, occurred_on=PENDATAAN)
            sites = [register_site(app, "BI", i) for i in range(len(calls))]
            warmup_site = register_site(app, "BW", 0)

            # Warm-up: a small roster at a site of its own, and both small baselines.
            head = app.position()
            app.beneficiaries.register_rosters(
                [(warmup_site, _roster(_site_code("BW", 0), sizes.warmup, 0))],
                provenance=roster_provenance,
            )
            payload = mean_state_bytes(app, head)
            warm_people = min(sizes.roster, 1000)
            raw.insert_many_one_transaction(raw.make_rows(warm_people, payload))
            raw.insert_people(raw.make_rows(warm_people, payload), raw.make_key_rows(warm_people))

            ours, base, same = Tally(), Tally(), Tally()
            groups = _spread(list(range(len(calls))), sizes.rounds)
            progress(f"{target.label}: {BATCHED_IMPORT}: {sizes.roster} people")
            for round_index, group in enumerate(groups):
                # The inputs are built before the clock starts on any side.
                people = sum(calls[c] for c in group)
                rows = raw.make_rows(sizes.roster, payload)
                person_rows = raw.make_rows(people, payload)
                key_rows = raw.make_key_rows(people)
                rosters = [(sites[c], _roster(_site_code("BI", c), calls[c], c)) for c in group]
                gc.collect()
                for side in import_side_order(round_index):
                    if side == "ours":
                        started = time.perf_counter()
                        app.beneficiaries.register_rosters(rosters, provenance=roster_provenance)
                        ours.add(people, time.perf_counter() - started)
                    elif side == "raw":
                        base.add(len(rows), raw.insert_many_one_transaction(rows))
                    else:
                        same.add(people, raw.insert_people(person_rows, key_rows))
            archive.collect(app)
            settings = raw.settings()
        finally:
            raw.close()
    details: dict[str, float | int | str] = {
        "calls": len(calls),
        "chunk": sizes.chunk,
        "baseline_rows_per_transaction": sizes.roster,
        **settings,
    }
    return (
        scenario_result(target, BATCHED_IMPORT, ours, base, payload, details),
        scenario_result(
            target,
            BATCHED_IMPORT_SAME_ROWS,
            ours,
            same,
            payload,
            {**details, "baseline_rows_per_person": 3},
        ),
    )


# --- 3. projection catch-up ----------------------------------------------------------------------


def projection_catch_up(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress, archive: EventArchive
) -> ScenarioResult:
    """Rebuild every read model from the log, versus a hand-written loop doing the same work.

    The fresh store is seeded with the events the two scenarios above produced, copied in log
    order through the recorder (untimed), so the rebuild reads exactly that history. The
    baseline folds the same events into copies of the same read models and their histories;
    after the timed rebuilds both sides must hold identical rows and versions (checked untimed),
    or the run is invalid.
    """
    with fresh_store(target, workdir) as store:
        app = store.jejak.app
        runner = store.jejak.runner
        raw = RawStore(store)
        try:
            progress(f"{target.label}: {PROJECTION_CATCH_UP}: seeding {len(archive.rows)} events")
            _seed(app, archive.rows)
            names = [p.name for p in runner.projections]

            # Warm-up: the first few batches on each side (a full pass would double the cost).
            _warm_up_runner(runner, WARMUP_BATCHES)
            raw.catch_up(store, sizes.batch, max_batches=WARMUP_BATCHES)
            payload = mean_state_bytes(app, 0)

            ours, base = Tally(), Tally()
            progress(f"{target.label}: {PROJECTION_CATCH_UP}: {sizes.rebuilds} rebuilds")
            for round_index in range(sizes.rebuilds):
                gc.collect()
                for side in side_order(round_index):
                    if side == "ours":
                        started = time.perf_counter()
                        runner.reset(names)
                        events = runner.catch_up()
                        ours.add(events, time.perf_counter() - started)
                    else:
                        base.add(*raw.catch_up(store, sizes.batch))
            head = app.position()
            if runner.position() != head or ours.count != sizes.rebuilds * len(archive.rows):
                raise RuntimeError(
                    f"the rebuild stopped at {runner.position()} of {head}; results are invalid"
                )
            if base.count != ours.count:
                raise RuntimeError(f"the baseline read {base.count} events, ours {ours.count}")
            # Both sides must have done the same read-model work: the same rows in every table.
            mismatches = raw.read_model_mismatches()
            if mismatches:
                raise RuntimeError("baseline and read models differ: " + "; ".join(mismatches))
            rows = raw.read_model_rows()
            settings = raw.settings()
        finally:
            raw.close()
    return scenario_result(
        target,
        PROJECTION_CATCH_UP,
        ours,
        base,
        payload,
        {
            "projections": len(names),
            "batch": sizes.batch,
            "log_events": len(archive.rows),
            "read_model_rows": sum(n for t, n in rows.items() if t not in HISTORY_NAMES),
            "history_versions": sum(n for t, n in rows.items() if t in HISTORY_NAMES),
            **{f"rows_{table}": n for table, n in rows.items()},
            **settings,
        },
    )


# --- helpers -------------------------------------------------------------------------------------


def scenario_result(
    target: Target,
    scenario: str,
    ours: Tally,
    base: Tally,
    payload: int,
    details: dict[str, float | int | str],
) -> ScenarioResult:
    pairs = [o / b for o, b in zip(ours.slices, base.slices, strict=True) if b > 0]
    return ScenarioResult(
        store=target.label,
        scenario=scenario,
        events=ours.count,
        seconds=ours.seconds,
        baseline=BASELINES[scenario],
        baseline_rows=base.count,
        baseline_seconds=base.seconds,
        goal=GOALS.get(scenario),
        payload_bytes=payload,
        slice_ratio_median=statistics.median(pairs) if pairs else 0.0,
        details=details,
    )


def side_order(index: int) -> tuple[str, str]:
    # Alternating who goes first cancels a steady drift within each pair of slices.
    return ("ours", "raw") if index % 2 == 0 else ("raw", "ours")


def import_side_order(index: int) -> tuple[str, str, str]:
    """`side_order` with the same-rows baseline: each side goes first once in three rounds."""
    sides = ("ours", "raw", "same")
    first = index % len(sides)
    return sides[first], sides[(first + 1) % 3], sides[(first + 2) % 3]


def _site_code(prefix: str, index: int) -> str:
    """A valid site code (two to four letters, a hyphen, three letters) unique per index."""
    letters = "".join(ALPHABET[(index // 26**k) % 26] for k in (2, 1, 0))
    return f"{prefix}-{letters}"


def register_site(app: ProgrammeApplication, prefix: str, index: int) -> UUID:
    code = _site_code(prefix, index)
    return app.sites.register_site(
        code=code,
        name=f"Lokalisasi {code}",
        aliases=(f"Eks lokalisasi {index}",),
        kelurahan=KELURAHAN,
        headcount_at_pendataan=120,
        provenance=Provenance(actor=ACTOR, occurred_on=PENDATAAN),
    ).aggregate_id


def _sosialisasi_provenance() -> Provenance:
    # A sosialisasi is recorded with its minutes, so the event carries a document reference.
    minutes = DocumentRef(
        kind="notulen",
        number="BENCH/NOT/2016/001",
        issued_on=date(2016, 6, 1),
        issuer="Dinas Sosial Kota Tarakan",
    )
    return Provenance(actor=ACTOR, occurred_on=date(2016, 6, 1), document=minutes)


def _roster(site_code: str, people: int, seed: int) -> list[NewBeneficiary]:
    return [
        NewBeneficiary(
            case_number=f"{site_code}-{k:04d}",
            name=f"Contoh Peserta {seed}-{k}",
            phone=f"0812{seed % 10000:04d}{k:04d}",
        )
        for k in range(1, people + 1)
    ]


def _split(total: int, chunk: int) -> list[int]:
    """Call sizes: as many full chunks as fit, then the rest."""
    sizes = [chunk] * (total // chunk)
    if total % chunk:
        sizes.append(total % chunk)
    return sizes


def _spread(items: Sequence[int], groups: int) -> list[list[int]]:
    """`items` cut into at most `groups` contiguous, non-empty groups of near-equal size."""
    groups = max(1, min(groups, len(items)))
    base, extra = divmod(len(items), groups)
    out: list[list[int]] = []
    start = 0
    for g in range(groups):
        size = base + (1 if g < extra else 0)
        out.append(list(items[start : start + size]))
        start += size
    return out


def mean_state_bytes(app: ProgrammeApplication, after: int) -> int:
    """The mean stored size of the events after position `after`: the raw rows' payload size."""
    sizes: list[int] = []
    position = after
    while notifications := app.recorder.select_notifications(
        position, limit=1000, inclusive_of_start=False
    ):
        sizes.extend(len(n.state) for n in notifications)
        position = notifications[-1].id
    return round(statistics.fmean(sizes)) if sizes else 300


class _WarmedUp(Exception):
    """Raised from the runner's batch callback to stop a warm-up after a few batches."""


def _warm_up_runner(runner: ProjectionRunner, batches: int) -> None:
    done = 0

    def count(_applied: int) -> None:
        nonlocal done
        done += 1
        if done >= batches:
            # Each batch is committed before the callback runs, so stopping here is clean.
            raise _WarmedUp

    with contextlib.suppress(_WarmedUp):
        runner.catch_up(on_batch=count)


def _seed(app: ProgrammeApplication, rows: Sequence[StoredRow], page: int = 1000) -> None:
    for start in range(0, len(rows), page):
        app.recorder.insert_events(
            [
                StoredEvent(originator_id=o, originator_version=v, topic=t, state=s)
                for o, v, t, s in rows[start : start + page]
            ]
        )
