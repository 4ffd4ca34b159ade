"""Choose completed evaluations for a moderation session by hand, from a filtered list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from qa_tui.tui.text import SafeInput, rich_text

if TYPE_CHECKING:
    from qa_tui.services.moderation import Candidate


def describe(c: Candidate) -> str:
    date = c.evaluation_date.isoformat() if c.evaluation_date else "no date"
    parts = [c.case_reference, date, c.team or "no team", c.auditor, c.overall_grade or "—"]
    return " · ".join(" ".join(p.split()) for p in parts)


class PickEvaluationsDialog(ModalScreen[list[str] | None]):
    """Type to filter, space to choose, ctrl+s to add the chosen ones."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#pick-filter"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        Binding("ctrl+s", "save", "Add chosen", id="pick.save"),
    ]

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__(classes="dialog")
        self._candidates = candidates
        self._chosen: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Static("Add completed evaluations to the session", classes="title")
            yield SafeInput(
                placeholder="filter: case reference, team, auditor, grade…", id="pick-filter"
            )
            yield SelectionList[str](id="pick-list")
            yield Static("", id="pick-count", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add chosen", id="save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        words = text.casefold().split()
        listing = self.query_one(SelectionList)
        listing.clear_options()
        shown = [c for c in self._candidates if all(w in describe(c).casefold() for w in words)]
        listing.add_options(
            [Selection(rich_text(describe(c)), c.id, c.id in self._chosen) for c in shown[:300]]
        )
        self._count(len(shown))

    def _count(self, shown: int) -> None:
        chosen = len(self._chosen)
        total = len(self._candidates)
        self.query_one("#pick-count", Static).update(
            f"{chosen} chosen · showing {shown} of {total} · space chooses, ctrl+s adds"
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(SelectionList).focus()

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[str]
    ) -> None:
        value = event.selection.value
        self._chosen.symmetric_difference_update({value})
        self._count(self.query_one(SelectionList).option_count)

    def action_save(self) -> None:
        order = [c.id for c in self._candidates if c.id in self._chosen]
        self.dismiss(order or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
