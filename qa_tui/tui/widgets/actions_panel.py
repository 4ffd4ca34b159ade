"""Actions agreed: what, who owns it, by when; tracked to completion later."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, TextArea

from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    ErrorHost,
    Field,
    FieldError,
    ItemWidget,
    RowInput,
    label,
    row_of,
    user_edit,
)
from qa_tui.tui.widgets.long_field import LongField

if TYPE_CHECKING:
    from qa_tui.services.editor import ActionField
    from qa_tui.store.views import EvaluationView

FIELDS: tuple[ActionField, ...] = ("description", "owner", "due_date")
HINT = "Enter in “who” or “due” adds the new action · Ctrl+Delete removes the action you are in"


class ActionRow(ErrorHost, Vertical):
    """One action (``action_id`` empty: the row for adding one)."""

    DEFAULT_CLASSES = "action-row"

    def __init__(self, action_id: str, what: str, owner: str, due: dt.date | str | None) -> None:
        super().__init__(id=f"a-{action_id}" if action_id else "f-actions-new")
        self.action_id = action_id
        self._values = (what, owner, due.isoformat() if isinstance(due, dt.date) else due or "")

    def compose(self) -> ComposeResult:
        kind = RowInput if self.action_id else Field
        what, owner, due = self._values
        # What needs doing gets the whole width and grows; who and when share a line below.
        yield LongField(what, placeholder="What needs to be done", classes="description")
        with Horizontal(classes="row"):
            yield kind(owner, placeholder="Who owns it", classes="owner")
            yield kind(due, placeholder="Due YYYY-MM-DD", classes="due_date")
        yield FieldError("action_description", "action_owner", "action_due_date")

    def value(self, field: str) -> str:
        if field == "description":
            return self.query_one(".description", LongField).text
        return self.query_one(f".{field}", Input).value

    def clear(self) -> None:
        self.query_one(".description", LongField).value = ""
        for field in ("owner", "due_date"):
            self.query_one(f".{field}", Input).value = ""


class ActionsPanel(ItemWidget):
    """The evaluation's actions."""

    def __init__(self, ctx: EditorContext, view: EvaluationView) -> None:
        super().__init__(ctx, id="t-actions")
        self._rows = [(a.id, a.description, a.owner, a.due_date) for a in view.actions]

    def compose(self) -> ComposeResult:
        yield label("Actions agreed", "prompt")
        yield label("What needs to be done, who owns it and by when.", "guidance")
        with Vertical(classes="actions"):
            for row in self._rows:
                yield ActionRow(*row)
        yield label("New action", "field-label")
        yield ActionRow("", "", "", None)
        yield label(HINT, "hint")

    def first_missing(self) -> Widget | None:
        """Where to type next: the first action not yet complete, else a new one."""
        for row in self.query(ActionRow):
            if row.action_id and not all(row.value(f).strip() for f in FIELDS):
                return next(row.query_one(f".{f}") for f in FIELDS if not row.value(f).strip())
        return self.query_one("#f-actions-new .description", LongField)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if user_edit(event):
            self._changed(event.input)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._changed(event.text_area)

    def _changed(self, field_widget: Input | TextArea) -> None:
        row = row_of(field_widget, ActionRow)
        if row is None or not row.action_id:
            return
        field = next(f for f in FIELDS if field_widget.has_class(f))
        self.ctx.saver.later(
            Target(f"action:{row.action_id}:{field}", row, f"action_{field}"),
            self.ctx.editor.update_action,
            row.action_id,
            field,
            row.value(field),
        )

    def on_long_field_submitted(self, event: LongField.Submitted) -> None:
        event.stop()
        row = row_of(event.field, ActionRow)
        if row is not None:
            row.query_one(".owner", Input).focus()  # what, then who owns it

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        row = row_of(event.input, ActionRow)
        if row is None or row.action_id:
            return
        what, owner, due = (row.value(f) for f in FIELDS)
        if not what.strip():
            row.query_one(".description", LongField).focus()
            return

        def added(action_id: str) -> None:
            self.query_one(".actions", Vertical).mount(ActionRow(action_id, what, owner, due))
            row.clear()
            row.query_one(".description", LongField).focus()

        self.ctx.saver.now(
            Target("action:add", row, "action_description"),
            self.ctx.editor.add_action,
            what,
            owner,
            due,
        ).then(added)

    def on_long_field_remove(self, event: LongField.Remove) -> None:
        event.stop()
        self._remove(row_of(event.field, ActionRow))

    def on_row_input_remove(self, event: RowInput.Remove) -> None:
        event.stop()
        self._remove(row_of(event.field, ActionRow))

    def _remove(self, row: ActionRow | None) -> None:
        if row is None or not row.action_id:
            return
        self.remove_row(row, self.ctx.editor.remove_action, row.action_id)
