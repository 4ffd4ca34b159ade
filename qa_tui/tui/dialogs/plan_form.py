"""One form for the planning screens: a plan, its review group, cases, a sample, terms of
reference, findings, a case-list file. Fields are described, not coded: each a one-line input,
a few lines of text, or a choice. The dialog returns what was typed; the screen hands it to
the service and shows the dialog again with the error if it is refused (nothing is lost)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, TextArea

from qa_tui.tui.text import SafeInput, SafeTextArea, Shown, ShownLabel, literal


@dataclass(frozen=True)
class Field:
    """One field: ``kind`` "line", "text" (several lines) or "choice" (``choices``: value,
    label); ``hint`` shows greyed in an empty one-line field."""

    name: str
    label: str
    kind: str = "line"
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Form:
    """A dialog's title, its fields, what its button says and an optional note under the
    title (e.g. a preview)."""

    title: str
    fields: tuple[Field, ...]
    confirm: str = "Save"
    note: str = ""


class PlanFormDialog(ModalScreen[dict[str, str] | None]):
    """The fields of ``form``, filled from ``values``; ctrl+s (or the button) returns them."""

    CSS_PATH = ["dialogs.tcss", "plan_form.tcss"]
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="plan_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="plan_form.save"),
    ]

    def __init__(self, form: Form, values: dict[str, str] | None = None, error: str = "") -> None:
        super().__init__(classes="dialog")
        self.form = form
        self._values = dict(values or {})
        self._error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Shown(self.form.title, classes="title")
            if self.form.note:
                yield Shown(self.form.note, classes="hint plan-note")
            with VerticalScroll(classes="form plan-form", can_focus=False):
                for field in self.form.fields:
                    yield Label(literal(field.label), classes="field-label")
                    value = self._values.get(field.name, "")
                    if field.kind == "text":
                        yield SafeTextArea(value, id=field.name, classes="outcome plan-text")
                    elif field.kind == "choice":
                        yield Select(
                            list((label, key) for key, label in field.choices),
                            value=value or field.choices[0][0],
                            allow_blank=False,
                            compact=True,
                            id=field.name,
                        )
                    else:
                        yield SafeInput(value, placeholder=field.hint, id=field.name)
            yield ShownLabel(self._error, id="plan-form-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button(self.form.confirm, id="save", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#plan-form-error").set_class(bool(self._error), "-shown")
        if self.form.fields:
            self.query_one(f"#{self.form.fields[0].name}").focus()
            # Focus scrolls the first field to the top; its label belongs above it.
            scroller = self.query_one(".plan-form", VerticalScroll)
            self.call_after_refresh(scroller.scroll_home, animate=False)

    def values(self) -> dict[str, str]:
        """What is typed and chosen, by field name."""
        out: dict[str, str] = {}
        for field in self.form.fields:
            widget = self.query_one(f"#{field.name}")
            if isinstance(widget, TextArea):
                out[field.name] = widget.text
            elif isinstance(widget, Select):
                out[field.name] = str(widget.value)
            elif isinstance(widget, Input):
                out[field.name] = widget.value
        return out

    def action_save(self) -> None:
        self.dismiss(self.values())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        last = self.form.fields[-1].name if self.form.fields else ""
        if event.input.id == last:
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)
