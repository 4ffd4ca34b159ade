"""Charts as inline SVG: no script, no remote resource, readable in print and in greyscale.

Bars carry their numbers as text, series are told apart by pattern of shade and by a legend,
not by colour alone. Every label is escaped.
"""

from __future__ import annotations

from html import escape

from qa_tui.reports.model import Chart

WIDTH = 640
LABEL_WIDTH = 210
BAR_HEIGHT = 18
GAP = 8
# Light to dark greys-blues: tell apart in colour and in greyscale print.
SHADES = ("#1f4e79", "#5b9bd5", "#a9c6e8", "#d9e5f2", "#7f7f7f", "#bfbfbf")


LABEL_CHARS = 34  # what fits in LABEL_WIDTH at 11 px; the full label is the bar's tooltip


def _fit(text: str, limit: int = LABEL_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="sans-serif" fill="#222">{escape(text)}</text>'
    )


def _svg(height: float, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(chart: Chart, y: float) -> tuple[list[str], float]:
    if len(chart.series) < 2:
        return [], y
    parts, x = [], LABEL_WIDTH
    for index, series in enumerate(chart.series):
        shade = SHADES[index % len(SHADES)]
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{shade}" stroke="#222" '
            'stroke-width="0.5"/>'
        )
        parts.append(_text(x + 14, y, series.name, size=10))
        x += 24 + 6 * len(series.name)
    return parts, y + 16


def _bars(chart: Chart) -> str:
    """Horizontal bars, one row a category; stacked when the chart says so."""
    stacked = chart.kind == "stacked_bar"
    totals = [
        sum((s.values[i] or 0) for s in chart.series) if stacked else 0
        for i in range(len(chart.categories))
    ]
    peak: float = max(
        [*totals, *(v or 0 for s in chart.series for v in s.values)] if chart.series else [0]
    )
    scale = (WIDTH - LABEL_WIDTH - 40) / peak if peak else 0
    body, y = _legend(chart, 14)
    y += 4
    per_row = 1 if stacked else max(len(chart.series), 1)
    for index, category in enumerate(chart.categories):
        row_height = BAR_HEIGHT * per_row
        label = _text(LABEL_WIDTH - 6, y + row_height / 2 + 4, _fit(category), anchor="end")
        body.append(f"<g><title>{escape(category)}</title>{label}</g>")
        x: float = LABEL_WIDTH
        for number, series in enumerate(chart.series):
            value = series.values[index] or 0
            shade = SHADES[number % len(SHADES)]
            top = y if stacked else y + number * BAR_HEIGHT
            width = value * scale
            body.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{BAR_HEIGHT - 3}" '
                f'fill="{shade}" stroke="#222" stroke-width="0.4"/>'
            )
            if value and (not stacked or width > 18):
                label_x = x + width / 2 if stacked else x + width + 4
                anchor = "middle" if stacked else "start"
                fill_text = _number(value)
                body.append(_text(label_x, top + BAR_HEIGHT - 6, fill_text, anchor=anchor, size=9))
            if stacked:
                x += width
        if stacked and totals[index]:
            body.append(_text(x + 4, y + BAR_HEIGHT - 6, _number(totals[index]), size=9))
        y += row_height + GAP
    return _svg(y + 4, body, chart.title)


def _line(chart: Chart) -> str:
    """A line per series over the categories (months, quarters), points labelled."""
    height, top, bottom, left = 220, 30.0, 190.0, 50.0
    values = [v for s in chart.series for v in s.values if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    span = len(chart.categories) - 1 or 1
    step = (WIDTH - left - 20) / span

    def place(i: int, v: float) -> tuple[float, float]:
        return left + i * step, bottom - (v - low) / (high - low) * (bottom - top)

    body, _ = _legend(chart, 14)
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#222"/>')
    for i, category in enumerate(chart.categories):
        body.append(
            _text(left + i * step, bottom + 16, _fit(category, 12), anchor="middle", size=9)
        )
    for number, series in enumerate(chart.series):
        shade = SHADES[number % len(SHADES)]
        points = [place(i, v) for i, v in enumerate(series.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = "" if number == 0 else ' stroke-dasharray="5,3"'
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{shade}" stroke-width="2"{dash}/>'
            )
        for i, v in enumerate(series.values):
            if v is not None:
                x, y = place(i, v)
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{shade}"/>')
                body.append(_text(x, y - 6, _number(v), anchor="middle", size=9))
    return _svg(height, body, chart.title)


def chart_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (a string of markup, every label escaped)."""
    if not chart.categories or not chart.series:
        return _svg(30, [_text(0, 20, "No data to draw.")], chart.title)
    return _line(chart) if chart.kind == "line" else _bars(chart)
