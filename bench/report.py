"""The benchmark's output: a compact table for people and a JSON document for tools."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psycopg

from bench.scenarios import ScenarioResult, Sizes

EVENT_COLUMNS = (
    ("store", "<"),
    ("scenario", "<"),
    ("events", ">"),
    ("seconds", ">"),
    ("events/s", ">"),
    ("baseline rows/s", ">"),
    ("ratio", ">"),
    ("goal", ">"),
    ("", "<"),
)
# The ledger's scenarios count batch lines and have no goals yet.
LEDGER_COLUMNS = (
    ("store", "<"),
    ("scenario", "<"),
    ("lines", ">"),
    ("seconds", ">"),
    ("lines/s", ">"),
    ("baseline rows/s", ">"),
    ("ratio", ">"),
)

# Queries at past cuts: latency per query on each side.
QUERY_COLUMNS = (
    ("store", "<"),
    ("scenario", "<"),
    ("queries", ">"),
    ("ms/query", ">"),
    ("baseline ms/query", ">"),
    ("ratio", ">"),
)

# Pages through the app: latency per request beside the page's own reads replayed raw.
PAGE_COLUMNS = (
    ("store", "<"),
    ("page", "<"),
    ("role", "<"),
    ("requests", ">"),
    ("p50 ms", ">"),
    ("p95 ms", ">"),
    ("CPU p50 ms", ">"),
    ("SQL", ">"),
    ("writes", ">"),
    ("raw p50 ms", ">"),
    ("raw p95 ms", ">"),
    ("", "<"),
)

Columns = tuple[tuple[str, str], ...]


def format_tables(results: Sequence[ScenarioResult]) -> str:
    """The event scenarios' table, then the ledger's (each only when it has rows)."""
    tables = [
        format_table([r for r in results if r.unit == unit])
        for unit in ("events", "lines", "queries", "pages")
        if any(r.unit == unit for r in results)
    ]
    return "\n\n".join(tables)


def format_table(results: Sequence[ScenarioResult]) -> str:
    """Results of one unit (events or lines) as an aligned table, one line per store and
    scenario; a goal and its verdict are shown for the scenarios that have one."""
    unit = results[0].unit if results else "events"
    columns = {"lines": LEDGER_COLUMNS, "queries": QUERY_COLUMNS, "pages": PAGE_COLUMNS}.get(
        unit, EVENT_COLUMNS
    )
    cells = {"queries": _query_cells, "pages": _page_cells}.get(unit, _cells)
    if unit == "pages":
        results = [r for r in results if "skipped" not in r.details]
    lines = [cells(r)[: len(columns)] for r in results]
    header = tuple(name for name, _ in columns)
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(columns))]

    def render(row: Sequence[str]) -> str:
        cells = [
            cell.ljust(width) if align == "<" else cell.rjust(width)
            for cell, width, (_, align) in zip(row, widths, columns, strict=True)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths).rstrip()
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def _cells(r: ScenarioResult) -> tuple[str, ...]:
    verdict = {True: "PASS", False: "BELOW", None: ""}[r.passed]
    return (
        r.store,
        r.scenario,
        f"{r.events:,}",
        f"{r.seconds:.2f}",
        f"{r.rate:,.0f}",
        f"{r.baseline_rate:,.0f}",
        f"{r.ratio:.2f}",
        f">= {r.goal:.2f}" if r.goal is not None else "",
        verdict,
    )


def _query_cells(r: ScenarioResult) -> tuple[str, ...]:
    return (
        r.store,
        r.scenario,
        f"{r.events:,}",
        f"{1000 * r.seconds / r.events:.1f}" if r.events else "-",
        f"{1000 * r.baseline_seconds / r.baseline_rows:.1f}" if r.baseline_rows else "-",
        f"{r.ratio:.2f}",
    )


def _page_cells(r: ScenarioResult) -> tuple[str, ...]:
    d = r.details
    url = str(d["url"])
    if "cases" in d:
        url += f" ({int(d['cases']):,} cases)"
    return (
        r.store,
        url,
        str(d["role"]),
        f"{r.events:,}",
        f"{d['p50_ms']}",
        f"{d['p95_ms']}",
        f"{d['cpu_p50_ms']}",
        f"{d['statements']}",
        f"{int(d['statements']) - int(d['reads'])}",
        f"{d['raw_p50_ms']}",
        f"{d['raw_p95_ms']}",
        "OVER 300 ms" if d["over_budget"] == "yes" else "",
    )


def format_page_notes(results: Sequence[ScenarioResult]) -> str:
    """The pages not timed and why, and the profile of each page over the budget."""
    notes = [
        f"{r.store}: {r.details['url']} not timed: {r.details['skipped']}"
        for r in results
        if r.unit == "pages" and "skipped" in r.details
    ]
    for r in results:
        if r.unit == "pages" and "profile" in r.details:
            notes.append(
                f"{r.store}: {r.details['url']} over budget; share of samples in each function:"
            )
            notes.append(str(r.details["profile"]))
    return "\n".join(notes)


def format_notes(results: Sequence[ScenarioResult]) -> str:
    """What each baseline was and the per-slice ratio median, under the table."""
    notes = []
    pages = [r for r in results if r.unit == "pages" and "skipped" not in r.details]
    if pages:
        notes.append(
            f"pages: baseline = {pages[0].baseline}; SQL = statements one request sends through "
            "SQLAlchemy, writes = those that are not reads (the access log's entries, each "
            "committed: the replay leaves them out); CPU = this process's CPU time per request; "
            "p95 over 300 ms is flagged (issue 16)"
        )
    for r in results:
        if r.unit == "pages":
            continue
        settings = ", ".join(
            f"{k}={r.details[k]}"
            for k in ("synchronous_commit", "journal_mode", "synchronous")
            if k in r.details
        )
        rows = f"{r.baseline_rows:,} rows" + (f" of {r.payload_bytes} B" if r.payload_bytes else "")
        memory = (
            f"; peak memory {r.details['peak_mib_small']} MiB at {r.details['small_log_events']:,}"
            f" events, {r.details['peak_mib_large']} MiB at {r.details['log_events']:,}"
            f" (x{r.details['peak_ratio']})"
            if "peak_mib_large" in r.details
            else ""
        )
        cuts = "".join(
            f"; {kind.replace('_', ' ')}: {r.details[f'ms_{kind}']} ms"
            f" (baseline {r.details[f'baseline_ms_{kind}']} ms)"
            for kind in ("known_at", "as_at", "both")
            if f"ms_{kind}" in r.details
        )
        notes.append(
            f"{r.store} / {r.scenario}: baseline = {r.baseline} ({rows}); "
            f"median per-slice ratio {r.slice_ratio_median:.2f}"
            + (f"; {settings}" if settings else "")
            + memory
            + cuts
        )
    page_notes = format_page_notes(results)
    return "\n".join(notes + ([page_notes] if page_notes else []))


def environment() -> dict[str, str]:
    """Machine and library versions, recorded with every run (the anchors' rules ask for it)."""
    return {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": str(os.cpu_count() or "?"),
        "eventsourcing": _version("eventsourcing"),
        "sqlalchemy": _version("sqlalchemy"),
        "psycopg": f"{psycopg.__version__} ({psycopg.pq.__impl__})",
        "sqlite": sqlite3.sqlite_version,
    }


def write_json(
    path: Path,
    results: Sequence[ScenarioResult],
    sizes: Sizes,
    env: dict[str, str],
    skipped: dict[str, str],
) -> None:
    """Write the run (sizes, environment, results, skipped stores) as JSON to `path`."""
    document = {
        "sizes": asdict(sizes),
        "environment": env,
        "skipped": skipped,
        "results": [r.as_dict() for r in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"
