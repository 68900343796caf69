"""Charts as server-drawn SVG: the one place charts are drawn, so pages and documents share them.

Each chart is a ``Chart``: an SVG with a <title> and <desc> (named by aria-labelledby), a sentence
that says what it shows, and its data as a table (headers and rows) for the page to render beside
it. No JavaScript and no style attributes: colours come from CSS classes (static/scss/app.scss,
``app-chart__*``), so a document renderer can supply its own.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import count

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
_ids = count(1)


@dataclass
class Chart:
    title: str
    description: str
    svg: str
    headers: list
    rows: list = field(default_factory=list)


def _number(value):
    value = float(value)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _frame(title, description, body):
    n = next(_ids)
    # Safe by construction: the title and description are escaped here; the body is numbers,
    # fixed class names and escaped labels, all made in this module.
    return mark_safe(  # nosec B308 B703
        f'<svg class="app-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" aria-labelledby="chart-{n}-title chart-{n}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{n}-title">{escape(title)}</title>'
        f'<desc id="chart-{n}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _y_axis(top_value, scale_y):
    parts = []
    for i in range(5):
        value = top_value * i / 4
        y = scale_y(value)
        parts.append(
            f'<line class="app-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="app-chart__label" x="{LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_number(value)}</text>'
        )
    parts.append(
        f'<line class="app-chart__axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>'
        f'<line class="app-chart__axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}"/>'
    )
    return "".join(parts)


def measure_chart(title, points, baseline=None, target=None, unit=""):
    """Readings over time against the straight line from baseline to target.

    ``points``: (date, value, label) in date order; ``baseline``/``target``: (date, value) or None.
    """
    values = [float(v) for _, v, _ in points]
    ends = [e for e in (baseline, target) if e and e[0] and e[1] is not None]
    values += [float(v) for _, v in ends]
    dates = [d for d, _, _ in points] + [d for d, _ in ends]
    top = max(values + [1.0]) * 1.1
    if unit == "%":
        top = max(top, 100.0) if max(values + [0]) > 50 else top
    first, last = (min(dates), max(dates)) if dates else (dt.date.today(), dt.date.today())
    span = max((last - first).days, 1)

    def x(day):
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    def y(value):
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * float(value) / top

    body = [_y_axis(top, y)]
    if len(ends) == 2:
        (d0, v0), (d1, v1) = ends
        body.append(
            f'<line class="app-chart__line app-chart__line--plan" x1="{x(d0):.1f}" '
            f'y1="{y(v0):.1f}" x2="{x(d1):.1f}" y2="{y(v1):.1f}"/>'
        )
    if points:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v, _ in points)
        body.append(
            f'<polyline class="app-chart__line app-chart__line--readings" points="{path}"/>'
        )
        body += [
            f'<circle class="app-chart__point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="4"/>'
            for d, v, _ in points
        ]
    body.append(
        f'<text class="app-chart__label" x="{LEFT}" y="{HEIGHT - 12}">{first:%b %Y}</text>'
        f'<text class="app-chart__label" x="{WIDTH - RIGHT}" y="{HEIGHT - 12}" '
        f'text-anchor="end">{last:%b %Y}</text>'
    )
    described = [f"{len(points)} readings"]
    if points:
        d, v, _ = points[-1]
        described.append(f"latest {_number(v)}{unit} on {d:%-d %B %Y}")
    if len(ends) == 2:
        described.append(
            f"the plan's line runs from {_number(ends[0][1])}{unit} on {ends[0][0]:%-d %B %Y} "
            f"to {_number(ends[1][1])}{unit} on {ends[1][0]:%-d %B %Y} (dashed)"
        )
    else:
        described.append("no line: the measure lacks a dated baseline or target")
    description = "; ".join(described) + "."
    rows = [
        [label or f"{d:%-d %B %Y}", f"{d:%-d %B %Y}", f"{_number(v)}{unit}"]
        for d, v, label in points
    ]
    return Chart(
        title,
        description,
        _frame(title, description, "".join(body)),
        ["Period", "Date", "Reading"],
        rows,
    )


def stacked_bars(title, columns, series, labels):
    """Stacked bars: one per column (a week), one layer per series key (a rating).

    ``columns``: [(label, {key: n})]; ``series``: the keys, bottom first; ``labels``: key -> words.
    """
    totals = [sum(counts.values()) for _, counts in columns]
    top = max(totals + [1])
    inner = WIDTH - LEFT - RIGHT
    step = inner / max(len(columns), 1)
    bar = max(step * 0.8, 1)

    def y(value):
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top

    body = [_y_axis(top, y)]
    for i, (_, counts) in enumerate(columns):
        base = 0
        for key in series:
            n = counts.get(key, 0)
            if n:
                body.append(
                    f'<rect class="app-chart__bar--{key}" x="{LEFT + i * step:.1f}" '
                    f'y="{y(base + n):.1f}" width="{bar:.1f}" '
                    f'height="{y(base) - y(base + n):.1f}"/>'
                )
            base += n
    if columns:
        body.append(
            f'<text class="app-chart__label" x="{LEFT}" y="{HEIGHT - 12}">{escape(columns[0][0])}'
            f'</text><text class="app-chart__label" x="{WIDTH - RIGHT}" y="{HEIGHT - 12}" '
            f'text-anchor="end">{escape(columns[-1][0])}</text>'
        )
    if columns:
        last = columns[-1][1]
        latest = ", ".join(f"{last.get(k, 0)} {labels[k].lower()}" for k in series)
        description = (
            f"{len(columns)} weeks from {columns[0][0]} to {columns[-1][0]}, each bar the actions "
            f"by rating at the end of the week, {' then '.join(labels[k] for k in series)} from "
            f"the bottom. Last week: {latest}."
        )
    else:
        description = "No weeks to show yet."
    rows = [[label] + [counts.get(k, 0) for k in series] for label, counts in columns]
    return Chart(
        title,
        description,
        _frame(title, description, "".join(body)),
        ["Week ending"] + [labels[k] for k in series],
        rows,
    )
