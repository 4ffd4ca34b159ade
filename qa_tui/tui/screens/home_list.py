"""The home list's state: its rows in memory or a window on the database, the filter, the
sort and the line that counts them. The home screen (home.py) adds loading, the panels and
opening; this keeps what the list shows consistent with what was typed.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from qa_tui.errors import QaError
from qa_tui.store.interrupt import Reading
from qa_tui.tui.screens.home_rows import (
    COLUMN_INDEX,
    COLUMNS,
    HomeRow,
    column_widths,
    fit_widths,
    matching,
    status_text,
)
from qa_tui.tui.screens.home_source import (
    PageRead,
    RowSource,
    Window,
    WindowCounted,
    WindowRead,
    WindowRows,
    WindowTotals,
    count_matches,
    read_page,
    read_totals,
    read_window,
)
from qa_tui.tui.widgets.evaluation_list import EvaluationList

if TYPE_CHECKING:
    from collections.abc import Callable

    from qa_tui.store.home_window import HomeQuery


COUNT_AFTER = 0.25  # seconds without a keystroke before the rows the filter matches are counted
SETTLE_AFTER = 1.0  # seconds after a window is drawn before the rows it dropped are collected


class HomeList(Screen[None]):
    """The list's rows, filter and sort (the home screen is one)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[HomeRow] = []  # every row, when few enough to keep in memory
        self._shown: list[HomeRow] = []
        self._sort = ("date", True)
        self._columns: tuple[str, ...] = ()
        self._built_width = 0
        self._keep = ""  # the evaluation to keep highlighted (the one worked on last)
        # A list too long to keep in memory is a window on the database (home_source.py).
        self._source: RowSource | None = None
        self._window: WindowRows | None = None
        self._widths: dict[str, int] = {}
        self._generation = 0  # of the filter and sort asked for; the list shows _drawn's
        self._drawn = 0
        self._querying = False
        self._asking: HomeQuery | None = None
        self._open_when_drawn = False
        self._counting: Reading | None = None  # the count of the filter drawn, stoppable
        self._totals: tuple[int, int] | None = None  # every evaluation, the demo ones
        self._settle: Timer | None = None

    def _shown_loaded(self, last_id: str, empty: bool, fill: Callable[[], None]) -> None:
        raise NotImplementedError  # the screen's

    def _show_resume(self) -> None:
        raise NotImplementedError  # the screen's

    def open_highlighted(self) -> None:
        raise NotImplementedError  # the screen's

    def _build_columns(self, keys: tuple[str, ...]) -> None:
        """Columns with fixed widths, fitted to all the rows loaded (not just those shown).

        Fixed widths keep the columns still while filtering.
        """
        self._columns = keys
        # The list's width (less its margins and scrollbar), shared out among the columns.
        wanted = self._widths if self._window is not None else column_widths(self._rows)
        widths = fit_widths(keys, wanted, self.size.width - 4)
        self.query_one(EvaluationList).set_columns(
            [(key, COLUMNS[COLUMN_INDEX[key]].label, widths[key]) for key in keys]
        )
        self._built_width = self.size.width

    def on_window_read(self, message: WindowRead) -> None:
        """A page of a long list (and its counts), read for the filter and sort asked for."""
        if message.window is not None and message.window.looking:
            if message.generation == self._generation:  # (typed on since: not wanted)
                if self._totals is not None:
                    message.window.total, message.window.demo = self._totals
                self._window = WindowRows(message.window, self._want_page)
                self._fill_window()  # the rows found so far, the line saying it looks on
            return
        if message.generation != -1:
            self._querying = False
        if message.generation not in (-1, self._generation):  # typed on since: read again
            self._query_window()
            return
        window = message.window
        if window is None:
            return
        if message.generation == -1:  # a whole read: the totals and widths are new
            self._source, self._widths = message.source, window.widths
            self._generation += 1  # (the totals kept till counted again: the same, mostly)
        if self._totals is not None:  # counted after a whole read's first page
            window.total, window.demo = self._totals
        self._drawn = self._generation
        self._rows, self._window = [], WindowRows(window, self._want_page)
        if message.generation == -1:
            self._shown_loaded(message.last_id, False, self._fill_window)
        else:  # typed (or sorted): the same columns, panels and bindings, new rows
            self._fill_window()
        if self._open_when_drawn:
            self._open_when_drawn = False
            self.open_highlighted()

    def _fill_window(self) -> None:
        assert self._window is not None
        table = self.query_one(EvaluationList)
        table.set_sort(*self._sort)
        table.set_rows(self._window)
        table.move_cursor(self._window.window.cursor)
        self._update_status()
        self._show_resume()
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(SETTLE_AFTER, _settle_new)

    def _row(self, key: str | None) -> HomeRow | None:
        """The row ``key`` of those shown (None if not shown, or not read yet)."""
        table = self.query_one(EvaluationList)
        index = table.row_index(key) if key else None
        row = table.rows[index] if index is not None else None
        return row if isinstance(row, HomeRow) else None

    def _apply_sort(self) -> None:
        key, reverse = self._sort
        sort_key = COLUMNS[COLUMN_INDEX[key]].sort_key
        self._rows.sort(key=lambda r: (sort_key(r.row, r.grade), r.row.id), reverse=reverse)
        self.query_one(EvaluationList).set_sort(key, reverse)

    def _filter_text(self) -> str:
        return self.query_one("#filter", Input).value

    def _refresh_table(self) -> None:
        """Show the rows matching the filter: from the rows kept in memory, or read anew."""
        if self._window is not None:
            self._query_window()
            return
        self._shown = matching(self._rows, self._filter_text())
        self.query_one(EvaluationList).set_rows(self._shown)
        self._update_status()

    def _query_window(self) -> None:
        """Read the window for the filter and sort now asked for (one read at a time)."""
        assert self._window is not None and self._source is not None
        if self._settle is not None:  # typing: collected when it pauses
            self._settle.stop()
        query = self._source.query(self._filter_text(), self._sort)
        if query == self._window.window.query and self._drawn == self._generation:
            return  # shown already (a resize)
        if not self._querying or query != self._asking:
            self._generation += 1
            # The walk to the first page, or the count, of a filter typed on: not wanted.
            if self._counting is not None:
                self._counting.stop()
        self._asking = query
        if not self._querying:
            self._querying = True
            self._counting = Reading()
            self._read_window(self._source, query, self._keep, self._generation, self._counting)

    @work(thread=True, group="home-window")
    def _read_window(
        self, source: RowSource, query: HomeQuery, keep: str, generation: int, counting: Reading
    ) -> None:
        def so_far(window: Window) -> None:
            self.post_message(WindowRead(window, generation, source))

        window = read_window(source, query, keep, False, lambda: counting.stopped, so_far)
        self.post_message(WindowRead(window, generation, source))  # None: typed on, read again
        if window is not None and window.count < 0:  # the page first, then the count
            # Counted once the typing pauses: a scan of every row, not wanted for a word
            # typed on (the line says "200+" meanwhile).
            if counting.wait(COUNT_AFTER):
                return
            try:
                n = count_matches(source, query, counting)
            except QaError as err:
                if not counting.stopped:  # a database that failed, not a stop: say so
                    self.app.notify(str(err), severity="error")
                return  # the line keeps "200+" (stopped: the new words count themselves)
            if n >= 0:
                self.post_message(WindowCounted(n, query))

    @work(thread=True, exclusive=True, group="home-load")
    def _count_whole(self, source: RowSource, query: HomeQuery) -> None:
        with source.held():
            self._post_counts(source, query)

    def _read_window_first(self, source: RowSource, query: HomeQuery, keep: str, last: str) -> None:
        """A long list: its first page drawn first, then counted (scans of every row)."""
        # The columns fitted to every row once the workspace is open (a scan start-up need
        # not wait for: the first draw fits them to its page).
        window = read_window(source, query, keep, widths=source.ws is not None)
        self.post_message(WindowRead(window, -1, source, last))
        if window is not None:
            self._post_counts(source, query)

    def _post_counts(self, source: RowSource, query: HomeQuery) -> None:
        """Every evaluation, and those ``query`` matches: after a whole read's first page."""
        found = read_totals(source)
        counted = found[0] if found is not None else None
        if found is not None:
            self.post_message(WindowTotals(*found[0], found[1], source))
        if counted is not None and not query.words:  # every evaluation: counted already
            self.post_message(WindowCounted(counted[0], query))
        else:
            self.post_message(WindowCounted(count_matches(source, query), query))

    def on_window_totals(self, message: WindowTotals) -> None:
        message.source.known = message.known  # the next keys' queries look only where it may be
        self._totals = (message.total, message.demo)
        if self._window is not None:
            self._window.window.total, self._window.window.demo = self._totals
            self._update_status()

    def on_window_counted(self, message: WindowCounted) -> None:
        rows = self._window
        if rows is not None and rows.window.count < 0 and rows.window.query == message.query:
            rows.window.count = message.count
            self.query_one(EvaluationList).set_rows(rows)  # its length now known
            self._update_status()

    def _want_page(self, number: int) -> None:
        """A page of the window came into view: read it."""
        if self._window is not None and self._source is not None:
            # After this frame: asked for while a line is drawn.
            query = self._window.window.query
            self.call_later(self._read_page, self._source, query, number, self._generation)

    @work(thread=True, group="home-page")
    def _read_page(self, source: RowSource, query: HomeQuery, number: int, generation: int) -> None:
        self.post_message(PageRead(number, read_page(source, query, number), generation))

    def on_page_read(self, message: PageRead) -> None:
        if self._window is not None and message.generation == self._drawn:
            self._window.add(message.number, message.rows)
            self.query_one(EvaluationList).refresh()

    def _current_id(self) -> str | None:
        return self.query_one(EvaluationList).cursor_key

    def _update_status(self) -> None:
        if self._window is not None:
            window = self._window.window
            total, shown, demo = window.total, len(self._window), window.demo
            more, looking = window.count < 0, window.looking  # still being counted, found
        else:
            total, shown, more = len(self._rows), len(self._shown), False
            demo, looking = sum(1 for r in self._rows if r.row.demo), False
        # One line whatever it says: no need to lay out the screen again.
        status = status_text(total, shown, demo, self._sort, more, looking)
        self.query_one("#home-status", Static).update(status, layout=False)

    def _filter_changed(self, _: str) -> None:
        self._refresh_table()

    def sort_by(self, key: str, reverse: bool | None = None) -> None:
        current_key, current_reverse = self._sort
        if reverse is None:
            reverse = (
                not current_reverse if key == current_key else key in ("date", "actions", "concern")
            )
        self._sort = (key, reverse)
        self._apply_sort()
        self._refresh_table()

    def action_sort_next(self) -> None:
        keys = self._columns
        index = (keys.index(self._sort[0]) + 1) % len(keys) if self._sort[0] in keys else 0
        self.sort_by(keys[index], reverse=keys[index] in ("date", "actions", "concern"))

    def action_sort_reverse(self) -> None:
        self.sort_by(self._sort[0], not self._sort[1])


def _settle_new() -> None:
    """Collect what the filter keys left (each a window of rows, its cells and its reads)
    while the typing pauses, and exempt what survives from the next collections.

    Python's full collection otherwise falls on a key every few: it walked the 40-75,000
    objects left since the app settled its heap (app.settle_heap) in 50-70 ms on the
    interface's thread, which the reading thread waits for too: those keys took 110-180 ms
    at 100,000 evaluations. The next list read unfreezes and collects everything again."""
    gc.collect()
    gc.freeze()
