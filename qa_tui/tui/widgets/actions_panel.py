"""Actions agreed: what, who owns it, by when; tracked to completion later."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input

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

if TYPE_CHECKING:
    from qa_tui.services.editor import ActionField
    from qa_tui.store.views import EvaluationView

FIELDS: tuple[ActionField, ...] = ("description", "owner", "due_date")
HINT = "Enter in the new action's fields adds it · Ctrl+Delete removes the action you are in"


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
        with Horizontal(classes="row"):
            yield kind(what, placeholder="What needs to be done", classes="description")
            yield kind(owner, placeholder="Who owns it", classes="owner")
            yield kind(due, placeholder="Due YYYY-MM-DD", classes="due_date")
        yield FieldError("action_description", "action_owner", "action_due_date")

    def value(self, field: str) -> str:
        return self.query_one(f".{field}", Input).value


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

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not user_edit(event):
            return
        row = row_of(event.input, ActionRow)
        if row is None or not row.action_id:
            return
        field = next(f for f in FIELDS if event.input.has_class(f))
        self.ctx.saver.later(
            Target(f"action:{row.action_id}:{field}", row, f"action_{field}"),
            self.ctx.editor.update_action,
            row.action_id,
            field,
            event.input.value,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        row = row_of(event.input, ActionRow)
        if row is None or row.action_id:
            return
        what, owner, due = (row.value(f) for f in FIELDS)
        if not what.strip():
            row.query_one(".description", Input).focus()
            return

        def added(action_id: str) -> None:
            self.query_one(".actions", Vertical).mount(ActionRow(action_id, what, owner, due))
            for field in FIELDS:
                row.query_one(f".{field}", Input).value = ""
            row.query_one(".description", Input).focus()

        self.ctx.saver.now(
            Target("action:add", row, "action_description"),
            self.ctx.editor.add_action,
            what,
            owner,
            due,
        ).then(added)

    def on_row_input_remove(self, event: RowInput.Remove) -> None:
        event.stop()
        row = row_of(event.field, ActionRow)
        if row is None or not row.action_id:
            return
        self.remove_row(row, self.ctx.editor.remove_action, row.action_id)
