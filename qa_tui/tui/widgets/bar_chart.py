"""A bar chart drawn in the terminal: one highlighted, selectable line a bar.

Bars are text — block characters sized to the widget — so they read the same in every theme,
on a projector and in a screenshot; the grades of a stacked bar are told apart by shade of
block (█ ▓ ▒ ░), not by colour alone. Each bar says its value and the n it rests on; Enter on
one posts :class:`BarChart.Opened`, and the screen opens the evaluations behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qa_tui.reports.dashboard import Bar, DashChart
from qa_tui.tui.text import line

SHADES = ("█", "▓", "▒", "░", "·")
EMPTY = "No data for this chart with these filters."


def legend(chart: DashChart) -> str:
    """The key to a stacked bar's shades ("" for a plain bar)."""
    parts = next((b.parts for b in chart.bars if b.parts), ())
    return "   ".join(f"{SHADES[i % len(SHADES)]} {label}" for i, (label, _n) in enumerate(parts))


def in_words(bar: Bar) -> str:
    """The highlighted bar in full, under the chart (its label is cut at 80 columns, its
    grades are shades): what it stands for, its value and n, and each part's count."""
    figures = f"{bar.text} (n = {bar.n:,})"
    parts = [f"{label} {n:,}" for label, n in bar.parts if n]
    return f"{bar.label}\n{figures}: {', '.join(parts)}" if parts else f"{bar.label}\n{figures}"


def draw(bar: Bar, scale: float, width: int, label_width: int) -> Text:
    """One bar as a line of ``width`` cells: label, blocks, value and n."""
    tail = f" {bar.text} (n = {bar.n:,})"
    room = max(width - label_width - len(tail) - 2, 4)
    text = Text(line(bar.label, label_width).ljust(label_width) + " ")
    if bar.value is None:
        text.append("·" * 3, style="dim")
    elif bar.parts:
        total = sum(n for _label, n in bar.parts) or 1
        text.append(_stack(bar.parts, total, room))  # the whole width: every grade given
    else:
        cells = round(max(min(bar.value / scale, 1.0), 0.0) * room) if scale else 0
        text.append("█" * cells or "▏")
    text.append(tail)
    return text


def _stack(parts: tuple[tuple[str, int], ...], total: int, room: int) -> str:
    """The grades of one standard side by side, best first, as shares of ``room`` cells."""
    out, used = [], 0
    for index, (_label, n) in enumerate(parts):
        cells = round(n / total * room) if index < len(parts) - 1 else room - used
        cells = max(cells, 0)
        out.append(SHADES[index % len(SHADES)] * cells)
        used += cells
    return "".join(out)


class BarChart(OptionList):
    """The bars of one chart; Enter on a bar opens the evaluations behind it."""

    @dataclass
    class Opened(Message):
        chart: str
        bar: Bar
        title: str

    def __init__(self, chart: DashChart | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chart = chart
        self.read_for: object = None  # the filters the chart was read for (the screen's)
        self._drawn_width = 0

    def show(self, chart: DashChart | None) -> None:
        """Draw ``chart`` (None: nothing, while it is being read)."""
        self.chart = chart
        self._redraw()

    def on_resize(self) -> None:
        if self.size.width != self._drawn_width:
            self._redraw()

    def _redraw(self) -> None:
        chart = self.chart
        # Room for the vertical scrollbar, whether or not it shows, so a line never wraps.
        width = max((self.scrollable_content_region.width or self.size.width) - 3, 30)
        self._drawn_width = self.size.width
        highlighted = self.highlighted
        self.clear_options()
        if chart is None:
            return
        if not chart.bars:
            self.add_option(Option(Text(EMPTY), disabled=True))
            return
        label_width = min(max(len(b.label) for b in chart.bars), max(width // 3, 12), 48)
        self.add_options(
            Option(draw(bar, chart.scale, width, label_width), id=f"bar-{index}")
            for index, bar in enumerate(chart.bars)
        )
        self.highlighted = min(highlighted or 0, len(chart.bars) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chart, index = self.chart, event.option_index
        if chart is not None and 0 <= index < len(chart.bars):
            self.post_message(self.Opened(chart.name, chart.bars[index], chart.title))
