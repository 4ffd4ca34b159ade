"""A judgement with prompts: the graded item, then the examples to look for under it.

The judgement is an ordinary :class:`~qa_tui.tui.widgets.grade_item.GradeItem` (grade,
evidence, not applicable with a reason). Below it, the prompts are one list, one Tab stop:
↑/↓ move, ``s`` / ``n`` / ``a`` mark the example seen, not seen or not applicable (and move
on), ``e`` or Enter gives it evidence, Delete clears the mark. ``x`` marks a stage the case has
not reached as not applicable with the template's reason, in one key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from qa_tui.framework.model import NOT_APPLICABLE
from qa_tui.tui.text import literal
from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import EditorContext, FieldError, ItemWidget, label
from qa_tui.tui.widgets.grade_item import GradeItem

if TYPE_CHECKING:
    from textual import events

    from qa_tui.framework.model import Item, Prompt
    from qa_tui.store.views import EvaluationView

# The mark's shape and word: never colour alone.
MARK_SHOWN = {
    "": ("·", "not marked"),
    "seen": ("✓", "seen"),
    "not_seen": ("✗", "not seen"),
    NOT_APPLICABLE: ("–", "n/a"),
}
KEYS_HINT = "↑/↓ move · s seen · n not seen · a n/a · e evidence · Del clears"
STAGE_HINT = KEYS_HINT + " · x: the case has not reached this stage"


class PromptRow(Horizontal):
    """One example: its mark (a shape and a word, never colour alone), then its words and
    its evidence if any, the words hanging beside the mark."""

    DEFAULT_CLASSES = "prompt-row"

    def __init__(self, prompt: Prompt, mark: str, evidence: str) -> None:
        super().__init__(id=f"t-{prompt.id}")
        self.prompt = prompt
        self.mark = mark
        self.evidence = evidence

    def compose(self) -> ComposeResult:
        yield Static(classes="mark")
        yield Static(classes="words")

    def on_mount(self) -> None:
        self.refresh_row()

    def refresh_row(self) -> None:
        shape, word = MARK_SHOWN.get(self.mark, ("?", self.mark))
        self.query_one(".mark", Static).update(f"{shape} {word}")
        words: list[Content | tuple[str, str]] = [literal(self.prompt.prompt)]
        if self.evidence.strip():
            words += [("\nEvidence: ", "italic"), literal(self.evidence)]
        self.query_one(".words", Static).update(Content.assemble(*words))
        for mark in MARK_SHOWN:
            self.set_class(self.mark == mark, f"-{mark or 'none'}")

    def on_click(self, event: events.Click) -> None:
        self.reveal()

    def reveal(self) -> None:
        """Focus the list this example is in, with the cursor on it (a click, or the review
        going to an example still to be marked)."""
        parent = self.parent
        if isinstance(parent, PromptList):
            parent.focus()
            parent.cursor = parent.rows.index(self)


class PromptList(Vertical, can_focus=True):
    """The examples of one judgement, marked with single keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next example", show=False),
        Binding("up", "move(-1)", "Previous example", show=False),
        Binding("s", "mark('seen')", "Seen", id="prompts.seen"),
        Binding("n", "mark('not_seen')", "Not seen", id="prompts.not_seen"),
        Binding("a", "mark('not_applicable')", "N/A", id="prompts.not_applicable"),
        Binding("e,enter", "evidence", "Evidence", id="prompts.evidence"),
        Binding("delete,backspace", "mark('')", "Clear mark", id="prompts.clear", show=False),
    ]
    cursor: reactive[int] = reactive(0)

    class Marked(Message):
        """A mark or evidence was asked for on ``row`` (the item saves it)."""

        def __init__(self, row: PromptRow, mark: str | None) -> None:
            super().__init__()
            self.row = row
            self.mark = mark  # None: evidence

    @property
    def rows(self) -> list[PromptRow]:
        return list(self.query_children(PromptRow))

    def watch_cursor(self, cursor: int) -> None:
        rows = self.rows
        for index, row in enumerate(rows):
            row.set_class(index == cursor, "-cursor")
        if rows and self.has_focus:
            # After the layout: a row mounted or re-focused this frame has no place yet.
            row = rows[min(cursor, len(rows) - 1)]
            self.call_after_refresh(row.scroll_visible, animate=False)

    def on_focus(self) -> None:
        self.watch_cursor(self.cursor)

    def action_move(self, offset: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + offset))

    def action_mark(self, mark: str) -> None:
        rows = self.rows
        if rows:
            self.post_message(self.Marked(rows[self.cursor], mark))
            if mark:
                self.action_move(1)

    def action_evidence(self) -> None:
        rows = self.rows
        if rows:
            self.post_message(self.Marked(rows[self.cursor], None))

    @property
    def current(self) -> Prompt | None:
        rows = self.rows
        return rows[self.cursor].prompt if rows else None


class PromptsItem(ItemWidget):
    """A graded judgement and the prompts under it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "not_reached", "Stage not reached", id="prompts.not_reached"),
    ]

    class Reload(Message):
        """Ask the screen to read the section again (after a change of several fields)."""

        def __init__(self, focus: str) -> None:
            super().__init__()
            self.focus = focus

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"j-{item.id}", classes="item judgement")
        self.item = item
        self._view = view
        self._answers = {
            p.id: (r.grade, r.evidence) if (r := view.responses.get(p.id)) else ("", "")
            for p in item.prompts
        }

    def compose(self) -> ComposeResult:
        yield GradeItem(self.ctx, self.item, self._view)
        count = len(self.item.prompts)
        yield label(f"Examples to look for ({count}): a guide, not a checklist", "field-label")
        if self.item.stage:
            yield Static(STAGE_HINT, classes="hint")
        else:
            yield Static(KEYS_HINT, classes="hint")
        with PromptList(id=f"f-{self.item.id}-prompts", classes="prompts"):
            for prompt in self.item.prompts:
                yield PromptRow(prompt, *self._answers[prompt.id])
        yield FieldError(*(p.id for p in self.item.prompts), f"{self.item.id}:prompts")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "not_reached":
            return self.item.stage and not self.ctx.read_only
        return True

    def on_prompt_list_marked(self, message: PromptList.Marked) -> None:
        message.stop()
        if self.ctx.read_only:
            self.notify("This evaluation is completed and read-only.")
            return
        row = message.row
        if message.mark is None:
            self._ask_evidence(row)
            return
        row.mark = message.mark
        row.refresh_row()
        prompt_id = row.prompt.id
        self.ctx.saver.now(
            Target(f"{prompt_id}:mark", self, prompt_id),
            self.ctx.editor.set_prompt_mark,
            prompt_id,
            message.mark,
        )

    def _ask_evidence(self, row: PromptRow) -> None:
        from qa_tui.tui.dialogs.prompt_evidence import PromptEvidenceDialog

        def given(text: str | None) -> None:
            if text is None or text == row.evidence:
                return
            row.evidence = text
            row.refresh_row()
            prompt_id = row.prompt.id
            self.ctx.saver.now(
                Target(f"{prompt_id}:evidence", self, prompt_id),
                self.ctx.editor.set_prompt_evidence,
                prompt_id,
                text,
            )

        self.app.push_screen(PromptEvidenceDialog(row.prompt.prompt, row.evidence), given)

    def action_not_reached(self) -> None:
        item_id = self.item.id
        focus = f"f-{item_id}-prompts"
        self.ctx.saver.now(
            Target(f"{item_id}:grade", self, item_id), self.ctx.editor.mark_not_reached, item_id
        ).then(lambda _: self.post_message(self.Reload(focus)))
