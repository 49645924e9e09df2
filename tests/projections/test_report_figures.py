"""The published report's fold, without a database: deterministic, as at the period's end as
the aggregates themselves stand, and every figure that changes after a position is fed by an
event recorded after it (which is what lets a comparison name the events that made it)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.published_report import Period, figures_sha256
from domain.rules import ProgrammeRules
from projections.base import PositionedEvent
from projections.report_figures import FigureFold, flatten, programme_figures
from tests.domain.test_properties import STEP, play
from tests.projections.test_money_projection_properties import money_log  # noqa: F401

PERIODS = st.builds(
    lambda start, days: Period(start, start + timedelta(days=days)),
    st.dates(date(2016, 1, 1), date(2020, 12, 31)),
    st.integers(0, 700),
)
FOREVER = Period(date(2000, 1, 1), date(2100, 12, 31))


def played(steps: list[int]) -> tuple[list[PositionedEvent], list[Any]]:
    log: list[Any] = []
    tracked = play(ProgrammeRules(), steps, log=log)
    return [PositionedEvent(n, e) for n, e in enumerate(log, start=1)], tracked


def check_explained(events: list[PositionedEvent], period: Period, cut: float) -> None:
    known_at = int(cut * len(events))
    fold = FigureFold(period, trace_after=known_at)
    before = fold.fold(events[:known_at]).content(known_at)
    after = fold.fold(events[known_at:]).content()

    then, now = flatten(before), flatten(after)
    changed = {f for f in then.keys() | now.keys() if then.get(f) != now.get(f)}
    fed = set().union(*fold.sources.values())
    assert changed <= fed, f"changed, but by no later event: {sorted(changed - fed)}"
    assert min(fold.sources, default=known_at + 1) > known_at
    # Taking the figures midway changed nothing: a fresh fold gives the same ones.
    assert before == programme_figures(events[:known_at], period, known_at)
    assert after == programme_figures(events, period)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(steps=st.lists(STEP, min_size=10, max_size=80), period=PERIODS, cut=st.floats(0, 1))
def test_every_figure_changed_after_a_position_is_fed_by_a_later_event(
    steps: list[int], period: Period, cut: float
) -> None:
    events, _ = played(steps)

    check_explained(events, period, cut)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(period=PERIODS, cut=st.floats(0, 1))
def test_money_figures_changed_after_a_position_are_fed_by_a_later_event(
    money_log: list[PositionedEvent],  # noqa: F811
    period: Period,
    cut: float,
) -> None:
    check_explained(money_log, period, cut)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(steps=st.lists(STEP, min_size=10, max_size=80))
def test_cases_at_the_end_of_time_stand_where_the_aggregates_stand(steps: list[int]) -> None:
    events, tracked = played(steps)
    site, *cases = tracked

    content = programme_figures(events, FOREVER)

    (figures,) = content["sites"].values()
    standing = Counter(c.aggregate.state for c in cases)
    assert {s: n for s, n in figures["cases_at_end"].items() if n} == dict(standing)
    assert figures["site_state_at_end"] == site.aggregate.state
    assert figures["registered_by_end"] == len(cases) == content["programme"]["registered_by_end"]
    assert figures_sha256(content) == figures_sha256(programme_figures(events, FOREVER))


def test_the_money_of_the_period_is_what_the_ledger_credited_and_returned_in_it(
    money_log: list[PositionedEvent],  # noqa: F811
) -> None:
    whole_2019 = programme_figures(money_log, Period(date(2019, 1, 1), date(2019, 12, 31)))
    august = programme_figures(money_log, Period(date(2019, 8, 1), date(2019, 8, 31)))
    december = programme_figures(money_log, Period(date(2019, 12, 1), date(2019, 12, 31)))

    money = whole_2019["programme"]["money_in_period"]
    assert money["credited"] - money["returned"] == money["net_paid"]
    assert money["credited"] == august["programme"]["money_in_period"]["credited"]
    # The unclaimed transport allowance of TRK-LU went back to the treasury on 10 December.
    assert december["sites"]["TRK-LU"]["money_in_period"]["returned"] == 250_000
    assert december["sites"]["TRK-LU"]["money_in_period"]["net_paid_by_component"] == {
        "uep": 0,
        "jadup": 0,
        "transport": -250_000,
        "compensation": 0,
    }
    # The court-ordered compensation has no site.
    assert whole_2019["without_site"]["money_in_period"]["credited"] == 10_000_000


def test_a_site_registered_after_the_period_is_not_in_it(
    money_log: list[PositionedEvent],  # noqa: F811
) -> None:
    before_any_site = programme_figures(money_log, Period(date(2015, 1, 1), date(2015, 12, 31)))

    assert before_any_site["sites"] == {}
    assert before_any_site["programme"]["cases_at_end"]["REGISTERED"] == 0
