"""Two evaluations of one case side by side: two auditors of one case, or a year apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from qa_tui.errors import QaError
from qa_tui.services.moderation import SessionService
from qa_tui.tui.dialogs.choose_other import choose_other, who
from qa_tui.tui.screens.side_by_side_text import auditor_cell
from qa_tui.tui.text import literal
from qa_tui.tui.widgets.two_pane import STACK_BELOW, Cells, TwoPane

if TYPE_CHECKING:
    from qa_tui.domain.session_views import Comparison
    from qa_tui.workspace import Workspace


class CompareScreen(Screen[None]):
    """Two evaluations of one case, aligned item by item."""

    CSS_PATH = "side_by_side.tcss"
    TITLE = "Two evaluations of one case"
    HELP = (
        "Two evaluations of the same case, item by item: two auditors of one case, or the "
        "case evaluated a year apart. Up/down move item by item; in a narrow terminal f flips "
        "between the two."
    )
    BINDINGS = [
        Binding("f", "flip", "Flip pane", id="compare.flip"),
        Binding("escape", "back", "Back", id="compare.back"),
    ]

    def __init__(self, workspace: Workspace, first: str, second: str) -> None:
        super().__init__()
        self.service = SessionService(workspace)
        self.first, self.second = first, second
        self.data: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading both evaluations…", id="sbs-info")
        with Horizontal(id="sbs-headings"):
            yield Static("", id="heading-left")
            yield Static("", id="heading-right")
        yield TwoPane(id="panes")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TwoPane).focus()
        self.on_resize()
        self.load()

    def on_resize(self) -> None:
        stacked = self.size.width < STACK_BELOW
        self.query_one(TwoPane).set_stacked(stacked)
        self.set_class(stacked, "-stacked")

    @work(thread=True, exclusive=True, group="compare")
    def load(self) -> None:
        try:
            data = self.service.compare(self.first, self.second)
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Cannot compare", severity="error"
            )
            return
        self.app.call_from_thread(self.call_later, self._show, data)

    async def _show(self, data: Comparison) -> None:
        self.data = data
        rows: list[Cells] = [(auditor_cell(a), auditor_cell(b)) for a, b in data.rows]
        await self.query_one(TwoPane).set_rows(rows)
        self.query_one("#heading-left", Static).update(literal(who(data.first)))
        self.query_one("#heading-right", Static).update(literal(who(data.second)))
        info = f"Case {data.first.case_reference}: two evaluations, aligned item by item"
        self.query_one("#sbs-info", Static).update(literal(info))

    def action_move(self, delta: int) -> None:
        self.query_one(TwoPane).move(delta)

    def action_flip(self) -> None:
        self.set_class(self.query_one(TwoPane).flip(), "-flipped")

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = ["CompareScreen", "choose_other"]
