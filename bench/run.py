"""Running the scenarios on each requested store, skipping PostgreSQL when it is unreachable."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.audit_at_scenario import audit_at
from bench.integrity_scenario import log_verification
from bench.ledger_scenarios import run_ledger
from bench.page_latency import page_latency
from bench.rebuild_scenario import full_rebuild
from bench.scenarios import Progress, ScenarioResult, Sizes, run_store
from bench.stores import DEFAULT_POSTGRES_URL, StoreKind, Target, postgres_problem
from bench.time_travel_scenario import time_travel

Group = Callable[[Target, Sizes, Path, Progress], list[ScenarioResult]]


def _verification(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    return [log_verification(target, sizes, workdir, progress)]


def _rebuild(
    target: Target, sizes: Sizes, workdir: Path, progress: Progress
) -> list[ScenarioResult]:
    return [full_rebuild(target, sizes, workdir, progress)]


# The scenarios by the group `python -m bench --only` names, in the order a full run takes them.
GROUPS: dict[str, Group] = {
    "events": run_store,
    "verification": _verification,
    "rebuild": _rebuild,
    "ledger": run_ledger,
    "time-travel": time_travel,
    "audit-at": audit_at,
    "pages": page_latency,
}


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
    only: Sequence[str] = (),
) -> BenchmarkRun:
    """Run all scenarios (or the groups named in `only`) on each store in `stores`; an
    unreachable PostgreSQL is skipped."""
    unknown = sorted(set(only) - set(GROUPS))
    if unknown:
        raise ValueError(f"no scenario group {unknown[0]!r}; the groups are {', '.join(GROUPS)}")
    chosen = [group for name, group in GROUPS.items() if not only or name in only]
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
            for group in chosen:
                run.results.extend(group(target, sizes, Path(folder), progress))
    return run
