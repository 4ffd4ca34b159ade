"""Which other evaluation of the same case to compare with."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from qa_tui.tui.text import rich_text

if TYPE_CHECKING:
    from qa_tui.domain.session_views import CaseEvaluation


def who(evaluation: object) -> str:
    """ "Auditor, date" of an evaluation (its row or its record)."""
    date = getattr(evaluation, "evaluation_date", None)
    when = date.isoformat() if date else "no date"
    return f"{getattr(evaluation, 'auditor', '')}, {when}"


class ChooseOther(ModalScreen[str | None]):
    """Which other evaluation of the case to compare with."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choose_other.cancel")]

    def __init__(self, others: list[CaseEvaluation]) -> None:
        super().__init__(classes="dialog")
        self._others = others

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel"):
            yield Static("Compare with which evaluation of this case?", classes="title")
            yield OptionList(
                *(
                    Option(rich_text(f"{who(e)} · {e.template_id} · {e.status}"), id=e.id)
                    for e in self._others
                )
            )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def choose_other(
    app: App[object], others: list[CaseEvaluation], then: Callable[[str | None], None]
) -> None:
    """Ask which evaluation to compare with (none to ask when there is only one)."""
    if len(others) == 1:
        then(others[0].id)
    else:
        app.push_screen(ChooseOther(others), then)
