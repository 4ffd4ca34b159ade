"""One line of the home list: its columns, its rows, and drawing a line of cells as a Strip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

CELL_PAD = 1  # a space either side of every cell
COLUMN_META = tuple(Style(meta={"column": number}) for number in range(16))


class ListRow(Protocol):
    """What the list needs of a row: a unique key and its cells by column key."""

    @property
    def key(self) -> str: ...

    def cells(self) -> dict[str, Text]: ...


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    width: int  # the cell's text width, without its padding

    @property
    def render_width(self) -> int:
        return self.width + 2 * CELL_PAD


def _meta(number: int) -> Style:
    return COLUMN_META[number] if number < len(COLUMN_META) else Style(meta={"column": number})


def draw_line(
    console: Console, columns: list[ListColumn], cells: list[Text], style: Style, width: int
) -> Strip:
    """One line: each cell cropped (with an ellipsis) to its column, padded, styled."""
    segments: list[Segment] = []
    pad = Segment(" " * CELL_PAD)
    for number, (column, cell) in enumerate(zip(columns, cells, strict=True)):
        inner = column.width
        text = cell.copy()
        text.truncate(inner, overflow="ellipsis")
        if cell.justify in ("right", "center"):
            text.align(cell.justify, inner)
        own = console.get_style(cell.style, default=Style.null()) if cell.style else None
        body = text.render(console, end="")
        drawn = [pad, *(Segment.apply_style(body, own) if own else body)]
        drawn.append(Segment(" " * (inner - text.cell_len) + " " * CELL_PAD))
        # The column in each cell's meta keeps cells apart (as in DataTable) where
        # equal styles would otherwise be merged, e.g. in exported screenshots.
        segments.extend(Segment.apply_style(drawn, post_style=_meta(number)))
    used = Segment.get_line_length(segments)
    if used < width:
        segments.append(Segment(" " * (width - used)))
    return Strip(Segment.apply_style(segments, style), width)
