"""Draw a random sample of completed evaluations for a session, with a recorded seed."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from qa_tui.domain.sampling import EvaluationFilter
from qa_tui.errors import ValidationError
from qa_tui.tui.text import SafeInput, ShownLabel, literal

FIELDS = (
    ("period", "Period: 2026, 2026-Q3, 2026-10 or 2026-01-01..2026-06-30 (empty: any)"),
    ("service_area", "Service area (empty: any)"),
    ("team", "Team (empty: any)"),
    ("template_id", "Template id (empty: any)"),
    ("grade", "Overall grade id, e.g. good (empty: any)"),
    ("size", "How many"),
    ("seed", "Seed (keep it: the same seed draws the same sample)"),
)


@dataclass(frozen=True)
class SampleRequest:
    values: dict[str, str]  # what was typed, to show the dialog again after an error
    filter: EvaluationFilter
    size: int
    seed: int


def parse_request(values: dict[str, str]) -> SampleRequest:
    """The request from the typed values (a :class:`ValidationError` naming the field)."""
    from qa_tui.reports.period import parse_period

    start = end = None
    label = ""
    if values.get("period", "").strip():
        period = parse_period(values["period"])
        start, end, label = period.start, period.end, period.label
    numbers = {}
    for name in ("size", "seed"):
        text = values.get(name, "").strip()
        if not text.isdigit():
            raise ValidationError(f"{name.capitalize()}: a whole number", field=name)
        numbers[name] = int(text)
    flt = EvaluationFilter(
        start,
        end,
        values.get("service_area", "").strip(),
        values.get("team", "").strip(),
        values.get("template_id", "").strip(),
        values.get("grade", "").strip(),
        label,
    )
    return SampleRequest(values, flt, numbers["size"], numbers["seed"])


class SampleDialog(ModalScreen[SampleRequest | None]):
    """The filter, the size and the seed; the caller draws and records the sample."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#period"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="sample.cancel"),
        Binding("ctrl+s", "save", "Draw", id="sample.save"),
    ]

    def __init__(self, values: dict[str, str], error: str = "") -> None:
        super().__init__(classes="dialog")
        self._values = values
        self._error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Static("Sample completed evaluations at random", classes="title")
            with VerticalScroll(classes="form"):
                for name, label in FIELDS:
                    yield Label(literal(label), classes="field-label")
                    yield SafeInput(self._values.get(name, ""), id=name)
            yield ShownLabel(self._error, id="sample-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Draw", id="save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sample-error").set_class(bool(self._error), "-shown")
        # At 80×24 the form scrolls: focusing the first field scrolled its label out of view.
        form = self.query_one(".form", VerticalScroll)
        self.call_after_refresh(form.scroll_home, animate=False)

    def action_save(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value for name, _label in FIELDS}
        try:
            request = parse_request(values)
        except ValidationError as err:
            error = self.query_one("#sample-error", Label)
            error.update(str(err))
            error.add_class("-shown")
            if err.field:
                self.query_one(f"#{err.field}", Input).focus()
            return
        self.dismiss(request)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "seed":
            self.action_save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
