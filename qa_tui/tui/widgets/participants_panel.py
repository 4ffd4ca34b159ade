"""Who took part: each gives a scale and a rationale on every scaling item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
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
    from qa_tui.store.views import EvaluationView


class ParticipantAdder(ErrorHost, Vertical):
    """Name and role; Enter adds the participant."""

    DEFAULT_CLASSES = "adder"

    class Added(Message):
        def __init__(self, participant_id: str, name: str, role: str) -> None:
            super().__init__()
            self.participant_id = participant_id
            self.name = name
            self.role = role

    def __init__(self, ctx: EditorContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Field(placeholder="Add someone: name", classes="p-name")
            yield Field(placeholder="role (e.g. Parent) — Enter adds", classes="p-role")
        yield FieldError("participant_name", "participant_role")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name_in = self.query_one(".p-name", Input)
        role_in = self.query_one(".p-role", Input)
        name, role = name_in.value, role_in.value
        if not (name.strip() or role.strip()):
            return
        if event.input is name_in and not role.strip():
            role_in.focus()
            return

        def added(participant_id: str) -> None:
            name_in.value = role_in.value = ""
            name_in.focus()
            self.post_message(self.Added(participant_id, name.strip(), role.strip()))

        self.ctx.saver.now(
            Target("participant:add", self, "participant_name"),
            self.ctx.editor.add_participant,
            name,
            role,
        ).then(added)


class ParticipantRow(ErrorHost, Vertical):
    DEFAULT_CLASSES = "participant-row"

    def __init__(self, participant_id: str, name: str, role: str) -> None:
        super().__init__(id=f"p-{participant_id}")
        self.participant_id = participant_id
        self._values = (name, role)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield RowInput(self._values[0], placeholder="Name", classes="p-name")
            yield RowInput(self._values[1], placeholder="Role", classes="p-role")
        yield FieldError("participant_name", "participant_role")


class ParticipantsPanel(ItemWidget):
    """The participants of the evaluation: edit, remove (Ctrl+Delete), add."""

    def __init__(self, ctx: EditorContext, view: EvaluationView) -> None:
        super().__init__(ctx, id="t-participants")
        self._people = [(p.id, p.name, p.role) for p in view.participants]

    def compose(self) -> ComposeResult:
        yield label("Who took part", "prompt")
        yield label("Everyone who takes part gives a scale and a rationale.", "guidance")
        with Vertical(classes="participants"):
            for participant_id, name, role in self._people:
                yield ParticipantRow(participant_id, name, role)
        yield ParticipantAdder(self.ctx, id="f-participants")
        yield label("Ctrl+Delete removes the participant you are in", "hint")

    def first_missing(self) -> Widget | None:
        """Where to type next: a new participant's name (the rows listed are done)."""
        return self.query_one("#f-participants .p-name", Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        row = row_of(event.input, ParticipantRow)
        if row is None:
            return
        event.stop()
        if not user_edit(event):
            return
        participant_id = row.participant_id
        self.ctx.saver.later(
            Target(f"participant:{participant_id}", row, "participant_name"),
            self.ctx.editor.update_participant,
            participant_id,
            row.query_one(".p-name", Input).value,
            row.query_one(".p-role", Input).value,
        )

    def on_row_input_remove(self, event: RowInput.Remove) -> None:
        row = row_of(event.field, ParticipantRow)
        if row is None:
            return
        event.stop()
        self.remove_row(
            row,
            self.ctx.editor.remove_participant,
            row.participant_id,
            then=self.query_one(".p-name", Input).focus,
        )

    def on_participant_adder_added(self, event: ParticipantAdder.Added) -> None:
        event.stop()
        rows = self.query_one(".participants", Vertical)
        rows.mount(ParticipantRow(event.participant_id, event.name, event.role))
