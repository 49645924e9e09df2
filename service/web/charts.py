"""Charts drawn on the server as inline SVG (ADR 0052): stacked bars, grouped horizontal bars
and a layered state diagram.

No JavaScript and nothing fetched: the page's Content Security Policy allows neither inline
scripts nor other origins, and an SVG in the HTML needs neither. Every chart scales to its box
through its viewBox, carries a <title> and <desc>, draws each series in a colour with a
pattern of its own (colour is never the only carrier), and the page shows the same numbers
in a table. Every piece of text is escaped here; callers pass plain strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours with at least 4.5:1 against white (so white pattern lines and text on them read),
# each with a pattern drawn over it in white: a series is told by its pattern too.
PALETTE: tuple[str, ...] = (
    "#1f4e79",
    "#2e7d32",
    "#b45309",
    "#6b21a8",
    "#0e7490",
    "#9f1239",
    "#4b5563",
)
PATTERNS: tuple[str, ...] = ("solid", "diagonal", "dots", "cross", "horizontal", "vertical")
INK = "#1f2933"
GRID = "#c9d1da"
FONT = 12
DASHED = ' stroke-dasharray="4 2"'


@dataclass(frozen=True)
class Band:
    """One layer of a stacked bar chart: its label and a value per category."""

    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class BarGroup:
    """One group of horizontal bars (a fiscal year, a funder): a value per measure."""

    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Swatch:
    """How one series is drawn: for the legend beside the chart."""

    label: str
    fill: Markup


def nice_ticks(largest: float, count: int = 4) -> list[int]:
    """Axis ticks from 0 to at least `largest`, on a step of 1, 2 or 5 times a power of ten,
    about `count` of them; [0, 1] when there is nothing to show."""
    if largest <= 0:
        return [0, 1]
    rough = largest / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    step = max(int(step), 1)
    top = step * math.ceil(largest / step)
    return list(range(0, top + 1, step))


def stacks(bands: Sequence[Band]) -> list[list[tuple[int, int]]]:
    """Per band, per category, where its segment starts and ends on the value axis: each band
    stacked on the ones before it. Negative values (a sum caught mid-correction) count 0."""
    if not bands:
        return []
    width = len(bands[0].values)
    if any(len(b.values) != width for b in bands):
        raise ValueError("every band needs one value per category")
    base = [0] * width
    out = []
    for band in bands:
        row = []
        for i, value in enumerate(band.values):
            top = base[i] + max(value, 0)
            row.append((base[i], top))
            base[i] = top
        out.append(row)
    return out


def _drawn(parts: Sequence[str] | str) -> Markup:
    """The SVG this module drew, as markup a template prints as it is. Safe because every
    piece of text in it went through `escape` and every id through `_id`."""
    return Markup("".join(parts))  # noqa: S704


def _id(chart_id: str) -> str:
    # Ids go into attributes and url(#...) references: letters, digits and dashes only.
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in chart_id)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "c-" + cleaned
    return cleaned


def _pattern(pattern_id: str, colour: str, kind: str) -> str:
    marks = {
        "solid": "",
        "diagonal": (
            '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" stroke-width="1.2"/>'
        ),
        "dots": '<circle cx="3" cy="3" r="1.1" fill="#fff"/>',
        "cross": '<path d="M0,3 h6 M3,0 v6" stroke="#fff" stroke-width="1"/>',
        "horizontal": '<path d="M0,1.5 h6 M0,4.5 h6" stroke="#fff" stroke-width="1"/>',
        "vertical": '<path d="M1.5,0 v6 M4.5,0 v6" stroke="#fff" stroke-width="1"/>',
    }[kind]
    return (
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{colour}"/>{marks}</pattern>'
    )


def _fills(chart_id: str, count: int) -> tuple[str, list[str]]:
    """The <defs> of `count` series' patterns, and the fill of each."""
    defs, fills = [], []
    for i in range(count):
        pattern_id = f"{chart_id}-p{i}"
        defs.append(_pattern(pattern_id, PALETTE[i % len(PALETTE)], PATTERNS[i % len(PATTERNS)]))
        fills.append(f"url(#{pattern_id})")
    return "".join(defs), fills


