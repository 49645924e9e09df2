"""The dashboard's charts and the lifecycle diagrams (issue 16 point 5, ADR 0052): the SVG
module on its own (scales, stacking, empty data, escaping, layout), then the pages: the charts
carry the numbers the read models give, today and at a cut, within the viewer's scope."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from fastapi.testclient import TestClient

from domain.beneficiary_lifecycle import BENEFICIARY_LIFECYCLE
from domain.units import Scope
from service.queries.dashboard import _states_at, dashboard_at, states_over_time
from service.queries.money import budget_at
from service.queries.read_models import ReadModels
from service.queries.time_travel import Cut
from service.system import Jejak
from service.web.charts import (
    Band,
    BarGroup,
    StateBox,
    grouped_bars,
    layers,
    nice_ticks,
    stacked_bars,
    stacks,
    state_diagram,
)
from service.web.pictures import BUDGET_MEASURES, STAGES, quarter_ends
from tests.conftest import log_in_page

SVG = "{http://www.w3.org/2000/svg}"
EVERYTHING = Scope(everything=True)


def parsed(markup: str) -> ET.Element:
    """The SVG as XML: it must be well formed for a browser to draw it inline."""
    text = str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(text)  # noqa: S314 (our own drawing, not untrusted input)


# --- the SVG module ----------------------------------------------------------------------------


def test_ticks_are_round_steps_that_reach_the_largest_value() -> None:
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(127) == [0, 50, 100, 150]
    assert nice_ticks(8) == [0, 2, 4, 6, 8]
    assert nice_ticks(561_000_000)[-1] >= 561_000_000
    assert nice_ticks(1) == [0, 1]


def test_bands_stack_on_the_ones_before_them_and_a_negative_sum_counts_nothing() -> None:
    spans = stacks([Band("a", (1, 2)), Band("b", (3, -1)), Band("c", (0, 4))])
    assert spans == [[(0, 1), (0, 2)], [(1, 4), (2, 2)], [(4, 4), (2, 6)]]
    assert stacks([]) == []
    with pytest.raises(ValueError, match="one value per category"):
        stacks([Band("a", (1,)), Band("b", (1, 2))])


def test_a_stacked_chart_draws_each_segment_to_scale_with_its_title_and_description() -> None:
    svg = parsed(
        stacked_bars(
            chart_id="t",
            title="People",
            description="Bars",
            categories=["Q1", "Q2"],
            bands=[Band("in", (50, 100)), Band("out", (50, 0))],
        )
    )
    assert svg.get("role") == "img" and svg.get("viewBox") == "0 0 400 220"
    assert svg.find(f"{SVG}title").text == "People"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "Bars"  # type: ignore[union-attr]
    rects = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(rects) == 3  # the empty segment is not drawn
    heights = [float(r.get("height", 0)) for r in rects]
    assert heights[0] == heights[1] and heights[2] == pytest.approx(heights[0] * 2)
    assert [r.find(f"{SVG}title").text for r in rects] == [  # type: ignore[union-attr]
        "Q1, in: 50",
        "Q1, out: 50",
        "Q2, in: 100",
    ]


def test_a_chart_without_data_is_still_a_picture_that_says_so() -> None:
    svg = parsed(
        stacked_bars(chart_id="e", title="T", description="Nothing yet", categories=[], bands=[])
    )
    assert not [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert "Nothing yet" in [t.text for t in svg.iter(f"{SVG}text")]
    empty = parsed(grouped_bars(chart_id="g", title="T", description="D", measures=[], groups=[]))
    assert empty.get("viewBox") == "0 0 320 40"


def test_labels_are_escaped_and_ids_cleaned() -> None:
    hostile = '<script>alert("x")</script> & co'
    markup = str(
        grouped_bars(
            chart_id='x" onload="y',
            title=hostile,
            description=hostile,
            measures=[hostile],
            groups=[BarGroup(hostile, (5,))],
        )
    )
    assert "<script>" not in markup and 'onload="' not in markup
    svg = parsed(markup)
    assert svg.get("id") == "x--onload--y"
    assert svg.find(f"{SVG}title").text == hostile  # type: ignore[union-attr]


def test_horizontal_bars_are_to_scale_and_print_their_value() -> None:
    svg = parsed(
        grouped_bars(
            chart_id="b",
            title="Budget",
            description="D",
            measures=["Committed", "Credited"],
            groups=[BarGroup("2019", (400, 100))],
            number=lambda n: f"Rp {n}",
        )
    )
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(r.get("width", 0)) for r in bars]
    assert widths[0] == pytest.approx(widths[1] * 4)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Rp 400" in texts and "Rp 100" in texts and "2019" in texts


def test_states_are_laid_out_in_rows_following_the_transitions() -> None:
    rows = layers(
        ["A", "B", "C", "D", "E"],
        [("A", "B"), ("B", "C"), ("C", "B"), ("A", "C"), ("C", "C")],
        "A",
    )
    # C -> B leads back up the path; E is reached by nothing and goes last.
    assert rows == [["A"], ["B"], ["C"], ["D", "E"]]
    assert layers(["A", "B"], [], "A") == [["A"], ["B"]]


def test_a_state_diagram_links_its_states_and_says_their_counts() -> None:
    markup = str(
        state_diagram(
            chart_id="d",
            title="Lifecycle",
            description="Boxes",
            boxes=[
                StateBox("NEW", "New", "3", href="/worklist?state=x.NEW"),
                StateBox("DONE", "Done & dusted", "7", terminal=True, note="from any of 4"),
            ],
            edges=[("NEW", "DONE")],
            initial="NEW",
        )
    )
    svg = parsed(markup)
    assert svg.get("role") == "group"
    links = list(svg.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["/worklist?state=x.NEW"]
    assert links[0].get("aria-label") == "New: 3"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"New", "3", "Done & dusted", "7", "from any of 4"} <= set(texts)
    assert len(list(svg.iter(f"{SVG}path"))) >= 2  # the arrow's marker and the arrow


def test_every_beneficiary_state_is_in_exactly_one_stage() -> None:
    staged = [state for _, states in STAGES for state in states]
    assert sorted(staged) == sorted(s.name for s in BENEFICIARY_LIFECYCLE.states)


def test_the_chart_is_drawn_at_each_quarters_end_and_the_last_day() -> None:
    assert quarter_ends(date(2016, 3, 15), date(2016, 11, 2)) == [
        date(2016, 3, 31),
        date(2016, 6, 30),
        date(2016, 9, 30),
        date(2016, 11, 2),
    ]
    assert quarter_ends(date(2019, 12, 1), date(2019, 12, 31)) == [date(2019, 12, 31)]


@pytest.mark.parametrize("known_at", [None, 300, 3000, 4321])
def test_the_series_in_one_pass_is_the_dashboards_own_cut_on_each_day(
    demo_app: Jejak, known_at: int | None
) -> None:
    days = [*quarter_ends(date(2016, 1, 1), date(2020, 6, 30)), date(2020, 6, 30)]
    # 8 to 18 July 2019 fall between events of people entered out of date order.
    days = sorted({*days, date(2019, 7, 8), date(2019, 7, 12), date(2019, 7, 18)})
    assert states_over_time(demo_app, days, known_at) == [
        _states_at(demo_app, Cut(known_at=known_at, as_at=day)) for day in days
    ]
    assert states_over_time(demo_app, [], known_at) == []


# --- the pages ---------------------------------------------------------------------------------

ROW = re.compile(r'<tr data-(?:day|year|state)="([^"]+)">(.*?)</tr>', re.DOTALL)
CELL = re.compile(r'<td class="num">([^<]*)</td>')


def table_rows(page: str, table_id: str) -> dict[str, list[int]]:
    """A chart's table by its id: the row's key and its numbers (Rp and dots dropped)."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.DOTALL)
    assert table is not None, table_id
    return {
        key: [int(re.sub(r"\D", "", cell)) for cell in CELL.findall(body)]
        for key, body in ROW.findall(table.group(1))
    }


