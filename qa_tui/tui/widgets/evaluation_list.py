"""The home list: a line-API widget that draws rows of one-line ``Text`` cells.

Holds the filtered rows — a list, or a :class:`Windowed` sequence that reads its rows from the
database a page at a time as they are drawn — and draws only the lines on screen, each as a
:class:`Strip` built straight from segments. A row's drawn strip is cached by its key, the
width, whether it is the cursor row, its stripe and the focus, so a filter keystroke only
swaps the list of rows and redraws the screen from the cache: nothing is measured, nothing
is laid out. Styles are component classes with theme variables, so every theme works.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from qa_tui.tui.widgets.list_line import ListColumn, ListRow, draw_line

CACHE_LIMIT = 4_000  # drawn rows kept before the cache is emptied


@runtime_checkable
class Windowed(Protocol):
    """Rows read from the database a page at a time: found by key among those read."""

    def find(self, key: str) -> int | None: ...


class _RowMessage(Message):
    """A message about one row: its key and index."""

    def __init__(self, evaluation_list: EvaluationList, key: str, index: int) -> None:
        super().__init__()
        self.evaluation_list = evaluation_list
        self.key = key
        self.index = index

    @property
    def control(self) -> EvaluationList:
        return self.evaluation_list


class EvaluationList(ScrollView, can_focus=True):
    """Rows of one-line Text cells under a sticky header, with a row cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "evaluation-list--header",
        "evaluation-list--cursor",
        "evaluation-list--hover",
        "evaluation-list--even-row",
        "evaluation-list--odd-row",
    }

    DEFAULT_CSS = """
    EvaluationList {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .evaluation-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .evaluation-list--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .evaluation-list--even-row {
            background: $surface-darken-1 40%;
        }
        & > .evaluation-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .evaluation-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .evaluation-list--odd-row {
        }
        & > .evaluation-list--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .evaluation-list--hover {
            background: $block-hover-background;
        }
        & > .evaluation-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row."""

    class RowSelected(_RowMessage):
        """Enter on a row, or a click on the cursor row."""

    class HeaderSelected(Message):
        """A click on a column heading."""

        def __init__(self, evaluation_list: EvaluationList, column_key: str) -> None:
            super().__init__()
            self.evaluation_list = evaluation_list
            self.column_key = column_key

        @property
        def control(self) -> EvaluationList:
            return self.evaluation_list

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: list[ListColumn] = []
        self._rows: Sequence[ListRow] = []
        self._index: dict[str, int] | None = None
        self._cursor = 0
        self.hover_row: int | None = None  # the row under the mouse pointer
        self._sort: tuple[str, bool] | None = None
        self._drawn: dict[tuple[object, ...], Strip] = {}
        self._header: Strip | None = None

    # --- contents -----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def rows(self) -> Sequence[ListRow]:
        return self._rows

    @property
    def columns(self) -> list[ListColumn]:
        return list(self._columns)

    @property
    def column_keys(self) -> list[str]:
        return [column.key for column in self._columns]

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        return self._rows[self._cursor].key if self._rows else None

    def column_offset(self, key: str) -> int:
        """Where a column starts, in cells from the list's left edge (before scrolling)."""
        x = 0
        for column in self._columns:
            if column.key == key:
                return x
            x += column.render_width
        raise KeyError(key)

    def get_column(self, key: str) -> list[Text]:
        """A column's cells, top to bottom (for tests)."""
        return [row.cells()[key] for row in self._rows]

    def set_columns(self, columns: Sequence[tuple[str, str, int]]) -> None:
        """Columns as (key, label, width), the width without the cells' padding."""
        self._columns = [ListColumn(key, label, width) for key, label, width in columns]
        self.forget_drawn()
        self._update_virtual_size()

    def set_sort(self, key: str | None, reverse: bool = False) -> None:
        """Which heading shows the sort arrow."""
        self._sort = None if key is None else (key, reverse)
        self._header = None
        self.refresh()

    def set_rows(self, rows: Sequence[ListRow]) -> None:
        """Show these rows, keeping the cursor on the same row when it is still there."""
        current = self.cursor_key
        self._rows = rows
        self._index = None
        index = self.row_index(current) if current is not None else None
        self._cursor = index or 0
        self._update_virtual_size()
        if index is None:
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            self._scroll_cursor_into_view()
        self.refresh()
        key = self.cursor_key
        if key is not None and key != current:
            self.post_message(self.RowHighlighted(self, key, self._cursor))

    def row_index(self, key: str) -> int | None:
        if isinstance(self._rows, Windowed):  # never walk a window's unread rows
            return self._rows.find(key)
        if self._index is None:
            self._index = {row.key: n for n, row in enumerate(self._rows)}
        return self._index.get(key)

    def forget_drawn(self) -> None:
        """Drop the drawn rows (call when rows' contents change under the same keys)."""
        self._drawn.clear()
        self._header = None
        self.refresh()

    def _update_virtual_size(self) -> None:
        size = Size(sum(column.render_width for column in self._columns), len(self._rows) + 1)
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.size:
            self.virtual_size = size
            return
        # The list's own size is set by CSS (1fr), not by its rows, so a new row count needs
        # no layout of the whole screen (which redraws every widget): only the scrollbars
        # follow (and they ask for a layout themselves if they appear or disappear).
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    # --- cursor -------------------------------------------------------------------------

    def move_cursor(self, index: int, scroll: bool = True) -> None:
        previous = self.cursor_key
        self._cursor = max(0, min(index, len(self._rows) - 1))
        if scroll:
            self._scroll_cursor_into_view()
        self.refresh()
        key = self.cursor_key
        if key is not None and key != previous:
            self.post_message(self.RowHighlighted(self, key, self._cursor))

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        page = self._page()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key, self._cursor))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x = offset.x + round(self.scroll_x)
        if offset.y == 0:
            left = 0
            for column in self._columns:
                if left <= x < left + column.render_width:
                    self.post_message(self.HeaderSelected(self, column.key))
                    break
                left += column.render_width
            event.stop()
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._rows):
            event.stop()
            if index == self._cursor:
                self.action_select_cursor()
            else:
                self.move_cursor(index)

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        index = None if offset is None or offset.y == 0 else round(self.scroll_y) + offset.y - 1
        self._set_hover(index if index is not None and 0 <= index < len(self._rows) else None)

    def _on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index != self.hover_row:
            self.hover_row = index
            self.refresh()

    # --- drawing ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()
        self._header = None

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        full = max(width + scroll_x, self.virtual_size.width)
        if y == 0:
            strip = self._header_strip(full)
        else:
            index = round(self.scroll_y) + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, self.rich_style)
            strip = self._row_strip(index, full)
        return strip.crop(scroll_x, scroll_x + width)

    def _header_strip(self, width: int) -> Strip:
        if self._header is None or self._header.cell_length != width:
            style = self.rich_style + self.get_component_rich_style("evaluation-list--header")
            cells = []
            for column in self._columns:
                arrow = ""
                if self._sort is not None and self._sort[0] == column.key:
                    arrow = " ▼" if self._sort[1] else " ▲"
                cells.append(Text(column.label + arrow))
            self._header = draw_line(self.app.console, self._columns, cells, style, width)
        return self._header

    def _row_strip(self, index: int, width: int) -> Strip:
        row = self._rows[index]
        cursor = index == self._cursor
        hover = index == self.hover_row and not cursor
        key = (row.key, width, cursor, hover, index % 2, self.has_focus)
        strip = self._drawn.get(key)
        if strip is None:
            style = self.rich_style
            stripe = "evaluation-list--odd-row" if index % 2 else "evaluation-list--even-row"
            style += self.get_component_rich_style(stripe)
            if cursor:
                style += self.get_component_rich_style("evaluation-list--cursor")
            elif hover:
                style += self.get_component_rich_style("evaluation-list--hover")
            cells = row.cells()
            strip = draw_line(
                self.app.console, self._columns, [cells[c.key] for c in self._columns], style, width
            )
            if len(self._drawn) >= CACHE_LIMIT:
                self._drawn.clear()
            self._drawn[key] = strip
        return strip
