"""Who took part: each gives a scale and a rationale on every scaling item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input

from qa_tui.domain.evaluation import add_participant, remove_participant, update_participant
from qa_tui.tui.widgets.autosave import SaveJob
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
    from qa_tui.domain.views import EvaluationView


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
        eid = self.ctx.evaluation_id

        def added(pid: str) -> None:
            name_in.value = role_in.value = ""
            name_in.focus()
            self.post_message(self.Added(pid, name.strip(), role.strip()))

        run = lambda ws: ws.write(add_participant, eid, name, role)  # noqa: E731
        self.ctx.saver.submit(SaveJob("participant:add", run, self, "participant_name", added))


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
            for pid, name, role in self._people:
                yield ParticipantRow(pid, name, role)
        yield ParticipantAdder(self.ctx, id="f-participants")
        yield label("Ctrl+Delete removes the participant you are in", "hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        row = row_of(event.input, ParticipantRow)
        if row is None:
            return
        event.stop()
        if not user_edit(event):
            return
        pid = row.participant_id
        name_in, role_in = row.query_one(".p-name", Input), row.query_one(".p-role", Input)

        def make() -> SaveJob:
            name, role = name_in.value, role_in.value
            run = lambda ws: ws.write(update_participant, pid, name, role)  # noqa: E731
            return SaveJob(f"participant:{pid}", run, row, "participant_name")

        self.ctx.saver.schedule(f"participant:{pid}", make)

    def on_row_input_remove(self, event: RowInput.Remove) -> None:
        row = row_of(event.field, ParticipantRow)
        if row is None:
            return
        event.stop()
        pid = row.participant_id
        run = lambda ws: ws.write(remove_participant, pid)  # noqa: E731
        self.ctx.saver.submit(SaveJob(f"participant:{pid}:remove", run, row, "", self._gone(row)))

    def _gone(self, row: ParticipantRow):  # type: ignore[no-untyped-def]
        def after(_: object) -> None:
            row.remove()
            self.query_one(".p-name", Input).focus()

        return after

    def on_participant_adder_added(self, event: ParticipantAdder.Added) -> None:
        event.stop()
        rows = self.query_one(".participants", Vertical)
        rows.mount(ParticipantRow(event.participant_id, event.name, event.role))
