"""Moderation side by side: the auditor's evaluation on the left, the group's on the right.

Item by item, aligned and scrolling together. First each moderator grades blind (the
auditor's grades hidden); then the group reveals them, sees every blind grade, and agrees a
grade with a rationale; then the outcome (feedback to the auditor, learning points). Keys move
item by item and evaluation by evaluation; at 80×24 one pane shows at a time (f flips).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from qa_tui.domain.moderation import OVERALL
from qa_tui.errors import QaError
from qa_tui.services.moderation import SessionService
from qa_tui.services.writer import Outcome as WriteOutcome
from qa_tui.tui.screens.side_by_side_text import (
    auditor_cell,
    grade_for_key,
    moderation_cell,
    outcome_lines,
    scale_legend,
)
from qa_tui.tui.text import literal
from qa_tui.tui.widgets.steady_footer import SteadyFooter
from qa_tui.tui.widgets.two_pane import STACK_BELOW, Cells, TwoPane

if TYPE_CHECKING:
    from qa_tui.domain.session_views import SideBySide
    from qa_tui.services.writer import Writer
    from qa_tui.tui.dialogs.agreed_grade import AgreedGrade
    from qa_tui.tui.dialogs.outcome import Outcome
    from qa_tui.workspace import Workspace

GRADE_KEYS = "0123456789"
LEFT, RIGHT = "The auditor's evaluation", "The moderation group"  # the panes' headings


class Written(Message):
    """A write of this screen has landed (``error``: why it was refused)."""

    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class SideBySideScreen(Screen[None]):
    """One session's evaluations, one at a time, moderated item by item."""

    CSS_PATH = "side_by_side.tcss"
    TITLE = "Moderation, side by side"
    HELP = (
        "Left: the auditor's evaluation, item by item (grade, evidence, Signs of Safety "
        "lists, scaling). Right: the moderation group's judgement of the same item. "
        "Blind pass first: each moderator grades every item before the auditor's grades are "
        "shown (m chooses who is grading; 1 is the best grade, 0 not applicable, backspace "
        "takes a grade back). v reveals the auditor's grades to the group, who then agree a "
        "grade (a: agree with the auditor; 1–4 or 0: the group's grade, asking why it "
        "differs; enter: change the agreed grade and why). o records the outcome: what was "
        "evidenced well, what was not, and the learning points — the auditor reads them after "
        "their next sync. Up/down move item by item, ] and [ evaluation by "
        "evaluation; in a narrow terminal f flips between the two panes."
    )
    BINDINGS = [
        Binding("right_square_bracket", "evaluation(1)", "Next evaluation", id="sbs.next"),
        Binding("left_square_bracket", "evaluation(-1)", "Previous evaluation", id="sbs.previous"),
        Binding("1", "grade('1')", "Grade", id="sbs.grade", key_display="0-4"),
        *(Binding(k, f"grade('{k}')", "Grade", show=False) for k in "023456789"),
        Binding("backspace,delete", "grade('')", "Take back", id="sbs.clear", show=False),
        Binding("m", "next_moderator", "Moderator", id="sbs.moderator"),
        Binding("v", "reveal", "Reveal", id="sbs.reveal"),
        Binding("a", "agree", "Agree", id="sbs.agree"),
        Binding("enter", "agreed_dialog", "Agreed grade", id="sbs.agreed", show=False),
        Binding("o", "outcome", "Outcome", id="sbs.outcome"),
        Binding("f", "flip", "Flip pane", id="sbs.flip"),
        Binding("escape", "back", "Back", id="sbs.back"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        writer: Writer,
        session_id: str,
        evaluation_ids: list[str],
        index: int = 0,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.writer = writer
        self.service = SessionService(workspace)
        self.session_id = session_id
        self.evaluation_ids = evaluation_ids
        self.index = index
        self.data: SideBySide | None = None
        self.acting = ""  # the moderator whose blind grades the keys record
        self._keep_cursor = False

    def compose(self) -> ComposeResult:
        self.load()  # read while the widgets are mounted and styled (its answer comes after)
        yield Header()
        yield Static("Reading the evaluation…", id="sbs-info")
        with Horizontal(id="sbs-headings"):
            yield Static(LEFT, id="heading-left")
            yield Static(RIGHT, id="heading-right")
        yield TwoPane(id="panes")
        yield Static("", id="sbs-legend")
        yield SteadyFooter()  # Textual's rebuilt itself 4-5 times as the screen opened

    def on_mount(self) -> None:
        self.query_one(TwoPane).focus()
        self.on_resize()

    def on_resize(self) -> None:
        stacked = self.size.width < STACK_BELOW
        changed = stacked != self.has_class("-stacked")
        self.query_one(TwoPane).set_stacked(stacked)
        self.set_class(stacked, "-stacked")
        # One pane at a time: its heading says how to reach the other (the footer is cut at
        # 80 columns before the flip key; a new moderator did not find the group's pane).
        flip = (f" · f: {RIGHT.lower()}", f" · f: {LEFT.lower()}") if stacked else ("", "")
        self.query_one("#heading-left", Static).update(LEFT + flip[0])
        self.query_one("#heading-right", Static).update(RIGHT + flip[1])
        if changed and self.data is not None:  # the right cells name their item when alone
            self.call_later(self._show, self.data)

    # --- reading ------------------------------------------------------------------------

    @property
    def evaluation_id(self) -> str:
        return self.evaluation_ids[self.index]

    @work(thread=True, exclusive=True, group="side-by-side")
    def load(self) -> None:
        try:
            data = self.service.side_by_side(self.session_id, self.evaluation_id)
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Cannot show", severity="error"
            )
            return
        self.app.call_from_thread(self.show, data)

    def show(self, data: SideBySide) -> None:
        self.call_later(self._show, data)

    async def _show(self, data: SideBySide) -> None:
        same = self.data is not None and self.data.evaluation.id == data.evaluation.id
        self.data = data
        ids = [m.id for m in data.moderators]
        if self.acting not in ids:
            me = " ".join(self.workspace.settings.author.split()).casefold()
            mine = [m.id for m in data.moderators if m.name.casefold() == me]
            self.acting = (mine or ids or [""])[0]
        pane = self.query_one(TwoPane)
        cursor = pane.cursor if same or self._keep_cursor else 0
        self._keep_cursor = False
        await pane.set_rows(self._rows(data), cursor)
        self._show_info(data)
        self.refresh_bindings()
        self.call_after_refresh(_settle_new)

    def _rows(self, data: SideBySide) -> list[Cells]:
        rows: list[Cells] = []
        section = ""
        scale = data.template.scale
        alone = self.has_class("-stacked")
        for item in data.left:
            heading = f"{item.section}\n" if item.section != section else ""
            section = item.section
            left = auditor_cell(item, heading)
            moderated = data.right.get(item.item_id)
            prompt = item.prompt if alone else ""
            right = moderation_cell(moderated, scale, data.hidden, self.acting, prompt)
            if item.item_id == OVERALL and not data.hidden:
                m = data.moderation
                extra = outcome_lines(m.feedback_strengths, m.feedback_gaps, m.learning_points)
                right = Content("\n").join([right, *extra])
            rows.append((left, right))
        return rows

    def _acting_name(self, data: SideBySide) -> str:
        return next((m.name for m in data.moderators if m.id == self.acting), "nobody")

    def _show_info(self, data: SideBySide) -> None:
        ev = data.evaluation
        date = ev.evaluation_date.isoformat() if ev.evaluation_date else "no date"
        head = (
            f"Case {ev.case_reference} · {ev.team or 'no team'} · evaluated by {ev.auditor} "
            f"on {date} · {data.template.name} · evaluation {self.index + 1} of "
            f"{len(self.evaluation_ids)}"
        )
        if not data.session_open:
            state = "This session is closed: read only."
        elif data.hidden:
            state = (
                f"Blind pass: grading as {self._acting_name(data)} (m: next moderator). "
                "The auditor's grades are hidden until the group reveals them (v)."
            )
        else:
            state = "Revealed: agree the group's grade (a agrees with the auditor; 1–4, 0)."
        self.query_one("#sbs-info", Static).update(literal(f"{head}\n{state}"))
        self.query_one("#sbs-legend", Static).update(
            literal(f"Grades: {scale_legend(data.template.scale)}")
        )

    # --- moving -------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.query_one(TwoPane).move(delta)

    def action_evaluation(self, delta: int) -> None:
        index = self.index + delta
        if 0 <= index < len(self.evaluation_ids) and index != self.index:
            self.index = index
            self.load()

    def action_flip(self) -> None:
        right = self.query_one(TwoPane).flip()
        self.set_class(right, "-flipped")

    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        data = self.data
        writable = data is not None and data.session_open
        if action == "next_moderator":
            return writable and data is not None and data.hidden and len(data.moderators) > 1
        if action == "reveal":
            return writable and data is not None and data.hidden
        if action in ("agree", "agreed_dialog"):
            return writable and data is not None and not data.hidden and self._current_graded()
        if action in ("grade", "outcome"):
            return writable
        if action == "flip":
            return self.has_class("-stacked")
        return True

    # --- writing ------------------------------------------------------------------------

    def _current(self) -> tuple[str, str] | None:
        """(item id, prompt) of the highlighted item, if it is graded."""
        if self.data is None:
            return None
        items = self.data.left
        cursor = self.query_one(TwoPane).cursor
        if 0 <= cursor < len(items) and items[cursor].item_id in self.data.right:
            return items[cursor].item_id, items[cursor].prompt
        return None

    def _current_graded(self) -> bool:
        return self._current() is not None

    def _submit(self, run: Callable[[], object]) -> None:
        def done(outcome: WriteOutcome[object]) -> None:
            self.post_message(Written(str(outcome.error) if outcome.error else None))

        try:
            self.writer.submit(run, done)
        except QaError as err:
            self.app.notify(str(err), severity="error")

    def on_written(self, message: Written) -> None:
        if message.error:
            self.app.notify(message.error, title="Not recorded", severity="error")
        self.load()

    def action_next_moderator(self) -> None:
        if self.data is None or not self.data.moderators:
            return
        ids = [m.id for m in self.data.moderators]
        self.acting = ids[(ids.index(self.acting) + 1) % len(ids)] if self.acting in ids else ids[0]
        self.notify(f"Grading blind as {self._acting_name(self.data)}.")
        self.call_later(self._show, self.data)

    def action_grade(self, key: str) -> None:
        data, current = self.data, self._current()
        if data is None or current is None:
            self.notify("This item is not graded: move to a graded item.", severity="warning")
            return
        grade = grade_for_key(data.template.scale, key) if key else ""
        if grade is None:
            return
        item_id = current[0]
        if data.hidden:
            template, sid, who, eid = (
                data.template,
                self.session_id,
                self.acting,
                self.evaluation_id,
            )
            self._submit(lambda: self.service.blind(template, sid, who, eid, item_id, grade))
            return
        if not grade:
            return
        auditor = data.right[item_id].auditor_grade or self._auditor_grade(item_id)
        if grade == auditor:
            self._agree(item_id, grade, "")
        else:
            self._agreed_dialog(grade)

    def _auditor_grade(self, item_id: str) -> str:
        assert self.data is not None
        return next((i.grade for i in self.data.left if i.item_id == item_id), "")

    def _agree(self, item_id: str, grade: str, rationale: str) -> None:
        assert self.data is not None
        template, sid, eid = self.data.template, self.session_id, self.evaluation_id
        self._submit(lambda: self.service.agree(template, sid, eid, item_id, grade, rationale))

    def action_agree(self) -> None:
        current = self._current()
        if current is not None:
            self._agree(current[0], self._auditor_grade(current[0]), "")

    def action_agreed_dialog(self) -> None:
        self._agreed_dialog(None)

    def _agreed_dialog(self, grade: str | None) -> None:
        from qa_tui.tui.dialogs.agreed_grade import AgreedGradeDialog

        data, current = self.data, self._current()
        if data is None or current is None:
            return
        item_id, prompt = current
        moderated = data.right[item_id]
        auditor = self._auditor_grade(item_id)

        def chosen(result: AgreedGrade | None) -> None:
            if result is not None:
                self._agree(item_id, result.grade, result.rationale)

        dialog = AgreedGradeDialog(
            prompt,
            data.template.scale,
            auditor,
            grade or moderated.agreed or auditor,
            moderated.rationale,
        )
        self.app.push_screen(dialog, chosen)

    def action_reveal(self) -> None:
        from qa_tui.tui.dialogs.confirm import ConfirmDialog

        if self.data is None:
            return
        sid, eid = self.session_id, self.evaluation_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._submit(lambda: self.service.reveal(sid, eid))

        question = (
            f"Reveal the auditor's grades of {self.data.evaluation.case_reference} to the "
            "group? Blind grades can no longer be given or changed for it."
        )
        self.app.push_screen(ConfirmDialog(question, yes="Reveal"), answered)

    def action_outcome(self) -> None:
        from qa_tui.tui.dialogs.outcome import Outcome, OutcomeDialog

        if self.data is None:
            return
        m = self.data.moderation
        current = Outcome(m.learning_points, m.feedback_strengths, m.feedback_gaps)
        sid, eid = self.session_id, self.evaluation_id

        def saved(result: Outcome | None) -> None:
            if result is not None:
                learning, strengths, gaps = (
                    result.learning_points,
                    result.feedback_strengths,
                    result.feedback_gaps,
                )
                self._submit(lambda: self.service.outcome(sid, eid, learning, strengths, gaps))

        dialog = OutcomeDialog(self.data.evaluation.case_reference, current)
        self.app.push_screen(dialog, saved)


def _settle_new() -> None:
    """Collect what opening the evaluation left, once drawn, and exempt what survives from the
    collector (as the home list does after a filter): Python's full collection otherwise fell
    on one of the first moves and walked everything made since the app last settled its heap,
    20-35 ms of a move's CPU at 100,000 evaluations (tests/benchmarks/bench_moderation.py)."""
    gc.collect()
    gc.freeze()