def swatches(chart_id: str, labels: Sequence[str]) -> list[Swatch]:
    """The legend of a chart's series: a small SVG square drawn as the series is, per label."""
    out = []
    for i, label in enumerate(labels):
        swatch_id = _id(f"{chart_id}-s{i}")
        pattern = _pattern(swatch_id, PALETTE[i % len(PALETTE)], PATTERNS[i % len(PATTERNS)])
        out.append(
            Swatch(
                label,
                _drawn(
                    '<svg class="swatch" viewBox="0 0 14 14" width="14" height="14"'
                    f' aria-hidden="true" focusable="false"><defs>{pattern}</defs>'
                    f'<rect width="14" height="14" fill="url(#{swatch_id})" stroke="{INK}"'
                    ' stroke-width="0.5"/></svg>'
                ),
            )
        )
    return out


def _open(
    chart_id: str, width: int, height: int, title: str, description: str, role: str = "img"
) -> str:
    # A picture is one image to a screen reader; a diagram of links is a group of them.
    return (
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" role="{role}"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}"'
        f' preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    bands: Sequence[Band],
    axis_labels: Sequence[str] | None = None,
    number: Callable[[int], str] = str,
) -> Markup:
    """Vertical bars, one per category, each the sum of the bands stacked bottom up.

    `axis_labels` (one per category, "" for none) are what the category axis prints, for
    when the categories are too many to name each; `number` formats the value axis."""
    chart_id = _id(chart_id)
    width, height = 400, 220
    left, right, top, bottom = 40, 6, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    spans = stacks(bands)
    totals = [spans[-1][i][1] for i in range(len(categories))] if spans else []
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_h / ticks[-1]
    defs, fills = _fills(chart_id, len(bands))
    parts = [_open(chart_id, width, height, title, description), f"<defs>{defs}</defs>"]
    for tick in ticks:
        y = top + plot_h - tick * scale
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"'
            f' stroke="{GRID}" stroke-width="{1 if tick else 1.5}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(number(tick))}</text>"
        )
    slot = plot_w / max(len(categories), 1)
    bar = max(slot * 0.72, 1.0)
    labels = list(axis_labels) if axis_labels is not None else list(categories)
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        parts.append(f"<g><title>{escape(category)}: {escape(number(totals[i]))}</title>")
        for b, band in enumerate(bands):
            low, high = spans[b][i]
            if high == low:
                continue
            y = top + plot_h - high * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}"'
                f' height="{(high - low) * scale:.1f}" fill="{fills[b]}" stroke="#fff"'
                f' stroke-width="0.75"><title>{escape(category)}, {escape(band.label)}:'
                f" {escape(number(band.values[i]))}</title></rect>"
            )
        parts.append("</g>")
        if labels[i]:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 8}" text-anchor="middle"'
                f' fill="{INK}">{escape(labels[i])}</text>'
            )
    if not categories or not any(totals):
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle"'
            f' fill="{INK}">{escape(description)}</text>'
        )
    parts.append("</svg>")
    return _drawn(parts)


