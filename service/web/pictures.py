"""Pictures where people would rather look than read (issue 16, ADR 0052): the dashboard's
charts (people per stage over time, the budget position) and `/lifecycles`, the lifecycle
diagrams with live counts per state. The figures come from the same read models and query
functions as the API; the drawing is `service/web/charts.py`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE, OUT_OF_PROGRAMME_STATES
from domain.lifecycle import Lifecycle
from domain.money_lifecycles import ENTITLEMENT_LIFECYCLE
from domain.site import SITE_LIFECYCLE
from domain.units import Scope
from projections.entitlement_status import entitlement_status
from service.api.deps import JejakDep
from service.i18n import gettext, state_name
from service.queries.dashboard import first_move_on, states_over_time
from service.queries.money import budget_at
from service.queries.read_models import ReadModels
from service.queries.time_travel import Cut
from service.security.scope import of_account, scoped_to_cases
from service.system import Jejak
from service.web.charts import (
    Band,
    BarGroup,
    StateBox,
    grouped_bars,
    stacked_bars,
    state_diagram,
    swatches,
)
from service.web.i18n import language_of
from service.web.rendering import templates, to_login, viewer_of

router = APIRouter(include_in_schema=False)

# The stages the chart of people over time stacks: the Beneficiary lifecycle's states in its
# declared order, neighbours taken together so that a small chart stays readable. Every state
# is in exactly one stage (a test holds it to that when a state is declared).
STAGES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("Intake (registered to assessed)", ("REGISTERED", "VERIFIED", "ASSESSED")),
    ("In training", ("IN_TRAINING",)),
    ("Trained or dropped out", ("TRAINED", "DROPPED_OUT")),
    ("Returned or stayed", ("RETURNED", "STAYED_LOCAL")),
    ("Closed", ("CLOSED",)),
    ("Left the programme", tuple(sorted(s for s in OUT_OF_PROGRAMME_STATES if s))),
)
# The budget position's measures, as budget_position names them, and their names on screen.
BUDGET_MEASURES: Final = (
    ("committed", "Committed"),
    ("allocated", "Allocated"),
    ("credited", "Credited"),
    ("returned", "Returned"),
)
# The lifecycles drawn on /lifecycles, with the worklist's name for their kind.
DRAWN: Final[tuple[tuple[Lifecycle, str], ...]] = (
    (BENEFICIARY_LIFECYCLE, "beneficiary"),
    (SITE_LIFECYCLE, "site"),
    (ENTITLEMENT_LIFECYCLE, "entitlement"),
)


def quarter_ends(first: date, last: date) -> list[date]:
    """The end of each quarter from `first`'s to the one before `last`'s, then `last`: the
    days the chart of people over time is drawn at."""
    days = []
    year, quarter = first.year, (first.month - 1) // 3
    while True:
        end = date(year + (quarter + 1) // 4, (quarter + 1) % 4 * 3 + 1, 1) - timedelta(days=1)
        if end >= last:
            break
        days.append(end)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return [*days, last]


def quarter_label(day: date) -> str:
    """`2019 T2`: a quarter (triwulan) as the chart's table names it."""
    return f"{day.year} T{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class StageChart:
    """The chart of people per stage over time, with the numbers its table shows."""

    svg: Any
    legend: list[Any]
    days: list[date]
    labels: list[str]
    stages: list[str]
    rows: list[list[int]]  # per day, people per stage
    site: str  # the site code chosen, "" for every site the viewer sees


def stage_chart(
    jejak: Jejak,
    language: str,
    sites: Sequence[dict[str, Any]],
    cut: Cut | None,
    last_day: date,
    chosen: str,
) -> StageChart:
    """People per stage at each quarter's end up to `last_day`, at the sites in `sites` (the
    dashboard's rows, already cut to the viewer's scope) or the one coded `chosen`."""
    _ = _translator(language)
    site_ids = {s["site_id"] for s in sites if not chosen or s["site_code"] == chosen}
    chosen = chosen if site_ids else ""
    if not site_ids:
        site_ids = {s["site_id"] for s in sites}
    first = first_move_on(jejak)
    days = [] if first is None or first > last_day else quarter_ends(first, last_day)
    known_at = None if cut is None else cut.known_at
    rows = []
    for counts in states_over_time(jejak, days, known_at):
        people: Counter[str] = Counter()
        for site_id in site_ids:
            people.update(counts.get(site_id, Counter()))
        rows.append([sum(max(people[s], 0) for s in states) for _, states in STAGES])
    stages = [_(name) for name, _states in STAGES]
    labels = [quarter_label(d) for d in days]
    bands = [Band(stage, tuple(r[i] for r in rows)) for i, stage in enumerate(stages)]
    # A year's first quarter is named on the axis; every quarter would crowd a phone's width.
    axis = [str(d.year) if d.month <= 3 or i == 0 else "" for i, d in enumerate(days)]
    svg = stacked_bars(
        chart_id="chart-stages",
        title=_("People per stage, at the end of each quarter"),
        description=_("Stacked bars: one bar per quarter, one layer per stage."),
        categories=labels,
        bands=bands,
        axis_labels=axis,
        number=_number(language),
    )
    return StageChart(svg, swatches("chart-stages", stages), days, labels, stages, rows, chosen)


@dataclass(frozen=True)
class BudgetChart:
    """The chart of the budget position per fiscal year, with the numbers its table shows."""

    svg: Any
    legend: list[Any]
    measures: list[str]
    years: list[tuple[int, list[int]]]


