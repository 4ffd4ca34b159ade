"""The home list's table: a DataTable that draws its one-line text cells cheaply.

DataTable renders every visible cell through Rich's layout machinery (Padding, Styled,
render_lines) and drops its cell cache whenever rows change, so re-filtering 2,000 evaluations
redrew several hundred cells the slow way on every keystroke. Our cells are always one-line
``Text``; this draws them straight to segments — the same crop, padding and styles — and
leaves every other cell (headers, anything else) to DataTable itself. Columns are given fixed
widths by the screen, so adding rows measures nothing (DataTable measures every new cell, and
every cell of a column whenever a narrower one arrives).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey  # Textual is pinned to one exact version


class EvaluationTable(DataTable[Text]):
    """A DataTable of one-line Text cells, quick to redraw after a filter keystroke."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: dict[tuple[object, ...], list[Segment]] = {}

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        columns = self.columns.values()
        if any(column.auto_width for column in columns) or self._labelled_row_exists:
            super()._update_dimensions(new_rows)
            return
        # Every column has a fixed width and every row is one line: nothing to measure.
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            sum(column.get_render_width(self) for column in columns) + self._row_label_column_width,
            self._total_row_height + header_height,
        )

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        if row_key is None or self.rows[row_key].height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        # Keyed by the row's own key (an evaluation id) rather than its position and the
        # table's update count, so a row drawn once is not drawn again when a filter moves it;
        # its position (which mouse clicks read) is added as the cell is handed out.
        key = (
            row_key,
            self._column_locations.get_key(column_index),
            width,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
            self.show_cursor,
        )
        drawn = self._drawn.get(key)
        if drawn is None:
            cell = self._get_row_renderables(row_index).cells[column_index]
            if not isinstance(cell, Text):
                return super()._render_cell(
                    row_index, column_index, base_style, width, cursor, hover
                )
            drawn = self._draw_text_cell(
                cell, row_index, column_index, base_style, width, cursor, hover
            )
            if len(self._drawn) > 20_000:
                self._drawn.clear()
            self._drawn[key] = drawn
        meta = Style.from_meta({"row": row_index, "column": column_index})
        return [[Segment(text, style + meta if style else meta) for text, style, _ in drawn]]

    def forget_drawn(self) -> None:
        """Drop the drawn cells (call when the rows' contents change, e.g. after a reload)."""
        self._drawn.clear()

    def _draw_text_cell(
        self,
        cell: Text,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> list[Segment]:
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pad = self.cell_padding
        inner = max(0, width - 2 * pad)
        text = cell.copy()
        # With no_wrap, Rich crops unless the Text asks for an ellipsis.
        text.truncate(inner, overflow="ellipsis" if cell.overflow == "ellipsis" else "crop")
        if cell.justify in ("right", "center"):
            text.align(cell.justify, inner)  # Rich pads inside the text for these
        console = self.app.console
        # Text.render leaves the Text's own style to the caller: apply it under the spans.
        own = console.get_style(cell.style, default=Style.null()) if cell.style else Style.null()
        body = list(Segment.apply_style(text.render(console, end=""), own))
        # Left-aligned text is padded outside the text, unstyled, as Rich's line fitting does.
        body.append(Segment(" " * (inner - text.cell_len)))
        segments = [Segment(" " * pad), *body, Segment(" " * pad)]
        return list(Segment.apply_style(segments, base_style + component_style, post_style))
