"""Smoke test of the benchmark harness: a quick run on SQLite yields well-formed results.

Only the shape of the results is checked, never the timings: rates depend on the machine.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import SCENARIOS, Sizes, run_benchmark
from bench.__main__ import main, parse_args, sizes_from
from bench.baselines import RawStore
from bench.page_latency import BUDGET_MS, page_routes
from bench.read_models import HISTORY_TABLES, KNOWN, SUM_TABLES, TABLES
from bench.report import format_notes, format_tables
from bench.run import GROUPS
from bench.scenarios import (
    AUDIT_SCENARIOS,
    EVENT_SCENARIOS,
    LEDGER_SCENARIOS,
    PAGE_LATENCY,
    QUERY_SCENARIOS,
    SITE_PAGE_LATENCY,
    TIME_TRAVEL_SCENARIOS,
)
from bench.stores import StoreKind, Target, fresh_store
from bench.time_travel_scenario import CUT_KINDS, ROUNDS
from projections.dashboard import ProgrammeDashboard
from projections.dashboard_counts import CountRules
from service.api.app import create_app
from service.demo.kaltara import load_demo

DASHBOARD = "programme_dashboard"


def test_quick_run_on_sqlite_reports_every_scenario_with_positive_rates() -> None:
    # The pages have their own smoke test below (they load the demo).
    run = run_benchmark(["sqlite"], Sizes.quick(), only=[g for g in GROUPS if g != "pages"])

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
        if result.goal is None:
            assert result.passed is None
        else:
            assert result.passed == (result.ratio >= result.goal)
        # The reconciliation and the time-travel queries only read: no rows of any size.
        reads_only = result.scenario == "reconciling" or result.scenario in QUERY_SCENARIOS
        assert (result.payload_bytes > 0) == (not reads_only)
    quick = Sizes.quick()
    by_name = {r.scenario: r for r in run.results}
    assert by_name["command path"].events == quick.commands
    assert by_name["batched import"].events == quick.roster
    # Every rebuild reads the whole log the first two scenarios produced.
    log_events = by_name["projection catch-up"].details["log_events"]
    assert by_name["projection catch-up"].events == quick.rebuilds * int(log_events)
    # Both sides of the catch-up built the same rows (the run raises otherwise).
    assert by_name["projection catch-up"].baseline_rows == by_name["projection catch-up"].events
    assert int(by_name["projection catch-up"].details["read_model_rows"]) > 0

    # The ledger scenarios did their work on one batch of `batch_lines` lines: every line was
    # ordered, then credited (the batch settled), and the reconciliation matched every line
    # and came out clean (the run raises otherwise; these are the numbers it read back).
    for scenario in LEDGER_SCENARIOS:
        assert by_name[scenario].events == quick.batch_lines
        assert by_name[scenario].baseline_rows == quick.batch_lines
        assert by_name[scenario].details["ordered_then_credited"] == quick.batch_lines
        assert by_name[scenario].details["batch_state"] == "SETTLED"
    assert by_name["reconciling"].details["clean"] == "yes"

    # The verifier read the whole seeded log (and the event the seed copies) in every round,
    # and the raw side read as many rows: the run raises unless the log verified intact.
    verification = by_name["log verification"]
    assert verification.details["events"] == quick.verify_events
    assert verification.events == verification.baseline_rows
    assert verification.events >= 2 * quick.verify_events

    # The rebuild read the whole log twice (at a tenth and at all of it) in a child process
    # each time, found no row changed (the run raises otherwise) and measured its memory.
    rebuild = by_name["side-by-side rebuild"]
    assert int(rebuild.details["log_events"]) >= quick.rebuild_events
    assert 0 < int(rebuild.details["small_log_events"]) < int(rebuild.details["log_events"])
    assert float(rebuild.details["peak_mib_large"]) > 0
    assert int(rebuild.details["read_model_rows"]) > 0

    # Both sides gave the same answer at every cut, as known at a position, as at a date and
    # both (the run raises otherwise), each kind timed on its own.
    for scenario in TIME_TRAVEL_SCENARIOS:
        assert by_name[scenario].events == len(CUT_KINDS) * quick.time_travel_queries * ROUNDS
        assert by_name[scenario].details["versions"] == quick.time_travel_versions
        for kind in CUT_KINDS:
            assert float(by_name[scenario].details[f"ms_{kind}"]) > 0
            assert float(by_name[scenario].details[f"baseline_ms_{kind}"]) > 0

    # The findings at a cut were listed alike by both sides as known at a position (the run
    # raises otherwise), over a log with events entered late, which the date cuts folded.
    for scenario in AUDIT_SCENARIOS:
        details = by_name[scenario].details
        assert int(details["log_events"]) == quick.audit_events
        assert int(details["findings_history"]) > 0 and int(details["late_events"]) > 0
        for kind in CUT_KINDS:
            assert float(details[f"ms_{kind}"]) > 0

    events, lines, queries = format_tables(run.results).split("\n\n")
    assert queries.splitlines()[0].split()[:4] == ["store", "scenario", "queries", "ms/query"]
    assert len(queries.splitlines()) == 2 + len(QUERY_SCENARIOS)
    assert len(events.splitlines()) == 2 + len(EVENT_SCENARIOS)
    with_goals = [
        line
        for line in events.splitlines()[2:]
        if "verification" not in line and "rebuild" not in line
    ]
    assert all(line.endswith(("PASS", "BELOW")) for line in with_goals)
    assert lines.splitlines()[0].split()[:5] == ["store", "scenario", "lines", "seconds", "lines/s"]
    assert len(lines.splitlines()) == 2 + len(LEDGER_SCENARIOS)


def test_command_line_quick_run_writes_json_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"

    # The command line's own work (its flags, the table, the JSON file, the exit status) on
    # the ledger's scenarios: every scenario's numbers are checked by the quick run above.
    status = main(["--quick", "--store", "sqlite", "--json", str(out), "--only", "ledger"])

    assert status == 0
    printed = capsys.readouterr().out
    assert "reconciling" in printed and "projection catch-up" not in printed
    document = json.loads(out.read_text())
    assert [r["scenario"] for r in document["results"]] == list(LEDGER_SCENARIOS)
    assert all(r["events_per_second"] > 0 for r in document["results"])
    assert all(r["baseline_rows_per_second"] > 0 for r in document["results"])
    assert document["sizes"]["commands"] == Sizes.quick().commands


def test_only_the_named_group_of_scenarios_runs() -> None:
    run = run_benchmark(["sqlite"], Sizes.quick(), only=parse_args(["--only", "time-travel"]).only)

    assert [r.scenario for r in run.results] == list(TIME_TRAVEL_SCENARIOS)
    with pytest.raises(ValueError, match="no scenario group 'nothing'"):
        run_benchmark(["sqlite"], Sizes.quick(), only=["nothing"])


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
    with pytest.raises(ValueError, match="batch_lines"):
        Sizes(batch_lines=0)


def test_the_batch_lines_flag_sizes_the_ledger_scenarios() -> None:
    assert sizes_from(parse_args(["--quick", "--batch-lines", "50"])).batch_lines == 50
    assert sizes_from(parse_args([])).batch_lines == 40_000


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_catch_up_baseline_builds_the_same_rows_as_the_projections_for_every_event_type(
    kind: StoreKind, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # The demo walks sites and people through every event type, reversals and exits included.
    # The two sides cut the log into different batches; the rows must not depend on that.
    target = (
        Target(kind=kind, postgres_url=request.getfixturevalue("postgres_server"))
        if kind == "postgresql"
        else Target(kind=kind)
    )
    with fresh_store(target, tmp_path) as store:
        # The dashboard's sums cut small, so that the demo crosses many checkpoints (ADR 0026).
        dashboard = next(p for p in store.jejak.runner.projections if p.name == DASHBOARD)
        assert isinstance(dashboard, ProgrammeDashboard)
        dashboard.count_rules = CountRules(bucket_positions=40, checkpoint_moves=5)
        load_demo(store.jejak.app)
        store.jejak.runner.catch_up()
        raw = RawStore(store)
        try:
            events, _ = raw.catch_up(store, batch_size=37)

            assert events == store.jejak.app.position()
            assert raw.read_model_mismatches() == []
            rows = raw.read_model_rows()
            assert set(rows) == {t.real for t in (*TABLES, *HISTORY_TABLES, *SUM_TABLES)}
            assert all(n > 0 for n in rows.values())
            checkpoints = raw._query("SELECT COUNT(DISTINCT position) FROM baseline_" + KNOWN.real)
            assert checkpoints[0][0] > 1
            # A history holds a version per event that changed a row, so more than the rows.
            assert all(rows[h.real] > rows[h.real.removesuffix("_history")] for h in HISTORY_TABLES)

            # The comparison is not vacuous: one changed cell is reported, in a history too.
            raw._execute(
                "UPDATE baseline_site_status_history SET removed = ? WHERE version_position = "
                "(SELECT max(version_position) FROM baseline_site_status_history)",
                (True,),
            )
            raw._commit()
            assert [m.split(":")[0] for m in raw.read_model_mismatches()] == ["site_status_history"]
            raw._execute("UPDATE baseline_worklist SET next_action = 'changed'")
            raw._commit()
            assert any(m.startswith("worklist:") for m in raw.read_model_mismatches())
        finally:
            raw.close()


def test_quick_run_times_the_workspace_pages_found_in_the_routes() -> None:
    run = run_benchmark(["sqlite"], Sizes.quick(), only=["pages"])

    timed = {r.details["url"]: r for r in run.results if "skipped" not in r.details}
    skipped = {
        r.details["url"]: r.details["skipped"] for r in run.results if "skipped" in r.details
    }
    # The pages come from the app's own routes: every web GET route is timed or said skipped.
    routes = page_routes(create_app(run_projections=False))
    assert {"/", "/worklist", "/sites/{code}", "/cases/{case_number}"} <= {r.path for r in routes}
    for route in routes:
        assert any(route.path_regex.match(str(url)) for url in [*timed, *skipped]), route.path
    # The demo's pages, filled from demo values, and the dashboard at a past cut.
    assert {"/", "/worklist", "/sites/TRK-JP", "/cases/TRK-JP-0004", "/?as_at=2018-12-31"} <= set(
        timed
    )
    assert "/language/{language}" not in timed and "/language/en" in skipped
    for result in timed.values():
        assert result.store == "SQLite"
        assert result.events == Sizes.quick().page_requests == result.baseline_rows
        assert float(result.details["p95_ms"]) >= float(result.details["p50_ms"]) > 0
        assert int(result.details["statements"]) >= int(result.details["reads"])
        flagged = float(result.details["p95_ms"]) > BUDGET_MS
        assert (result.details["over_budget"] == "yes") == flagged
    # A page that reads the store replays its reads on the raw side.
    assert int(timed["/cases/TRK-JP-0004"].details["reads"]) > 0
    assert float(timed["/cases/TRK-JP-0004"].details["raw_p50_ms"]) > 0
    big = [r for r in run.results if r.scenario == SITE_PAGE_LATENCY]
    assert len(big) == 1 and big[0].details["cases"] == Sizes.quick().site_cases
    assert {r.scenario for r in run.results} == {PAGE_LATENCY, SITE_PAGE_LATENCY}

    table = format_tables(run.results)
    assert table.splitlines()[0].split()[:4] == ["store", "page", "role", "requests"]
    assert "/cases/TRK-JP-0004" in table
    assert "/language/en not timed" in format_notes(run.results)
