"""Service-user feedback: where it came from (the item's sources), who gave it, what was said."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    ErrorHost,
    Field,
    FieldError,
    ItemWidget,
    RowInput,
    choice_select,
    label,
    row_of,
    select_value,
    user_edit,
)
from qa_tui.tui.widgets.long_field import LongField

if TYPE_CHECKING:
    from qa_tui.framework.model import Item
    from qa_tui.store.views import EvaluationView

HINT = "Enter in “what they said” adds it · Ctrl+Delete removes the feedback you are in"


class FeedbackRow(ErrorHost, Vertical):
    """One piece of feedback (``feedback_id`` empty: the row for adding a new one)."""

    DEFAULT_CLASSES = "feedback-row"

    def __init__(self, item: Item, feedback_id: str, source: str, who: str, what: str) -> None:
        super().__init__(id=f"b-{feedback_id}" if feedback_id else f"f-{item.id}-new")
        self.item = item
        self.feedback_id = feedback_id
        self._values = (source or (item.sources[0].id if item.sources else ""), who, what)
        self.source = self._values[0]  # the source saved (a Select echoes it when mounted)

    def compose(self) -> ComposeResult:
        options = [(s.label, s.id) for s in self.item.sources]
        source, who, what = self._values
        kind = RowInput if self.feedback_id else Field
        # One under the other, each as wide as the form: a long saying wraps and can be read
        # in full (a one-line box scrolled it out of sight).
        yield choice_select(options, source, classes="source")
        yield kind(who, placeholder="Who gave it (or which record)", classes="who")
        yield LongField(
            what, placeholder="What they said, or what the record shows", classes="what"
        )
        yield FieldError(self.item.id)

    def values(self) -> tuple[str, str, str]:
        return (
            select_value(self.query_one(".source", Select)),
            self.query_one(".who", Input).value,
            self.query_one(".what", LongField).text,
        )

    def clear(self) -> None:
        self.query_one(".who", Input).value = ""
        self.query_one(".what", LongField).value = ""


class FeedbackItem(ItemWidget):
    """Feedback found directly or in the record, several pieces."""

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"t-{item.id}")
        self.item = item
        self._rows = [(f.id, f.source, f.given_by, f.text) for f in view.feedback[item.id]]

    def compose(self) -> ComposeResult:
        yield label(self.item.prompt, "prompt")
        if self.item.guidance:
            yield label(self.item.guidance, "guidance")
        with Vertical(classes="feedback"):
            for feedback_id, source, who, what in self._rows:
                yield FeedbackRow(self.item, feedback_id, source, who, what)
        yield label("Add feedback", "field-label")
        yield FeedbackRow(self.item, "", "", "", "")
        yield label(HINT, "hint")

    def first_missing(self) -> Widget | None:
        """Where to type next: the new feedback's source, then who gave it."""
        return self.query_one(f"#f-{self.item.id}-new .source", Select)

    def _changed(self, row: FeedbackRow, *, at_once: bool = False) -> None:
        if not row.feedback_id:
            return
        target = Target(f"feedback:{row.feedback_id}", row, self.item.id)
        save = self.ctx.saver.now if at_once else self.ctx.saver.later
        save(target, self.ctx.editor.update_feedback, row.feedback_id, *row.values())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not user_edit(event):
            return
        row = row_of(event.input, FeedbackRow)
        if row is not None:
            self._changed(row)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        row = row_of(event.text_area, FeedbackRow)
        if row is not None:
            self._changed(row)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        row = row_of(event.select, FeedbackRow)
        if row is None or not row.feedback_id:
            return
        source = select_value(event.select)
        if source != row.source:  # not the echo of the value it was made with
            row.source = source
            self._changed(row, at_once=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        row = row_of(event.input, FeedbackRow)
        if row is not None:
            row.query_one(".what", LongField).focus()  # who gave it, then what they said

    def on_long_field_submitted(self, event: LongField.Submitted) -> None:
        event.stop()
        row = row_of(event.field, FeedbackRow)
        if row is None or row.feedback_id:
            return
        source, who, what = row.values()
        if not what.strip():
            return
        item_id = self.item.id

        def added(feedback_id: str) -> None:
            rows = self.query_one(".feedback", Vertical)
            rows.mount(FeedbackRow(self.item, feedback_id, source, who, what))
            row.clear()

        self.ctx.saver.now(
            Target(f"{item_id}:add", row, item_id),
            self.ctx.editor.add_feedback,
            item_id,
            source,
            who,
            what,
        ).then(added)

    def on_long_field_remove(self, event: LongField.Remove) -> None:
        event.stop()
        self._remove(row_of(event.field, FeedbackRow))

    def on_row_input_remove(self, event: RowInput.Remove) -> None:
        event.stop()
        self._remove(row_of(event.field, FeedbackRow))

    def _remove(self, row: FeedbackRow | None) -> None:
        if row is None or not row.feedback_id:
            return
        self.remove_row(row, self.ctx.editor.remove_feedback, row.feedback_id)
