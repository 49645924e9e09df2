"""Smoke test of the benchmark harness: a quick run on SQLite yields well-formed results.

Only the shape of the results is checked, never the timings: rates depend on the machine.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import SCENARIOS, Sizes, run_benchmark
from bench.__main__ import main
from bench.report import format_table


def test_quick_run_on_sqlite_reports_every_scenario_with_positive_rates() -> None:
    run = run_benchmark(["sqlite"], Sizes.quick())

    assert run.skipped == {}
    assert [r.scenario for r in run.results] == list(SCENARIOS)
    for result in run.results:
        assert result.store == "SQLite"
        assert result.events > 0
        assert result.baseline_rows > 0
        assert result.seconds > 0
        assert result.baseline_seconds > 0
        assert result.rate > 0
        assert result.baseline_rate > 0
        assert math.isfinite(result.ratio)
        assert result.ratio > 0
        assert result.passed == (result.ratio >= result.goal)
        assert result.payload_bytes > 0
    quick = Sizes.quick()
    by_name = {r.scenario: r for r in run.results}
    assert by_name["command path"].events == quick.commands
    assert by_name["batched import"].events == quick.roster
    # Every rebuild reads the whole log the first two scenarios produced.
    log_events = by_name["projection catch-up"].details["log_events"]
    assert by_name["projection catch-up"].events == quick.rebuilds * int(log_events)

    table = format_table(run.results).splitlines()
    assert len(table) == 2 + len(SCENARIOS)
    assert all(line.endswith(("PASS", "BELOW")) for line in table[2:])


def test_command_line_quick_run_writes_json_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"

    status = main(["--quick", "--store", "sqlite", "--json", str(out)])

    assert status == 0
    assert "projection catch-up" in capsys.readouterr().out
    document = json.loads(out.read_text())
    assert [r["scenario"] for r in document["results"]] == list(SCENARIOS)
    assert all(r["events_per_second"] > 0 for r in document["results"])
    assert all(r["baseline_rows_per_second"] > 0 for r in document["results"])
    assert document["sizes"]["commands"] == Sizes.quick().commands


def test_unreachable_postgres_is_skipped_with_a_reason() -> None:
    # Port 1 refuses connections at once, so nothing waits for a timeout.
    run = run_benchmark(
        ["postgresql"], Sizes.quick(), postgres_url="postgresql://postgres@127.0.0.1:1/none"
    )

    assert run.results == []
    assert "unreachable" in run.skipped["PostgreSQL"]


def test_sizes_reject_impossible_values() -> None:
    with pytest.raises(ValueError, match="chunk"):
        Sizes(chunk=10_000)
    with pytest.raises(ValueError, match="positive"):
        Sizes(commands=0)
    with pytest.raises(ValueError, match="batch"):
        Sizes(batch=5)
