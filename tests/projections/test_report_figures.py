"""The published report's fold, without a database: deterministic, as at the period's end as
the aggregates themselves stand, exact under corrections (the figures of the log with every
fact as last corrected), and every figure that changes after a position is fed by an event
recorded after it (which is what lets a comparison name the events that made it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.beneficiary import Beneficiary
from domain.corrections import CorrectionEvent, DateCorrection
from domain.published_report import Period, figures_sha256
from domain.rules import ProgrammeRules
from domain.site import Site, SiteDetails
from projections.base import PositionedEvent
from projections.report_figures import FigureFold, flatten, programme_figures
from tests.domain.givens import PENDATAAN
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


# --- corrections (ADR 0022): the figures are those of the corrected log ----------------------

# One random number per correction: what it corrects, where it is recorded and the new value.
CORRECTION = st.integers(0, 2**48)
NAMES = ("Jembatan Besi", "Jembatan Bes1", "Karang Anyar")


def with_corrections(events: list[Any], corrections: list[int]) -> list[PositionedEvent]:
    """`events` with date and detail corrections of them recorded among them, each version
    numbered again in its aggregate's order as a store would have numbered it."""
    log: list[tuple[Any, int | None]] = [(e, None) for e in events]
    for number in corrections:
        number, target = divmod(number, len(events))
        number, later = divmod(number, len(log))
        at = next(n for n, (e, _) in enumerate(log) if e is events[target])
        log.insert(at + 1 + later % (len(log) - at), (events[target], number))
    versions: dict[Any, int] = {}
    renumbered: dict[int, Any] = {}  # id of an event as played -> the event as numbered
    numbered = []
    for e, correction in log:
        version = versions[e.originator_id] = versions.get(e.originator_id, 0) + 1
        if correction is None:
            renumbered[id(e)] = replace(e, originator_version=version)
            numbered.append(renumbered[id(e)])
        else:
            numbered.append(correction_of(renumbered[id(e)], correction, version))
    return [PositionedEvent(n, e) for n, e in enumerate(numbered, start=1)]


def correction_of(e: Any, number: int, version: int) -> Any:
    """A correction of `e`: of the site's details when it is the registration and `number`
    says so, else of its date, to a day up to four years after pendataan."""
    number, kind = divmod(number, 2)
    number, days = divmod(number, 4 * 365 + 60)
    fields = {
        "originator_id": e.originator_id,
        "originator_version": version,
        "timestamp": e.timestamp,
        "actor": e.actor,
        "occurred_on": e.occurred_on,
        "document": e.document,
        "reason": "the register says otherwise",
        "corrects_version": e.originator_version,
    }
    if isinstance(e, Site.SiteRegistered) and kind:
        details = SiteDetails(NAMES[number % len(NAMES)], e.aliases, e.kelurahan, number % 90)
        was = SiteDetails(e.name, e.aliases, e.kelurahan, e.headcount_at_pendataan)
        return Site.SiteDetailsCorrected(**fields | {"previous": was, "corrected": details})
    dates = {
        "corrected_event": type(e).__name__,
        "previous_date": e.occurred_on,
        "corrected_date": PENDATAAN + timedelta(days=days - 60),
    }
    correcting = (
        Site.SiteDateCorrected
        if isinstance(e, Site.Event)
        else Beneficiary.BeneficiaryDateCorrected
    )
    return correcting(**fields, **dates)


def corrected_log(log: list[PositionedEvent]) -> list[PositionedEvent]:
    """The log as if each fact had been recorded as last corrected: every event at its
    position with its corrected values, and no correction."""
    latest: dict[tuple[Any, int], dict[str, Any]] = {}
    for p in log:
        e = p.event
        values = latest.setdefault((e.originator_id, getattr(e, "corrects_version", 0)), {})
        if isinstance(e, DateCorrection):
            values["occurred_on"] = e.corrected_date
        elif isinstance(e, Site.SiteDetailsCorrected):
            values |= {"name": e.corrected.name, "aliases": e.corrected.aliases}
            values |= {"kelurahan": e.corrected.kelurahan}
            values["headcount_at_pendataan"] = e.corrected.headcount_at_pendataan
    return [
        PositionedEvent(p.position, replace(p.event, **latest.get(key, {})))
        for p in log
        if not isinstance(p.event, CorrectionEvent)
        for key in [(p.event.originator_id, p.event.originator_version)]
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@for_all(
    steps=st.lists(STEP, min_size=10, max_size=60),
    corrections=st.lists(CORRECTION, min_size=1, max_size=8),
    period=PERIODS,
    cut=st.floats(0, 1),
)
def test_the_figures_are_those_of_the_log_with_each_fact_as_last_corrected(
    steps: list[int], corrections: list[int], period: Period, cut: float
) -> None:
    played_events, _ = played(steps)
    log = with_corrections([p.event for p in played_events], corrections)
    known_at = int(cut * len(log))

    folded = programme_figures(log[:known_at], period, known_at)

    assert folded == programme_figures(corrected_log(log[:known_at]), period, known_at)
    # And a correction recorded after a position is named by the figures it moved.
    check_explained(log, period, cut)
