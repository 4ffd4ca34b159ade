"""One conflict side by side: the common ancestor and each version, with who, where, when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static, TextArea

from qa_tui.sync.conflicts import Conflict, Side
from qa_tui.tui.text import SafeTextArea, literal


@dataclass(frozen=True)
class Resolution:
    """Keep one side (``pick``: its change id) or a merged ``value``."""

    conflict_id: str
    pick: str | None = None
    value: Any = None


def describe_value(value: Any) -> str:
    """A value as a person reads it (shown through :mod:`qa_tui.tui.text` like all text)."""
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _side_text(side: Side, label: str) -> str:
    what = (
        "deleted the record"
        if side.field == "_deleted" and side.value
        else describe_value(side.value)
    )
    return f"{label} — {side.author}, device {side.device_id[:8]}, {side.wall_time[:16]}\n{what}"


class ResolveConflictDialog(ModalScreen[Resolution | None]):
    """Pick a version (or, for text, write the merged value); dismisses with a Resolution."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#pick-1"  # a choice, visibly focused (not the scrolling list of versions)
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="resolve.cancel")]

    def __init__(self, conflict: Conflict) -> None:
        super().__init__(classes="dialog")
        self.conflict = conflict

    @property
    def _text_merge(self) -> bool:
        return self.conflict.kind == "edit" and all(
            isinstance(side.value, str) for side in self.conflict.sides
        )

    def compose(self) -> ComposeResult:
        c = self.conflict
        field = c.field.strip("_").replace("_", " ")
        with Vertical(classes="panel"):
            yield Static(
                literal(
                    f"Conflict on {c.case_reference}: {c.entity_type.replace('_', ' ')} — {field}"
                ),
                classes="title",
            )
            with VerticalScroll(classes="sides"):
                if c.ancestor is not None:
                    yield Static(
                        literal(_side_text(c.ancestor, "Before both changes")), classes="hint"
                    )
                for number, side in enumerate(c.sides, start=1):
                    label = f"Version {number}" + (" (shown meanwhile)" if number == 1 else "")
                    yield Static(literal(_side_text(side, label)), classes="side")
                    yield Button(f"Keep version {number}", id=f"pick-{number}", compact=True)
            if self._text_merge:
                yield Label("Or write the merged text", classes="field-label")
                yield SafeTextArea(str(c.sides[0].value), id="merged", soft_wrap=True)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                if self._text_merge:
                    yield Button("Use merged text", id="merge", variant="primary", compact=True)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("pick-"):
            side = self.conflict.sides[int(button.removeprefix("pick-")) - 1]
            self.dismiss(Resolution(self.conflict.id, pick=side.change_id))
        elif button == "merge":
            text = self.query_one("#merged", TextArea).text
            self.dismiss(Resolution(self.conflict.id, value=text))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