def grouped_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    measures: Sequence[str],
    groups: Sequence[BarGroup],
    number: Callable[[int], str] = str,
) -> Markup:
    """Horizontal bars in groups: per group a heading, then per measure a line with its name
    (left) and value (right) over a bar the full width of the chart at its longest. Names and
    values sit above the bars so that a phone's narrow screen still prints them large."""
    chart_id = _id(chart_id)
    width, row_h, head_h, bar_h = 320, 30, 24, 10
    largest = max((v for g in groups for v in g.values), default=0)
    scale = width / largest if largest > 0 else 0.0
    height = max(len(groups) * (head_h + len(measures) * row_h + 10), 40)
    defs, fills = _fills(chart_id, len(measures))
    parts = [_open(chart_id, width, height, title, description), f"<defs>{defs}</defs>"]
    y = 0.0
    for group in groups:
        if len(group.values) != len(measures):
            raise ValueError("every group needs one value per measure")
        parts.append(
            f'<text x="0" y="{y + 16:.1f}" font-weight="bold" fill="{INK}">'
            f"{escape(group.label)}</text>"
        )
        y += head_h
        for m, measure in enumerate(measures):
            value = group.values[m]
            text = escape(number(value))
            parts.append(
                f'<text x="0" y="{y + 12:.1f}" fill="{INK}">{escape(measure)}</text>'
                f'<text x="{width}" y="{y + 12:.1f}" text-anchor="end" fill="{INK}">{text}</text>'
                f'<rect x="0" y="{y + 16:.1f}" width="{width}" height="{bar_h}" fill="#eef1f5"/>'
                f'<rect x="0" y="{y + 16:.1f}" width="{max(value, 0) * scale:.1f}"'
                f' height="{bar_h}" fill="{fills[m]}"><title>{escape(group.label)},'
                f" {escape(measure)}: {text}</title></rect>"
            )
            y += row_h
        y += 10
    parts.append("</svg>")
    return _drawn(parts)


# --- a state diagram -------------------------------------------------------------------------


@dataclass(frozen=True)
class StateBox:
    """One state in a diagram: its code, its name on screen, what to print under the name
    (a count), where it links to (None: no link), and whether it ends the lifecycle."""

    code: str
    name: str
    figure: str = ""
    href: str | None = None
    terminal: bool = False
    spoken: str = ""
    # A line over the box, for arrows left out: "from any of 8 states".
    note: str = ""


def layers(
    states: Sequence[str], edges: Sequence[tuple[str, str]], initial: str
) -> list[list[str]]:
    """The states in rows for a top-down drawing: each state one row below the lowest of the
    states that lead to it, following the edges from `initial` (edges that lead back up a
    path, and a state to itself, do not count). States no edge reaches go in the last row.
    Within a row, states sit under the mean place of those that lead to them."""
    following: dict[str, list[str]] = {s: [] for s in states}
    for source, target in edges:
        known = source in following and target in following
        if known and source != target and target not in following[source]:
            following[source].append(target)
    # Depth-first from the initial state: an edge to a state on the current path leads back.
    forward: dict[str, list[str]] = {s: [] for s in states}
    done: set[str] = set()
    path: set[str] = set()

    def visit(state: str) -> None:
        path.add(state)
        for target in following[state]:
            if target in path:
                continue
            forward[state].append(target)
            if target not in done:
                visit(target)
        path.discard(state)
        done.add(state)

    if initial in following:
        visit(initial)
    depth: dict[str, int] = {}

    def deepest(state: str) -> int:
        if state not in depth:
            before = [s for s in states if state in forward[s] and s in done]
            depth[state] = 0 if not before else 1 + max(deepest(s) for s in before)
        return depth[state]

    rows: dict[int, list[str]] = {}
    for state in states:
        if state in done:
            rows.setdefault(deepest(state), []).append(state)
    unreached = [s for s in states if s not in done]
    if unreached:
        rows[max(rows, default=-1) + 1] = unreached
    ordered: list[list[str]] = []
    place: dict[str, float] = {}
    for level in sorted(rows):
        row = rows[level]

        def mean_place(state: str) -> float:
            above = [place[s] for s in states if state in forward[s] and s in place]
            return sum(above) / len(above) if above else float(states.index(state))

        row = sorted(row, key=lambda s: (mean_place(s), states.index(s)))
        for i, state in enumerate(row):
            place[state] = i - (len(row) - 1) / 2
        ordered.append(row)
    return ordered


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:2] if len(lines) <= 2 else [lines[0], " ".join(lines[1:])[: width - 1] + "…"]


