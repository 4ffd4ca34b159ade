"""The QA desk's follow-through lists: every open immediate concern by age (those not yet
shared with all four required recipients first), and the completed evaluations whose
feedback summary is not yet recorded as shared. Read a page at a time from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from qa_tui.errors import QaError
from qa_tui.tui.messages import OpenEvaluation
from qa_tui.tui.text import SafeInput, Shown, line, rich_text
from qa_tui.tui.widgets.evaluation_list import EvaluationList
from qa_tui.tui.widgets.steady_footer import SteadyFooter
from qa_tui.tui.widgets.type_to_filter import typed_on_screen_list

if TYPE_CHECKING:
    from collections.abc import Callable

    from qa_tui.store.followup_concerns import OpenConcern, UnsharedSummary
    from qa_tui.workspace import Workspace

PAGE = 200  # rows read at a time; the next page as the cursor nears the end
MORE_WHEN = 20  # read the next page when the cursor is this close to the end


@dataclass(frozen=True)
class ConcernRow:
    concern: OpenConcern
    today: dt.date

    @property
    def key(self) -> str:
        return self.concern.evaluation_id

    def cells(self) -> dict[str, Text]:
        from qa_tui.domain.followup import concern_stage, stage_words

        c = self.concern
        age = c.age_days(self.today)
        stage = concern_stage(True, c.shared_roles, c.acknowledged, False)
        words = stage_words(stage, c.shared_roles)
        return {
            "age": Text("—" if age is None else f"{age} days", justify="right"),
            "stage": Text(words, style="bold" if not c.fully_shared else ""),
            "case": Text(line(c.case_reference, 14)),
            "team": Text(line(c.team, 24)),
            "auditor": Text(line(c.auditor, 24)),
            "raised": Text(c.raised_on.isoformat() if c.raised_on else ""),
            "concern": Text(line(c.description, 60)),
        }


@dataclass(frozen=True)
class FindingsRow:
    item: UnsharedSummary

    @property
    def key(self) -> str:
        return self.item.evaluation_id

    def cells(self) -> dict[str, Text]:
        i = self.item
        return {
            "completed": Text(i.completed_at[:10]),
            "case": Text(line(i.case_reference, 14)),
            "team": Text(line(i.team, 24)),
            "auditor": Text(line(i.auditor, 24)),
        }


class FollowListScreen(Screen[None]):
    """A paged list read from the database; Enter acts on the highlighted row."""

    CSS_PATH = "actions.tcss"
    COLUMNS: tuple[tuple[str, str, int], ...] = ()
    FLEX = ""  # the column that takes the width left over
    NARROW: tuple[str, ...] = ()  # the columns kept below 120 cells (empty: all)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self._items: list[Any] = []
        self._more = False  # more rows than those read match the filter
        self._generation = 0  # the newest filter asked for
        self._drawn_generation = 0  # the filter the rows on screen belong to
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Static("Filter", id="filter-label")
            yield SafeInput(placeholder="type to filter", id="filter", select_on_focus=False)
        yield Static("Loading…", id="list-status")
        yield EvaluationList(id="follow-list")
        yield Shown("", id="follow-detail")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._columns()
        self.watch(self.query_one("#filter", Input), "value", lambda _v: self.reload(), init=False)
        self.query_one(EvaluationList).focus()
        self.reload()

    def on_resize(self) -> None:
        self._columns()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.read_again()

    def _columns(self) -> None:
        columns = self.COLUMNS
        if self.size.width < 120 and self.NARROW:
            columns = tuple(c for c in columns if c[0] in self.NARROW)
        others = sum(w + 2 for k, _l, w in columns if k != self.FLEX)
        flex = max(12, self.size.width - 6 - others)
        self.query_one(EvaluationList).set_columns(
            [(k, label, min(w, flex) if k == self.FLEX else w) for k, label, w in columns]
        )

    @property
    def today(self) -> dt.date:
        return self.workspace.clock().astimezone().date()

    def _words(self) -> tuple[str, ...]:
        return tuple(self.query_one("#filter", Input).value.split())

    def reload(self, rows: int | None = None) -> None:
        """Read the list again from its first row (``rows`` of it, a page if not said) for
        the filter typed."""
        self._generation += 1
        self.load(self._words(), self._generation, 0, PAGE if rows is None else rows)

    def read_again(self) -> None:
        """The rows read so far read again (a notice recorded, a return to the list): the
        cursor stays where it was, however far down."""
        self.reload(max(PAGE, len(self._items)))

    @work(thread=True, exclusive=True, group="follow-list")
    def load(self, words: tuple[str, ...], generation: int, offset: int, rows: int) -> None:
        """``rows`` rows from ``offset`` (one more, to know whether there are more)."""
        from qa_tui.store.followup_queries import Superseded

        def stop() -> bool:  # typed on since: abandon this read (on SQLite, mid-query)
            return generation != self._generation

        try:
            items = self.read(words, stop, offset, rows + 1)
        except Superseded:
            return
        except QaError as err:
            self.app.call_from_thread(self._say, f"Not loaded: {err}")
            return
        self.app.call_from_thread(self._show, items[:rows], len(items) > rows, generation, offset)

    def read(
        self, words: tuple[str, ...], stop: Callable[[], bool], offset: int, limit: int
    ) -> list[Any]:
        raise NotImplementedError

    def row(self, item: Any) -> Any:
        raise NotImplementedError

    def describe(self, count: int, more: bool) -> str:
        raise NotImplementedError

    def _show(self, items: list[Any], more: bool, generation: int, offset: int) -> None:
        if generation != self._generation:
            return  # read for a filter typed over since: a newer read is on its way
        if offset and offset != len(self._items):
            return  # a next page for rows since read again
        self._drawn_generation = generation
        self._items = [*self._items[:offset], *items]
        self._more = more
        self.query_one(EvaluationList).set_rows([self.row(i) for i in self._items])
        self.loaded = True
        self._say(self.describe(len(self._items), more))
        self._show_detail(self.current())

    def detail(self, item: Any) -> Text | None:
        """The highlighted row in full under the list (None: the row says it all)."""
        return None

    def _show_detail(self, item: Any) -> None:
        found = None if item is None else self.detail(item)
        shown = self.query_one("#follow-detail", Shown)
        shown.display = found is not None
        shown.update(found if found is not None else "")

    def on_evaluation_list_row_highlighted(self, event: EvaluationList.RowHighlighted) -> None:
        event.stop()
        if 0 <= event.index < len(self._items):
            self._show_detail(self._items[event.index])
        if self._more and event.index >= len(self._items) - MORE_WHEN:
            self._more = False  # one page at a time
            self.load(self._words(), self._generation, len(self._items), PAGE)

    def _say(self, text: str) -> None:
        self.query_one("#list-status", Static).update(text, layout=False)

    def current(self) -> Any:
        key = self.query_one(EvaluationList).cursor_key
        return next((i for i in self._items if self.row(i).key == key), None)

    def on_key(self, event: Key) -> None:
        """Type-to-filter: a printable key on the list that is not one of the screen's own
        (a concern's e, say) goes to the filter, as on the tracker."""
        typed_on_screen_list(self, event)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_back(self) -> None:
        """Escape while typing a filter clears it (as on the tracker); otherwise back."""
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus and filter_input.value:
            filter_input.value = ""
            self.query_one(EvaluationList).focus()
            return
        self.dismiss(None)


class ConcernsScreen(FollowListScreen):
    """Every open immediate concern (seed 000 §3.4, §6.11)."""

    TITLE = "Immediate concerns"
    HELP = (
        "Every immediate concern not yet closed, those not yet shared in writing with all "
        "four required recipients (practitioner, team manager, service manager, Director of "
        "Social Care) first, then the oldest first. Enter opens the written notice: record "
        "with whom it was shared, its acknowledgement, or close it with the outcome; save it "
        "as HTML, Word, Markdown or an email draft. e opens the evaluation. Type to filter: "
        "by case reference, team, service area, who raised it or the concern's own words."
    )
    BINDINGS = [
        Binding("enter", "notice", "Notice", id="concerns.notice"),
        Binding("e", "open", "Evaluation", id="concerns.open"),
        Binding("slash", "focus_filter", "Filter", id="concerns.filter"),
        Binding("escape", "back", "Back", id="concerns.back"),
    ]
    COLUMNS = (
        ("age", "Age", 9),
        ("stage", "Where it stands", 24),
        ("case", "Case ref", 12),
        ("team", "Team", 22),
        ("auditor", "Raised by", 20),
        ("raised", "Raised", 10),
        ("concern", "Concern", 60),
    )
    FLEX = "concern"
    NARROW = ("age", "stage", "case", "concern")

    def read(
        self, words: tuple[str, ...], stop: Callable[[], bool], offset: int, limit: int
    ) -> list[Any]:
        from qa_tui.store.followup_concerns import list_open_concerns

        return self.workspace.read(list_open_concerns, offset, limit, words, stop)

    def row(self, item: Any) -> Any:
        return ConcernRow(item, self.today)

    def describe(self, count: int, more: bool) -> str:
        unshared = sum(1 for i in self._items if not i.fully_shared)
        # Those not yet shared with all four come first: all of them are read once one is not.
        some = "+" if more and unshared == count else ""
        noun = "concern" if count == 1 and not more else "concerns"
        return (
            f"{count:,}{'+' if more else ''} open {noun} · {unshared:,}{some} not yet "
            "shared with all four · Enter: the notice"  # fits 80 columns; F1 gives the order
        )

    def detail(self, item: Any) -> Text | None:
        """The concern's words in full (the table cuts them at 80 columns), then who raised
        it, when, where and where it stands."""
        from qa_tui.domain.followup import concern_stage, stage_words

        c: OpenConcern = item
        stage = concern_stage(True, c.shared_roles, c.acknowledged, False)
        raised = f"raised {c.raised_on.isoformat()}" if c.raised_on else "raised (no date)"
        about = " · ".join(
            [
                f"{raised} by {c.auditor or 'an unknown auditor'}",
                c.team or "no team",
                f"case {c.case_reference}",
                _lower_first(stage_words(stage, c.shared_roles)),
            ]
        )
        return Text.assemble(
            rich_text(c.description, multiline=True, style="bold"),
            Text("\n"),
            rich_text(about, style="dim"),
        )

    def on_evaluation_list_row_selected(self, event: EvaluationList.RowSelected) -> None:
        event.stop()
        self.action_notice()

    def action_notice(self) -> None:
        from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog

        found = self.current()
        if found is not None:
            dialog = ConcernNoticeDialog(self.workspace, found.evaluation_id, self.today)
            self.app.push_screen(dialog, lambda _recorded: self.read_again())

    def action_open(self) -> None:
        found = self.current()
        if found is not None:
            self.post_message(OpenEvaluation(found.evaluation_id, found.evaluation_status))


class FindingsScreen(FollowListScreen):
    """Completed evaluations whose feedback summary is not yet shared (seed 000 §4.8)."""

    TITLE = "Findings to share"
    HELP = (
        "Completed evaluations whose feedback summary is not yet recorded as shared with the "
        "child's electronic record or the managers, the longest waiting first. Enter opens "
        "the summary, where d saves the documents and records with whom they were shared. "
        "Type to filter: by case reference, team or who evaluated it."
    )
    BINDINGS = [
        Binding("enter", "open", "Summary", id="findings.open"),
        Binding("slash", "focus_filter", "Filter", id="findings.filter"),
        Binding("escape", "back", "Back", id="findings.back"),
    ]
    COLUMNS = (
        ("completed", "Completed", 10),
        ("case", "Case ref", 14),
        ("team", "Team", 30),
        ("auditor", "Evaluated by", 30),
    )
    FLEX = "auditor"

    def read(
        self, words: tuple[str, ...], stop: Callable[[], bool], offset: int, limit: int
    ) -> list[Any]:
        from qa_tui.store.followup_concerns import list_unshared_summaries

        return self.workspace.read(list_unshared_summaries, offset, limit, words)

    def row(self, item: Any) -> Any:
        return FindingsRow(item)

    def describe(self, count: int, more: bool) -> str:
        return (
            f"{count:,}{'+' if more else ''} completed evaluations not yet shared · "
            "Enter: the summary"
        )

    def on_evaluation_list_row_selected(self, event: EvaluationList.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        found = self.current()
        if found is not None:
            self.post_message(OpenEvaluation(found.evaluation_id, "completed"))


def _lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]
