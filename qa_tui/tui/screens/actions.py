"""The actions tracker: every action across evaluations, by due date, a page at a time.

On a laptop these are the auditor's own (the evaluations on it); on the QA desk, everyone's.
The list is read from the database a page at a time (never every row), re-read as the filter
changes, and continued as the cursor nears its end.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from qa_tui.errors import QaError
from qa_tui.tui.messages import OpenEvaluation
from qa_tui.tui.screens.action_rows import (
    COLUMNS,
    COMPACT,
    COMPACT_BELOW,
    STATUS_FILTERS,
    ActionListRow,
    detail,
    widths_for,
)
from qa_tui.tui.text import SafeInput, Shown
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from qa_tui.tui.widgets.steady_footer import SteadyFooter
from qa_tui.tui.widgets.type_to_filter import typed_on_screen_list

if TYPE_CHECKING:
    from qa_tui.store.followup_queries import ActionFilter, TrackedAction
    from qa_tui.tui.dialogs.action_update import ActionProgress
    from qa_tui.workspace import Workspace

MORE_WHEN = 20  # load the next page when the cursor is this close to the end
COUNT_AFTER = 0.3  # seconds of quiet after a page is drawn before the matches are counted


class ActionsScreen(Screen[None]):
    """Actions tracked to completion (seed 000 §6.12)."""

    CSS_PATH = "actions.tcss"
    TITLE = "Actions"
    HELP = (
        "Every action agreed in an evaluation, by due date: on a laptop your own, on the QA "
        "desk everyone's. Type to filter (owner, team, service area, case reference or the "
        "action). s cycles the status shown (open or in progress, any, done, no longer "
        "needed); o shows only overdue actions. u records progress: a new status with a "
        "dated note (kept as history, and merged with updates made elsewhere). Enter opens "
        "the action's evaluation."
    )
    BINDINGS = [
        Binding("u", "update", "Progress", id="actions.update"),
        Binding("s", "next_status", "Status", id="actions.status"),
        Binding("o", "overdue", "Overdue", id="actions.overdue"),
        Binding("slash", "focus_filter", "Filter", id="actions.filter"),
        Binding("escape", "back", "Back", id="actions.back"),
        Binding("down", "focus_list", "To the list", id="actions.to_list", show=False),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self._status = 0
        self._overdue = False
        self._rows: list[TrackedAction] = []
        self._earlier: list[TrackedAction] = []  # the pages before the one being read
        self._more = False
        self._looking = False  # a walk is still going through the actions for this page
        self._count: int | None = None
        self._generation = 0  # the newest filter asked for
        self._drawn_generation = 0  # the filter the rows on screen belong to
        self._count_asked = 0  # the filter whose count is asked for (once its page is found)
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Static("Filter", id="filter-label")
            yield SafeInput(
                placeholder="type to filter: owner, team, case reference, action…",
                id="filter",
                select_on_focus=False,
            )
        yield Static("", id="actions-status")
        yield EvaluationList(id="actions")
        yield Shown("", id="action-detail")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._columns()
        self.watch(self.query_one("#filter", Input), "value", self._filter_changed, init=False)
        self.query_one(EvaluationList).focus()
        self.reload()

    def on_resize(self) -> None:
        self._columns()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.reload()

    def _columns(self) -> None:
        keys = COMPACT if self.size.width < COMPACT_BELOW else tuple(k for k, _l, _w in COLUMNS)
        # Less the margins and a vertical scrollbar (the list is longer than the screen).
        self.query_one(EvaluationList).set_columns(widths_for(keys, self.size.width - 6))

    @property
    def today(self) -> dt.date:
        return self.workspace.clock().astimezone().date()

    def current_filter(self) -> ActionFilter:
        from qa_tui.store.followup_queries import ActionFilter

        words = tuple(self.query_one("#filter", Input).value.split())
        return ActionFilter(
            statuses=STATUS_FILTERS[self._status][1],
            overdue=self._overdue,
            words=words,
            today=self.today,
        )

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        self._count = None
        self._earlier = []
        self.load_page(self.current_filter(), None, self._generation)

    def _count_when_quiet(self, generation: int) -> None:
        """Count the matches once the page is drawn and typing has paused: the count reads
        every match, so while keys keep coming it would only slow the page a key needs."""
        if generation == self._generation and self._count is None:
            self.count(self.current_filter(), generation)

    def _filter_changed(self, _: str) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="actions-page")
    def load_page(
        self, flt: ActionFilter, after: tuple[dt.date, str] | None, generation: int
    ) -> None:
        """A page of actions, in bounded steps when a filter word must be tested action by
        action: each step's rows are shown as they come, the list saying it is still
        looking, until the page is full or every action has been looked at."""
        from qa_tui.store import followup_queries as fq

        def stop() -> bool:  # a newer filter was asked for: abandon this one
            return generation != self._generation

        found: list[TrackedAction] = []
        position = after
        try:
            prepared = self.workspace.read(fq.prepare, flt)  # its words looked up once
            for number, size in enumerate(fq.walk_sizes()):
                if stop():
                    return
                want = fq.PAGE + 1 - len(found)
                step = self.workspace.read(
                    fq.walk_actions, flt, position, want, stop, size, prepared
                )
                found += step.rows
                looking = step.walked_to is not None
                if step.rows or not looking or number == 0:  # nothing new: the list stands
                    self.app.call_from_thread(self._page_loaded, list(found), looking, generation)
                if not looking:
                    return
                position = step.walked_to
        except fq.Superseded:
            return
        except QaError as err:
            self.app.call_from_thread(self._say, f"Actions not loaded: {err}")

    @work(thread=True, exclusive=True, group="actions-count")
    def count(self, flt: ActionFilter, generation: int) -> None:
        """How many match (up to the cap), counted in bounded steps in the background: a
        keystroke stops it (between steps, and on SQLite within one)."""
        from qa_tui.store import followup_queries as fq

        def stop() -> bool:
            return generation != self._generation

        total, position = 0, None
        try:
            prepared = self.workspace.read(fq.prepare, flt)
            while not stop():
                found, position = self.workspace.read(
                    fq.count_step, flt, fq.COUNT_CAP - total, position, stop, None, prepared
                )
                total += found
                if position is None or total > fq.COUNT_CAP:
                    self.app.call_from_thread(self._counted, total, generation)
                    return
        except QaError:  # superseded (or failed): the page says how many it shows
            return

    def _page_loaded(self, rows: list[TrackedAction], looking: bool, generation: int) -> None:
        """The rows read so far for the page being read (all of them, each step)."""
        from qa_tui.store.followup_queries import PAGE

        if generation != self._generation:
            return  # a newer filter is on its way
        self._more = len(rows) > PAGE
        self._looking = looking
        self._rows = [*self._earlier, *rows[:PAGE]]
        today = self.today
        self.query_one(EvaluationList).set_rows([ActionListRow(r, today) for r in self._rows])
        self._show_detail(self._current())
        self._drawn_generation = generation
        self.loaded = True
        if not looking and not self._more:  # every match is on the list: that is the count
            self._count = len(self._rows)
        self._update_status()
        if not looking and self._count_asked != generation:  # the page found: now count
            self._count_asked = generation
            self.set_timer(COUNT_AFTER, partial(self._count_when_quiet, generation))

    def _counted(self, found: int, generation: int) -> None:
        if generation == self._generation:
            self._count = found
            self._update_status()

    def _update_status(self) -> None:
        from qa_tui.store.followup_queries import COUNT_CAP

        label = STATUS_FILTERS[self._status][0]
        if self._count is None:
            size = f"{len(self._rows)}{'+' if self._more else ''}"
        else:
            size = f"{COUNT_CAP:,}+" if self._count > COUNT_CAP else f"{self._count:,}"
        overdue = "overdue only" if self._overdue else "overdue or not"
        noun = "action" if size == "1" else "actions"
        if self._looking:  # never "0 actions" while some are still to be looked at
            noun += " so far, still looking"
        self._say(f"{size} {noun} · {label} (s) · {overdue} (o) · by due date")

    def _say(self, text: str) -> None:
        self.query_one("#actions-status", Static).update(text, layout=False)

    def _show_detail(self, action: TrackedAction | None) -> None:
        shown = self.query_one("#action-detail", Shown)
        shown.update(detail(action, self.today) if action is not None else "")

    def on_evaluation_list_row_highlighted(self, event: EvaluationList.RowHighlighted) -> None:
        event.stop()
        if 0 <= event.index < len(self._rows) and self._rows[event.index].id == event.key:
            self._show_detail(self._rows[event.index])
        if self._more and event.index >= len(self._rows) - MORE_WHEN:
            self._more = False  # one page at a time
            self._earlier = list(self._rows)
            self.load_page(self.current_filter(), self._rows[-1].sort_key, self._generation)

    # --- keys ----------------------------------------------------------------------------

    def on_key(self, event: Key) -> None:
        """Type-to-filter: a printable key on the list goes to the filter."""
        typed_on_screen_list(self, event)

    def action_next_status(self) -> None:
        self._status = (self._status + 1) % len(STATUS_FILTERS)
        self.reload()

    def action_overdue(self) -> None:
        self._overdue = not self._overdue
        self.reload()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one(EvaluationList).focus()

    def action_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus and filter_input.value:
            filter_input.value = ""
            self.action_focus_list()
            return
        self.dismiss(None)

    def _current(self) -> TrackedAction | None:
        key = self.query_one(EvaluationList).cursor_key
        return next((r for r in self._rows if r.id == key), None)

    def on_evaluation_list_row_selected(self, event: EvaluationList.RowSelected) -> None:
        event.stop()
        found = self._current()
        if found is not None:
            self.post_message(OpenEvaluation(found.evaluation_id, found.evaluation_status))

    def action_update(self) -> None:
        from qa_tui.tui.dialogs.action_update import ActionUpdateDialog

        found = self._current()
        if found is None:
            return

        def done(progress: ActionProgress | None) -> None:
            if progress is not None:
                self.record(found.id, progress)

        dialog = ActionUpdateDialog(found.description, found.status, self.today)
        self.app.push_screen(dialog, done)

    @work(thread=True, exclusive=True, group="actions-write")
    def record(self, action_id: str, progress: ActionProgress) -> None:
        from qa_tui.domain.followup import record_action_update
        from qa_tui.vocab import ACTION_STATUSES

        try:
            self.workspace.write(
                record_action_update, action_id, progress.status, progress.note, progress.on
            )
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Not recorded", severity="error"
            )
            return
        words = ACTION_STATUSES.get(progress.status, progress.status).lower()
        self.app.call_from_thread(self.app.notify, f"Recorded: the action is {words}.")
        self.app.call_from_thread(self.reload)
