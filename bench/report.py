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

COLUMNS = (
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


def format_table(results: Sequence[ScenarioResult]) -> str:
    """The results as an aligned text table, one line per store and scenario."""
    lines = [
        (
            r.store,
            r.scenario,
            f"{r.events:,}",
            f"{r.seconds:.2f}",
            f"{r.rate:,.0f}",
            f"{r.baseline_rate:,.0f}",
            f"{r.ratio:.2f}",
            f">= {r.goal:.2f}",
            "PASS" if r.passed else "BELOW",
        )
        for r in results
    ]
    header = tuple(name for name, _ in COLUMNS)
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(COLUMNS))]

    def render(row: Sequence[str]) -> str:
        cells = [
            cell.ljust(width) if align == "<" else cell.rjust(width)
            for cell, width, (_, align) in zip(row, widths, COLUMNS, strict=True)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths).rstrip()
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def format_notes(results: Sequence[ScenarioResult]) -> str:
    """What each baseline was and the per-slice ratio median, under the table."""
    notes = []
    for r in results:
        settings = ", ".join(
            f"{k}={r.details[k]}"
            for k in ("synchronous_commit", "journal_mode", "synchronous")
            if k in r.details
        )
        notes.append(
            f"{r.store} / {r.scenario}: baseline = {r.baseline} ({r.baseline_rows:,} rows of "
            f"{r.payload_bytes} B); median per-slice ratio {r.slice_ratio_median:.2f}"
            + (f"; {settings}" if settings else "")
        )
    return "\n".join(notes)


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
