"""Property: the dashboard's sums of moves (ADR 0026) are a function of the log alone, whatever
its batches, and either way of reading them gives the moves of the cut, summed.

The logs are the domain's random stories with their events' business dates shuffled, so some
are entered late and some out of date order; the buckets and checkpoints are made tiny so that a
short story crosses many of them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, select

from domain.rules import ProgrammeRules
from projections.base import PositionedEvent, fold_all
from projections.dashboard import ProgrammeDashboard, dated_after
from projections.dashboard_counts import (
    Cells,
    CountRules,
    counts_at,
    month_end,
    sum_from_checkpoint,
    sum_from_month,
)
from tests.domain.test_properties import STEP, play
from tests.projections.batches import CUTS, applied_in_batches

START = date(2016, 11, 1)
RULES = st.builds(
    CountRules, bucket_positions=st.integers(1, 6), checkpoint_moves=st.integers(1, 4)
)


def applied(events: Sequence[PositionedEvent], rules: CountRules, cuts: list[int]) -> Engine:
    """The dashboard alone (its sums read no other read model), the log cut by `cuts`."""
    return applied_in_batches([ProgrammeDashboard(rules)], events, cuts)


def stored(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the dashboard's tables, in key order."""
    dashboard = ProgrammeDashboard()
    return {
        t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
        for t in dashboard.tables
    }


def summed(conn: Connection, known_at: int | None, as_at: date | None) -> Cells:
    """The moves of the cut summed one by one, as the definition says."""
    cells: Cells = Counter()
    moves = ProgrammeDashboard().move_log
    for move in conn.execute(select(moves)).mappings():
        if known_at is not None and move["position"] > known_at:
            continue
        if as_at is not None and move["occurred_on"] > as_at:
            continue
        cells[(move["site_id"], move["entered_state"])] += 1
        if move["left_state"] is not None:
            cells[(move["site_id"], move["left_state"])] -= 1
    return cells


def nonzero(cells: Cells) -> dict[tuple[str, str], int]:
    return {cell: n for cell, n in cells.items() if n}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(
    steps=st.lists(STEP, min_size=20, max_size=80),
    days=st.lists(st.integers(0, 400), min_size=1, max_size=30),
    rules=RULES,
    cuts=CUTS,
    cut_positions=st.lists(st.integers(0, 200), min_size=1, max_size=6),
    cut_days=st.lists(st.integers(-5, 420), min_size=1, max_size=6),
)
def test_the_sums_do_not_depend_on_the_batches_and_give_the_moves_of_every_cut(
    steps: list[int],
    days: list[int],
    rules: CountRules,
    cuts: list[int],
    cut_positions: list[int],
    cut_days: list[int],
) -> None:
    log: list[Any] = []
    play(ProgrammeRules(), steps, log=log)
    # Each event takes a date from `days` in turn: late entries and events out of date order.
    events = [
        PositionedEvent(
            n, dataclasses.replace(e, occurred_on=START + timedelta(days[n % len(days)]))
        )
        for n, e in enumerate(log, start=1)
    ]
    batched, one_by_one = applied(events, rules, cuts), applied(events, rules, [1])

    with batched.connect() as conn, one_by_one.connect() as other:
        tables = stored(conn)
        assert tables == stored(other)
        dashboard = ProgrammeDashboard(rules)
        counts = dashboard.count_tables()
        for position in cut_positions:
            known = nonzero(counts_at(conn, counts, rules, position, None))
            members = fold_all(dashboard.members, (e for e in events if e.position <= position))
            assert known == dict(Counter((m["site_id"], m["state"]) for m in members.values()))
            for day in cut_days:
                as_at = START + timedelta(days=day)
                expected = nonzero(summed(conn, position, as_at))
                assert (
                    nonzero(sum_from_checkpoint(conn, counts, rules, position, as_at)) == expected
                )
                assert nonzero(sum_from_month(conn, counts, rules, position, as_at)) == expected
                assert nonzero(counts_at(conn, counts, rules, position, as_at)) == expected
                dated = nonzero(counts_at(conn, counts, rules, None, as_at))
                assert dated == nonzero(summed(conn, None, as_at))
    # The months' sums are kept under each month's last day.
    assert all(d == month_end(d) for d, *_ in tables["programme_dashboard_counts_dated"])


def test_month_end_is_the_last_day_of_the_month() -> None:
    assert month_end(date(2019, 2, 10)) == date(2019, 2, 28)
    assert month_end(date(2020, 2, 29)) == date(2020, 2, 29)
    assert month_end(date(2019, 12, 1)) == date(2019, 12, 31)
    assert month_end(date(2019, 1, 31)) == date(2019, 1, 31)


def test_an_event_dated_before_one_recorded_earlier_opens_a_span_a_second_widens() -> None:
    member = {
        "dated_up_to": date(2019, 3, 1),
        "out_of_order_from": None,
        "out_of_order_until": None,
    }

    assert dated_after(member, date(2019, 3, 1)) == {"dated_up_to": date(2019, 3, 1)}
    late = member | dated_after(member, date(2019, 2, 10))
    assert (late["out_of_order_from"], late["out_of_order_until"]) == (
        date(2019, 2, 10),
        date(2019, 3, 1),
    )
    assert late["dated_up_to"] == date(2019, 3, 1)
    later = late | dated_after(late | {"dated_up_to": date(2019, 5, 1)}, date(2019, 4, 1))
    assert (later["out_of_order_from"], later["out_of_order_until"]) == (
        date(2019, 2, 10),
        date(2019, 5, 1),
    )
