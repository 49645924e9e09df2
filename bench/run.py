"""Running the scenarios on each requested store, skipping PostgreSQL when it is unreachable."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.integrity_scenario import log_verification
from bench.ledger_scenarios import run_ledger
from bench.rebuild_scenario import full_rebuild
from bench.scenarios import Progress, ScenarioResult, Sizes, run_store
from bench.stores import DEFAULT_POSTGRES_URL, StoreKind, Target, postgres_problem
from bench.time_travel_scenario import time_travel

# The groups of scenarios, in the order a store runs them; `python -m bench --only` picks some.
GROUPS = ("events", "verification", "rebuild", "ledger", "time-travel")


@dataclass
class BenchmarkRun:
    """Every result of one run, and the stores that were skipped with the reason."""

    results: list[ScenarioResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def run_benchmark(
    stores: Sequence[StoreKind],
    sizes: Sizes,
    *,
    postgres_url: str = DEFAULT_POSTGRES_URL,
    progress: Progress = lambda _message: None,
    groups: Sequence[str] = GROUPS,
) -> BenchmarkRun:
    """Run the scenarios of `groups` (all of them by default) on each store in `stores`; an
    unreachable PostgreSQL is skipped."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise ValueError(f"no scenario group named {', '.join(sorted(unknown))}")
    run = BenchmarkRun()
    with tempfile.TemporaryDirectory(prefix="jejak-bench-") as folder:
        for kind in stores:
            target = Target(kind=kind, postgres_url=postgres_url, projection_batch_size=sizes.batch)
            if kind == "postgresql":
                problem = postgres_problem(postgres_url)
                if problem is not None:
                    run.skipped[target.label] = f"{postgres_url} unreachable: {problem}"
                    progress(f"PostgreSQL skipped: {run.skipped[target.label]}")
                    continue
            work = Path(folder)
            if "events" in groups:
                run.results.extend(run_store(target, sizes, work, progress))
            if "verification" in groups:
                run.results.append(log_verification(target, sizes, work, progress))
            if "rebuild" in groups:
                run.results.append(full_rebuild(target, sizes, work, progress))
            if "ledger" in groups:
                run.results.extend(run_ledger(target, sizes, work, progress))
            if "time-travel" in groups:
                run.results.extend(time_travel(target, sizes, work, progress))
    return run
