"""Home: the evaluations in the database (a laptop's, or the QA desk's central one), filtered
as you type, sorted by any column."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.widgets import Button, Footer, Header, Input, Static

from qa_tui.errors import QaError
from qa_tui.tui.commands import KnowsItsDatabase
from qa_tui.tui.input_order import hold_input
from qa_tui.tui.messages import (
    AllocationsLoaded,
    EvaluationOpened,
    EvaluationsChanged,
    EvaluationsLoaded,
    LoadDemo,
    Navigate,
    NewEvaluation,
    OpenEvaluation,
    WorkspaceReady,
    WorkspaceWanted,
)
from qa_tui.tui.screens.home_list import HomeList
from qa_tui.tui.screens.home_rows import (
    COMPACT,
    COMPACT_BELOW,
    FULL,
)
from qa_tui.tui.screens.home_source import (
    RowSource,
    WindowRead,
    first_read,
    read_all,
)
from qa_tui.tui.text import SafeInput, Shown, line
from qa_tui.tui.widgets.allocated_panel import AllocatedPanel
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from qa_tui.tui.widgets.type_to_filter import typed_to_filter

# The empty list's panel (title, hint): on a laptop, and on a central database.
EMPTY_TITLE = "No evaluations on this laptop yet"
EMPTY_HINT = (
    "Start your first evaluation of a child's case, or load fictional demo data to look "
    "around first."
)
CENTRAL_EMPTY_TITLE = "No evaluations in the central database yet"
CENTRAL_EMPTY_HINT = (
    "They come from the laptops: a laptop enrolled here sends its evaluations when its "
    "manager syncs (ctrl+y there), or hands over a bundle file that you merge here. Or load "
    "fictional demo data to look around first."
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from qa_tui.domain.plan_views import MyAllocation
    from qa_tui.store.quicklist import FirstRead
    from qa_tui.tui.input_order import InputHold
    from qa_tui.workspace import Workspace


class HomeScreen(HomeList):
    """The list of evaluations, or a first-run panel when there are none."""

    CSS_PATH = "home.tcss"
    TITLE = "Evaluations"
    HELP = (
        "The evaluations in this database (a laptop's own, or on the QA desk the central "
        "database), newest first. Typing always filters the list — "
        "every letter goes to the filter, never to a command (every word must match: case "
        "reference, team, practitioner, status, grade, demo…); Escape clears it. Commands are "
        "on ctrl keys: ctrl+n starts a new evaluation, ctrl+s sorts by the next column "
        "(or click a heading), ctrl+r reverses. Enter opens the highlighted evaluation: a "
        "draft in the editor, a completed one as its summary. The evaluation you worked on "
        "last stays highlighted, so Enter goes straight back to it. Cases a plan allocated "
        "to you (a practice day, a dip sample) are listed first, above the list: ctrl+l "
        "starts the first, its case details filled in, or continues it."
    )
    BINDINGS = [
        Binding("ctrl+n", "new_evaluation", "New evaluation", id="home.new"),
        Binding("ctrl+s", "sort_next", "Sort", id="home.sort"),
        Binding("ctrl+r", "sort_reverse", "Reverse", id="home.reverse"),
        Binding("ctrl+l", "start_allocated", "Allocated to you", id="home.allocated"),
        Binding("escape", "clear_filter", "Clear filter", id="home.clear", show=False),
        Binding("down", "focus_table", "To the list", id="home.to_list", show=False),
    ]

    def __init__(
        self, quick_path: Path | str | None = None, first: FirstRead | None = None
    ) -> None:
        super().__init__()
        self.workspace: Workspace | None = None
        self._quick_path = quick_path
        self._first = first  # the list read as the app started (quick_path's)
        self._central_file = False  # that read found a central database
        self._loaded = False
        self._last = ""  # the one worked on last, from a previous session too
        self._keys_hold: InputHold | None = None
        self._allocated: list[MyAllocation] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Static("Filter", id="filter-label")
            yield SafeInput(
                placeholder="type to filter: case reference, team, practitioner…",
                id="filter",
                select_on_focus=False,
            )
        yield AllocatedPanel("", id="allocated")
        resume = Shown("", id="resume")
        resume.display = False
        yield resume
        yield EvaluationList(id="evaluations")
        with Vertical(id="first-run"):
            yield Static(EMPTY_TITLE, id="first-run-title", classes="title")
            yield Static(EMPTY_HINT, id="first-run-hint", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Start an evaluation", id="start", variant="primary")
                yield Button("Merge bundles", id="merge-bundles", variant="primary")
                yield Button("Load demo data", id="load-demo")
        yield Static("Opening the database…", id="home-status")
        yield Footer()

    def on_resize(self) -> None:
        wanted = COMPACT if self.size.width < COMPACT_BELOW else FULL
        if wanted != self._columns or self.size.width != self._built_width:
            self._build_columns(wanted)
            self._apply_sort()
            self._refresh_table()

    def on_mount(self) -> None:
        self._build_columns(COMPACT if self.size.width < COMPACT_BELOW else FULL)
        self.query_one("#first-run").display = False
        self.query_one("#merge-bundles").display = False  # on a central database only
        self.query_one("#filter-bar").display = False
        # Watched rather than handled as Input.Changed: the list is re-filtered as the key is
        # handled, so the new text and the new list reach the screen in the same frame
        # (a message could arrive after a frame showing just the text, a frame later).
        self.watch(self.query_one("#filter", Input), "value", self._filter_changed, init=False)
        self.query_one(EvaluationList).focus()
        # Keys typed before the list (or the first-run panel) is drawn wait for it.
        self._keys_hold = hold_input(self, "the list is loading")
        if self._quick_path is not None:
            self.quick_load(self._quick_path)

    def quick_load(self, path: Path | str) -> None:
        """Start-up fast path: draw the list from the file (or the PostgreSQL database, with
        psycopg alone), then ask for the workspace. Read already as the app started: drawn
        now, in the first frame (else the worker waits for that read)."""
        source, first = RowSource(path=path), self._first
        self._first = None
        if first is None or not first.done():
            self._read(source, self._filter_text(), self._sort, self._keep, first)
            return
        found = first.result()
        if found is None:  # the file cannot answer: the workspace will
            self.post_message(WorkspaceWanted())
            return
        self._central_file = found.central  # known before the workspace (the empty panel)
        rows, window = first_read(source, found)
        if rows is not None:
            self.on_evaluations_loaded(EvaluationsLoaded(rows))
        else:
            self.on_window_read(WindowRead(window, -1, source))
            # Counted once the first frame is out: the scans must not hold up its drawing.
            self.call_after_refresh(self._count_whole, source, source.query("", self._sort))

    def on_workspace_ready(self, message: WorkspaceReady) -> None:
        self.workspace = message.workspace
        self.load()

    def on_evaluations_changed(self, message: EvaluationsChanged) -> None:
        message.stop()  # the app sent it here: it must not bubble back
        self.load()

    def on_screen_resume(self) -> None:
        if self._loaded:
            self.load()

    # --- loading ------------------------------------------------------------------------

    def load(self) -> None:
        if self.workspace is not None:
            self._read(RowSource(ws=self.workspace), self._filter_text(), self._sort, self._keep)

    @work(thread=True, exclusive=True, group="home-load")
    def _read(
        self,
        source: RowSource,
        text: str,
        sort: tuple[str, bool],
        keep: str,
        first: FirstRead | None = None,
    ) -> None:
        """Every row when few, else the first page of a window on the database (``first``:
        as read when the app started, still being read)."""
        last = source.ws.positions.last() if source.ws is not None else ""
        found = first.result() if first is not None else None
        with source.held() as answers:  # the file's reads: one connection
            if found is not None:
                self._central_file = found.central  # set before the rows are posted
                rows, window = first_read(source, found)
                if window is not None:
                    self.post_message(WindowRead(window, -1, source))
                    self._post_counts(source, window.query)
                    return
                counted = found.counted
            else:
                rows, counted = read_all(source) if answers else (None, (-1, -1))
            if counted[0] < 0:  # the file cannot answer: the workspace will
                self.post_message(WorkspaceWanted())
                return
            if rows is not None:
                self.post_message(EvaluationsLoaded(rows, last))
            else:
                self._read_window_first(source, source.query(text, sort), keep or last, last)
        if source.ws is not None:
            # Imported here: planning pulls in SQLAlchemy, which start-up must not pay for.
            from qa_tui.services.planning import PlanningService

            self.post_message(AllocationsLoaded(PlanningService(source.ws).mine()))

    def on_allocations_loaded(self, message: AllocationsLoaded) -> None:
        self._allocated = message.rows
        self.query_one(AllocatedPanel).show(message.rows)
        self.refresh_bindings()

    def action_start_allocated(self) -> None:
        if self._allocated and self.workspace is not None:
            self._start_allocated(self.workspace, self._allocated[0].id)

    @work(thread=True, group="home-allocated")
    def _start_allocated(self, ws: Workspace, allocation_id: str) -> None:
        from qa_tui.services.planning import PlanningService

        try:
            evaluation_id = PlanningService(ws).start_allocated(allocation_id)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.post_message(EvaluationsChanged())
        self.post_message(OpenEvaluation(evaluation_id, "draft"))

    def on_evaluation_opened(self, message: EvaluationOpened) -> None:
        message.stop()  # the app sent it here: it must not bubble back
        self._keep = self._last = message.evaluation_id

    def on_evaluations_loaded(self, message: EvaluationsLoaded) -> None:
        self._rows, self._window = message.rows, None
        self._drawn = self._generation
        self._shown_loaded(message.last_id, not self._rows, self._fill_in_memory)

    def _fill_in_memory(self) -> None:
        self._apply_sort()
        self._refresh_table()
        self._highlight_kept()

    def _shown_loaded(self, last_id: str, empty: bool, fill: Callable[[], None]) -> None:
        """What every read does once its rows are in: panels, columns, rows, focus, held keys."""
        self._loaded = True
        if last_id and not self._last:  # where the user left off last time
            self._last = self._keep = last_id
        self.query_one("#first-run").display = empty
        known = self.app.central if isinstance(self.app, KnowsItsDatabase) else None
        central = self._central_file if known is None else known
        if empty:
            self._first_run_for(central)
        self.query_one("#filter-bar").display = not empty
        self.query_one(EvaluationList).display = not empty
        self._build_columns(self._columns)  # widths fitted to the rows just loaded
        fill()
        self.refresh_bindings()
        if self.workspace is None:  # drawn from the file: now the database
            self.call_after_refresh(self.post_message, WorkspaceWanted())
        if empty or not self.query_one("#filter", Input).has_focus:
            self._focus_home()
        if self._keys_hold is not None:
            self._keys_hold.release()
            self._keys_hold = None

    def _first_run_for(self, central: bool) -> None:
        """The empty list's panel: a laptop starts an evaluation; the QA desk's central
        database is filled by the laptops (a sync, or bundle files merged here)."""
        title = CENTRAL_EMPTY_TITLE if central else EMPTY_TITLE
        hint = CENTRAL_EMPTY_HINT if central else EMPTY_HINT
        self.query_one("#first-run-title", Static).update(title)
        self.query_one("#first-run-hint", Static).update(hint)
        self.query_one("#start").display = not central
        self.query_one("#merge-bundles").display = central

    def _highlight_kept(self) -> None:
        """The evaluation worked on last stays highlighted: Enter goes back to it."""
        table = self.query_one(EvaluationList)
        index = table.row_index(self._keep) if self._keep else None
        if index is not None:
            table.move_cursor(index)
        self._show_resume()

    def on_evaluation_list_row_highlighted(self, event: EvaluationList.RowHighlighted) -> None:
        if self._row(event.key) is not None:  # not a row still being read
            self._keep = event.key
        self._show_resume()

    def _show_resume(self) -> None:
        """Offer to go straight back to the draft worked on last (one key: Enter)."""
        resume = self.query_one("#resume", Static)
        current = self._current_id()
        row = self._row(current)
        offer = row is not None and current == self._last and row.row.status != "completed"
        resume.display = offer
        if row is not None and offer:
            case = line(row.row.case_reference, 30)
            resume.update(f"↪ Where you left off: {case} ({row.status}) — Enter continues it")

    # --- filtering and sorting ----------------------------------------------------------

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.open_highlighted()

    def on_key(self, event: Key) -> None:
        """Type-to-filter: every printable key on the list goes to the filter (commands are
        on ctrl keys, so a letter is never taken for one)."""
        typed_to_filter(event, self.query_one(EvaluationList), self.query_one("#filter", Input))

    def on_evaluation_list_header_selected(self, event: EvaluationList.HeaderSelected) -> None:
        self.sort_by(event.column_key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sort_next", "sort_reverse"):
            return bool(self._rows) or self._window is not None
        if action == "start_allocated":
            return bool(self._allocated)
        return True

    def action_focus_table(self) -> None:
        self.query_one(EvaluationList).focus()

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.value:
            filter_input.value = ""
        self._focus_home()

    def _focus_home(self) -> None:
        """The list, or on the empty list's panel its first button (Enter presses it)."""
        if not self.query_one("#first-run").display:
            self.query_one(EvaluationList).focus()
        elif self.query_one("#merge-bundles").display:
            self.query_one("#merge-bundles", Button).focus()
        else:
            self.query_one("#start", Button).focus()

    # --- opening and starting -----------------------------------------------------------

    def open_highlighted(self) -> None:
        if self._drawn != self._generation:  # the list for what was typed is still coming
            self._open_when_drawn = True
            return
        shown = self._row(self._current_id())
        if shown is not None:
            self.post_message(OpenEvaluation(shown.row.id, shown.row.status))

    def on_evaluation_list_row_selected(self, event: EvaluationList.RowSelected) -> None:
        shown = self._row(event.key)
        if shown is not None:
            self.post_message(OpenEvaluation(shown.row.id, shown.row.status))

    def action_view_summary(self) -> None:
        """The highlighted evaluation's summary (the palette's "View summary")."""
        current = self._current_id()
        if current is not None:
            self.post_message(OpenEvaluation(current, summary=True))

    def action_new_evaluation(self) -> None:
        self.post_message(NewEvaluation())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.post_message(NewEvaluation())
        elif event.button.id == "merge-bundles":
            self.post_message(Navigate("merge"))
        elif event.button.id == "load-demo":
            event.button.disabled = True
            self.query_one("#home-status", Static).update("Loading demo data…")
            self.post_message(LoadDemo())