def budget_chart(jejak: Jejak, reads: ReadModels, language: str, cut: Cut | None) -> BudgetChart:
    """Committed, allocated, credited and returned per fiscal year, summed over its funding
    commitments: `GET /api/budget`'s own rows, now or at `cut`."""
    _ = _translator(language)
    if cut is None:
        rows = reads.money.budget(fiscal_year=None, limit=10_000, offset=0).items
    else:
        rows = budget_at(jejak.app, cut).items
    years: dict[int, list[int]] = {}
    for row in rows:
        sums = years.setdefault(int(row["fiscal_year"]), [0] * len(BUDGET_MEASURES))
        for i, (column, _name) in enumerate(BUDGET_MEASURES):
            sums[i] += int(row[column] or 0)
    measures = [_(name) for _column, name in BUDGET_MEASURES]
    year_word = _("Fiscal year")
    groups = [BarGroup(f"{year_word} {year}", tuple(v)) for year, v in sorted(years.items())]
    svg = grouped_bars(
        chart_id="chart-budget",
        title=_("Budget position per fiscal year"),
        description=_("Horizontal bars: committed, allocated, credited and returned rupiah."),
        measures=measures,
        groups=groups,
        number=_rupiah,
    )
    return BudgetChart(svg, swatches("chart-budget", measures), measures, sorted(years.items()))


def _rupiah(amount: int) -> str:
    # The `rupiah` filter's form: Rp 5.500.000.
    return "Rp " + f"{amount:,}".replace(",", ".")


def _number(language: str) -> Callable[[int], str]:
    separator = "." if language == "id" else ","
    return lambda n: f"{n:,}".replace(",", separator)


def _translator(language: str) -> Callable[[str], str]:
    return lambda text: gettext(language, text)


# --- /lifecycles -------------------------------------------------------------------------------


def state_counts(jejak: Jejak, reads: ReadModels, scope: Scope) -> dict[str, Counter[str]]:
    """How many there are in each state now, per lifecycle, within the viewer's scope."""
    board = reads.dashboard.now()
    c = entitlement_status.c
    query = scoped_to_cases(select(c.state, func.count()).group_by(c.state), scope, c.subject_id)
    with jejak.engine.connect() as conn:
        entitlements = Counter({str(s): int(n) for s, n in conn.execute(query)})
    return {
        "Beneficiary": Counter(board["totals"]["counts_by_state"]),
        "Site": Counter(str(s["site_state"]) for s in board["sites"]),
        "Entitlement": entitlements,
    }


def diagram(lifecycle: Lifecycle, kind: str, counts: Counter[str], language: str) -> Any:
    """One lifecycle drawn from its declaration, each state with its live count and, where
    the worklist holds cases in it (a state that ends the lifecycle has no work), a link to
    the worklist filtered by it."""
    _ = _translator(language)
    number = _number(language)
    # A transition from many states (she may withdraw at any stage) would draw a fan of
    # arrows across the picture: its target says where it comes from instead.
    wide = [t for t in lifecycle.transitions if t.sources and t.target and len(t.sources) > 3]
    boxes = []
    for spec in lifecycle.states:
        from_many = sorted({len(t.sources or ()) for t in wide if t.target == spec.name})
        name = state_name(language, lifecycle.aggregate, spec.name)
        figure = number(counts.get(spec.name, 0))
        boxes.append(
            StateBox(
                code=spec.name,
                name=name,
                figure=figure,
                href=None if spec.terminal else f"/worklist?state={kind}.{spec.name}",
                terminal=spec.terminal,
                spoken=_("%(state)s: %(count)s; open the worklist of this state")
                % {"state": name, "count": figure},
                note=_("from any of %(count)s states") % {"count": from_many[-1]}
                if from_many
                else "",
            )
        )
    edges = [
        (source, t.target)
        for t in lifecycle.transitions
        if t.sources is not None and t.target is not None and t not in wide
        for source in t.sources
    ]
    return state_diagram(
        chart_id=f"lifecycle-{kind}",
        title=_("Lifecycle: %(aggregate)s") % {"aggregate": _(lifecycle.aggregate)},
        description=_(
            "States as boxes, top down from the first; an arrow for each transition. A dashed"
            " box ends the lifecycle."
        ),
        boxes=boxes,
        edges=edges,
        initial=lifecycle.initial,
    )


@router.get("/lifecycles", response_class=HTMLResponse)
def lifecycles_page(request: Request, jejak: JejakDep) -> Response:
    """The Beneficiary, Site and Entitlement lifecycles as diagrams with how many are in
    each state now, within the viewer's scope."""
    viewer = viewer_of(request, jejak)
    if viewer is None:
        return to_login(request)
    scope = of_account(jejak.scopes, viewer)
    reads = ReadModels.of(jejak, scope)
    language = language_of(request)
    counts = state_counts(jejak, reads, scope)
    drawn = [
        {
            "aggregate": lifecycle.aggregate,
            "kind": kind,
            "svg": diagram(lifecycle, kind, counts[lifecycle.aggregate], language),
            "states": [
                {
                    "code": spec.name,
                    "count": counts[lifecycle.aggregate].get(spec.name, 0),
                    "href": None if spec.terminal else f"/worklist?state={kind}.{spec.name}",
                }
                for spec in lifecycle.states
            ],
        }
        for lifecycle, kind in DRAWN
    ]
    return templates.TemplateResponse(
        request,
        "lifecycles.html",
        {
            "viewer": viewer,
            "section": "lifecycles",
            "lifecycles": drawn,
            "position": jejak.runner.position(),
        },
    )