def state_diagram(
    *,
    chart_id: str,
    title: str,
    description: str,
    boxes: Sequence[StateBox],
    edges: Sequence[tuple[str, str]],
    initial: str,
) -> Markup:
    """The states as boxes in rows, top down from the initial state, with an arrow for each
    transition; each box shows its name and figure and links where `href` says."""
    chart_id = _id(chart_id)
    by_code: Mapping[str, StateBox] = {b.code: b for b in boxes}
    rows = layers([b.code for b in boxes], edges, initial)
    width, box_h, row_gap, margin = 420, 54, 36, 12
    widest = max((len(r) for r in rows), default=1)
    box_w = min(150.0, (width - 2 * margin - (widest - 1) * 12) / widest)
    height = len(rows) * (box_h + row_gap) - row_gap + 2 * margin
    where: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        step = (width - 2 * margin) / len(row)
        for i, code in enumerate(row):
            where[code] = (margin + step * (i + 0.5), margin + r * (box_h + row_gap))
    parts = [
        _open(chart_id, width, height, title, description, "group"),
        f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 8 8" refX="7" refY="4"'
        ' markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L8,4 L0,8 z" fill="#5b6776"/></marker></defs>',
        '<g class="edges" fill="none" stroke="#8a96a3" stroke-width="1.1">',
    ]
    seen: set[tuple[str, str]] = set()
    for source, target in edges:
        if source == target or (source, target) in seen:
            continue
        if source not in where or target not in where:
            continue
        seen.add((source, target))
        (sx, sy), (tx, ty) = where[source], where[target]
        if ty > sy:
            start, end = (sx, sy + box_h), (tx, ty)
            bend = (end[1] - start[1]) / 2
            d = (
                f"M{start[0]:.1f},{start[1]:.1f} C{start[0]:.1f},{start[1] + bend:.1f}"
                f" {end[0]:.1f},{end[1] - bend:.1f} {end[0]:.1f},{end[1] - 1:.1f}"
            )
        else:
            # Back up (or along) the rows: round the right-hand side of both boxes.
            start, end = (sx + box_w / 2, sy + box_h / 2 + 6), (tx + box_w / 2, ty + box_h / 2 - 6)
            out = max(start[0], end[0]) + 26
            d = (
                f"M{start[0]:.1f},{start[1]:.1f} C{out:.1f},{start[1]:.1f}"
                f" {out:.1f},{end[1]:.1f} {end[0] + 1:.1f},{end[1]:.1f}"
            )
        parts.append(f'<path d="{d}" marker-end="url(#{chart_id}-arrow)"/>')
    parts.append("</g>")
    for code, (cx, y) in where.items():
        box = by_code[code]
        x = cx - box_w / 2
        lines = _wrap(box.name, max(int(box_w / 7.4), 8))
        shape = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" height="{box_h}" rx="6"'
            f' fill="{"#eef1f5" if box.terminal else "#fff"}" stroke="{INK}"'
            f' stroke-width="{1 if box.terminal else 1.6}"'
            f"{DASHED if box.terminal else ''}/>"
        )
        text_y = y + (16 if len(lines) == 2 else 21)
        names = "".join(
            f'<text x="{cx:.1f}" y="{text_y + 13 * n:.1f}" text-anchor="middle" fill="{INK}">'
            f"{escape(line)}</text>"
            for n, line in enumerate(lines)
        )
        figure = (
            f'<text x="{cx:.1f}" y="{y + box_h - 7:.1f}" text-anchor="middle" font-weight="bold"'
            f' fill="{INK}">{escape(box.figure)}</text>'
            if box.figure
            else ""
        )
        note = (
            f'<text x="{x:.1f}" y="{y - 4:.1f}" font-size="9" font-style="italic"'
            f' fill="{INK}">{escape(box.note)}</text>'
            if box.note
            else ""
        )
        group = f'<g class="state" data-state="{escape(code)}">{shape}{names}{figure}{note}</g>'
        if box.href:
            spoken = escape(box.spoken or f"{box.name}: {box.figure}")
            group = f'<a href="{escape(box.href)}" aria-label="{spoken}">{group}</a>'
        parts.append(group)
    parts.append("</svg>")
    return _drawn(parts)
