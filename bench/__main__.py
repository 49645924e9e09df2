"""`python -m bench`: every scenario beside its raw baseline, on SQLite and on PostgreSQL.

Prints a table of events/s, baseline rows/s and their ratio against each goal, then one of
the ledger's batch lines/s beside its baselines. Goals are reported, not asserted: the exit
status is 0 whatever the ratios are.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.report import environment, format_notes, format_tables, write_json
from bench.run import GROUPS, run_benchmark
from bench.scenarios import Sizes
from bench.stores import DEFAULT_POSTGRES_URL, StoreKind

STORE_CHOICES: dict[str, tuple[StoreKind, ...]] = {
    "both": ("sqlite", "postgresql"),
    "sqlite": ("sqlite",),
    "postgresql": ("postgresql",),
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: sizes, stores, the PostgreSQL server and the JSON output."""
    defaults = Sizes()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Jejak benchmark: each scenario beside a raw-driver baseline on the same "
        "store, measured in the same run.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: a few hundred events and batch lines per store",
    )
    parser.add_argument(
        "--store",
        choices=sorted(STORE_CHOICES),
        default="both",
        help="which stores to run (default: both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("JEJAK_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server and database for the throw-away schemas "
        "(default: $JEJAK_BENCH_POSTGRES_URL or %(default)s)",
    )
    parser.add_argument(
        "--commands", type=int, help=f"command path: commands (default {defaults.commands})"
    )
    parser.add_argument(
        "--sites", type=int, help=f"command path: sites the commands spread over ({defaults.sites})"
    )
    parser.add_argument(
        "--command-block",
        type=int,
        help=f"command path: commands per interleaved slice ({defaults.command_block})",
    )
    parser.add_argument(
        "--roster", type=int, help=f"batched import: people in the roster ({defaults.roster})"
    )
    parser.add_argument(
        "--chunk",
        type=int,
        help=f"batched import: people per register_roster call ({defaults.chunk})",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help=f"batched import: interleaved rounds against the baseline ({defaults.rounds})",
    )
    parser.add_argument(
        "--rebuilds",
        type=int,
        help=f"projection catch-up: timed rebuilds of every read model ({defaults.rebuilds})",
    )
    parser.add_argument(
        "--warmup", type=int, help=f"warm-up commands / roster size ({defaults.warmup})"
    )
    parser.add_argument(
        "--batch", type=int, help=f"projection batch size, both sides ({defaults.batch})"
    )
    parser.add_argument(
        "--batch-lines",
        type=int,
        help="ledger: lines of the batch ordered, credited and reconciled "
        f"({defaults.batch_lines})",
    )
    parser.add_argument(
        "--verify-events",
        type=int,
        help=f"log verification: events in the chained log ({defaults.verify_events})",
    )
    parser.add_argument(
        "--rebuild-events",
        type=int,
        help="side-by-side rebuild: events in the log, memory also measured at a tenth "
        f"({defaults.rebuild_events})",
    )
    parser.add_argument(
        "--time-travel-versions",
        type=int,
        help="time travel: versions in beneficiary_status's history "
        f"({defaults.time_travel_versions})",
    )
    parser.add_argument(
        "--time-travel-sites",
        type=int,
        help=f"time travel: sites the people spread over ({defaults.time_travel_sites})",
    )
    parser.add_argument(
        "--audit-events",
        type=int,
        help=f"audit findings at a cut: events in the log ({defaults.audit_events})",
    )
    parser.add_argument(
        "--page-requests",
        type=int,
        help=f"pages: timed requests of each page ({defaults.page_requests})",
    )
    parser.add_argument(
        "--site-cases",
        type=int,
        help=f"pages: cases of the one site whose page is timed ({defaults.site_cases})",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(GROUPS),
        default=[],
        help="run only this group of scenarios (repeatable; default: all of them)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    """The sizes the flags ask for: quick or default, then any explicit overrides."""
    sizes = Sizes.quick() if args.quick else Sizes()
    overrides = {
        name: getattr(args, name)
        for name in (
            "commands",
            "sites",
            "command_block",
            "roster",
            "chunk",
            "rounds",
            "rebuilds",
            "warmup",
            "batch",
            "batch_lines",
            "verify_events",
            "rebuild_events",
            "time_travel_versions",
            "time_travel_sites",
            "audit_events",
            "page_requests",
            "site_cases",
        )
        if getattr(args, name) is not None
    }
    return replace(sizes, **overrides)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; always returns 0 (goals are only reported)."""
    args = parse_args(argv)
    try:
        sizes = sizes_from(args)
    except ValueError as error:
        print(f"python -m bench: {error}", file=sys.stderr)
        return 2
    env = environment()
    print(
        f"Jejak benchmark on {env['cpu']} ({env['cpus']} CPUs), Python {env['python']}, "
        f"eventsourcing {env['eventsourcing']}, psycopg {env['psycopg']}, "
        f"SQLite {env['sqlite']}",
        flush=True,
    )

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    run = run_benchmark(
        STORE_CHOICES[args.store],
        sizes,
        postgres_url=args.postgres_url,
        progress=progress,
        only=args.only,
    )
    print()
    if run.results:
        print(format_tables(run.results))
        print()
        print(format_notes(run.results))
    for label, reason in run.skipped.items():
        print(f"{label} skipped: {reason}")
    print(
        f"\nTotal time {time.perf_counter() - started:.0f} s. Ratio = our events/s divided by "
        "the raw baseline's rows/s on the same store in the same run (for the ledger, batch "
        "lines/s over baseline lines/s)."
    )
    if args.json is not None:
        write_json(args.json, run.results, sizes, env, run.skipped)
        print(f"Results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