def per_stage(counts: dict[str, int]) -> list[int]:
    return [sum(counts.get(s, 0) for s in states) for _, states in STAGES]


def budget_per_year(rows: list[dict[str, object]]) -> dict[str, list[int]]:
    years: dict[str, list[int]] = {}
    for row in rows:
        sums = years.setdefault(str(row["fiscal_year"]), [0] * len(BUDGET_MEASURES))
        for i, (column, _) in enumerate(BUDGET_MEASURES):
            sums[i] += int(row[column])  # type: ignore[call-overload]
    return years


def test_the_dashboard_charts_carry_the_read_models_numbers_today(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    assert log_in_page(demo_client, "supervisor", "supervisor-kaltara-2016").status_code == 200
    page = demo_client.get("/").text
    reads = ReadModels.of(demo_app, EVERYTHING)
    stages = table_rows(page, "stages-table")
    last_day, last = list(stages.items())[-1]
    assert last_day == "2020-06-30"  # the day the demo is shown at
    assert last[:-1] == per_stage(reads.dashboard.now()["totals"]["counts_by_state"])
    assert last[-1] == sum(last[:-1]) == 127
    assert next(iter(stages)) == "2016-03-31"
    budget = reads.money.budget(fiscal_year=None, limit=100, offset=0).items
    assert table_rows(page, "budget-table") == budget_per_year(budget)
    assert 'id="chart-stages"' in page and 'id="chart-budget"' in page
    assert "Dalam program saat ini" in page and "Posisi anggaran saat ini" in page


def test_the_dashboard_charts_follow_a_cut_and_say_then(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    assert log_in_page(demo_client, "auditor", "auditor-kaltara-2016").status_code == 200
    page = demo_client.get("/", params={"as_at": "2018-12-31"}).text
    cut = Cut(as_at=date(2018, 12, 31))
    stages = table_rows(page, "stages-table")
    assert list(stages)[-1] == "2018-12-31"
    expected = per_stage(dashboard_at(demo_app, cut)["totals"]["counts_by_state"])
    assert list(stages.values())[-1][:-1] == expected
    assert table_rows(page, "budget-table") == budget_per_year(budget_at(demo_app.app, cut).items)
    assert "Dalam program saat itu" in page and "Posisi anggaran saat itu" in page
    assert "Dalam program saat ini" not in page
    # As known at an early position: the chart knows only what had been recorded by then.
    early = demo_client.get("/", params={"known_at": "300"}).text
    known = dashboard_at(demo_app, Cut(known_at=300))["totals"]["counts_by_state"]
    assert list(table_rows(early, "stages-table").values())[-1][:-1] == per_stage(known)


def test_a_site_is_chosen_and_a_unit_sees_only_its_own_sites_and_no_budget(
    demo_client: TestClient,
) -> None:
    assert log_in_page(demo_client, "supervisor", "supervisor-kaltara-2016").status_code == 200
    one = demo_client.get("/", params={"site": "trk-jp"}).text
    assert '<option value="TRK-JP" selected>' in one
    assert list(table_rows(one, "stages-table").values())[-1][-1] == 70
    assert log_in_page(demo_client, "operator", "operator-kaltara-2016").status_code == 200
    page = demo_client.get("/").text
    codes = re.findall(r'<tr data-site="([^"]+)">', page)
    assert codes and "NNK-NT" not in codes
    registered = re.findall(r'<tr data-site="[^"]+">(?:.*?<td class="num">){3}([\d.]+)', page, re.S)
    total = sum(int(n.replace(".", "")) for n in registered)
    assert list(table_rows(page, "stages-table").values())[-1][-1] == total
    assert 'id="chart-budget"' not in page


def test_the_lifecycles_page_counts_each_state_within_the_viewers_scope(
    demo_client: TestClient, demo_app: Jejak
) -> None:
    assert demo_client.get("/lifecycles", follow_redirects=False).status_code in (302, 303)
    assert log_in_page(demo_client, "supervisor", "supervisor-kaltara-2016").status_code == 200
    page = demo_client.get("/lifecycles").text
    counts = ReadModels.of(demo_app, EVERYTHING).dashboard.now()["totals"]["counts_by_state"]
    people = {state: n[0] for state, n in table_rows(page, "states-beneficiary").items()}
    assert people == {s.name: counts.get(s.name, 0) for s in BENEFICIARY_LIFECYCLE.states}
    assert table_rows(page, "states-site")["MONITORED"] == [3]
    assert table_rows(page, "states-entitlement")["ACKNOWLEDGED"] == [348]
    # A state with open work links to the worklist of that state; one that ends does not.
    assert 'href="/worklist?state=beneficiary.RETURNED"' in page
    assert 'href="/worklist?state=beneficiary.CLOSED"' not in page
    assert page.count('<svg class="chart"') == 3
    assert log_in_page(demo_client, "operator", "operator-kaltara-2016").status_code == 200
    mine = demo_client.get("/lifecycles").text
    theirs = sum(n[0] for n in table_rows(mine, "states-beneficiary").values())
    assert 0 < theirs < sum(counts.values())
    sites = len(re.findall(r'<tr data-site="', demo_client.get("/").text))
    assert table_rows(mine, "states-site")["MONITORED"] == [sites]
