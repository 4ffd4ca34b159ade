"""The app's table: Textual's DataTable, drawn again once it has measured new rows.

Textual (8.2.8) measures the widths of rows added with ``add_row`` when the table is next
idle, but the keys of its line, row and cell caches do not change then. A frame drawn between
the ``add_row`` and that idle moment (a status line updated in the same call is enough) stays
cached at the old widths: the header then keeps its label-wide columns over wider rows until
the cursor moves. Seen as a snapshot of the conflicts screen that differed one run in twelve.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowKey


class Table(DataTable[RenderableType]):
    """A DataTable whose cached lines are dropped whenever its columns are measured again."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._measured()

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        super()._update_column_widths(updated_cells)
        self._measured()

    def _measured(self) -> None:
        # Every cache key of the table includes the update count: a new count is a new
        # drawing, at the widths just measured.
        self._update_count += 1
        self.refresh()
