"""A completed evaluation as a clean one-page summary (read-only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from qa_tui.errors import QaError
from qa_tui.tui.messages import EvaluationsChanged, OpenEvaluation
from qa_tui.tui.screens.summary_text import SummaryData, read_summary
from qa_tui.tui.text import line, literal

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace


class SummaryScreen(Screen[None]):
    """The one-page summary; ``r`` reopens (asks why), ``n`` shows the concern notice."""

    CSS_PATH = "summary.tcss"
    TITLE = "Evaluation summary"
    HELP = (
        "A completed evaluation is read-only. Reopen it (r) to change it: you are asked why, "
        "and the reason is recorded. If it records an immediate concern, n shows the written "
        "notice for the practitioner, team manager, service manager and Director of Social "
        "Care, saves it as HTML, Word, Markdown or an email draft, and records with whom and "
        "when it was shared, its acknowledgement and closure. d shares the findings: the "
        "feedback summary for the child's electronic record and the managers, saved as HTML, "
        "Word or Markdown (in the documents folder), and with whom it was shared."
    )
    BINDINGS = [
        Binding("e,escape", "back", "Back", id="summary.back"),
        Binding("r", "reopen", "Reopen", id="summary.reopen"),
        Binding("n", "notice", "Concern notice", id="summary.notice"),
        Binding("d", "findings", "Share findings", id="summary.findings"),
    ]

    def __init__(self, workspace: Workspace, evaluation_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.evaluation_id = evaluation_id
        self.data: SummaryData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-page"):
            yield Static("Reading the evaluation…", id="summary-loading")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary-page").focus()
        self.load()

    @work(thread=True, exclusive=True, group="summary")
    def load(self) -> None:
        try:
            data = read_summary(self.workspace, self.evaluation_id)
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Cannot show", severity="error"
            )
            return
        self.app.call_from_thread(self.show, data)

    def show(self, data: SummaryData) -> None:
        self.call_later(self._show, data)

    async def _show(self, data: SummaryData) -> None:
        self.data = data
        self.sub_title = line(data.case_reference, 40)
        page = self.query_one("#summary-page", VerticalScroll)
        await page.remove_children()
        await page.mount_all(
            [Static(literal(text), classes=f"block {kind}") for kind, text in data.blocks]
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return self.data is not None and self.data.status == "completed"
        if action == "notice":
            return self.data is not None and self.data.immediate_concern
        if action == "findings":
            return self.data is not None and self.data.status == "completed"
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_notice(self) -> None:
        from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog

        def done(recorded: bool | None) -> None:
            if recorded:
                self.load()

        today = self.workspace.clock().date()
        self.app.push_screen(ConcernNoticeDialog(self.workspace, self.evaluation_id, today), done)

    def action_findings(self) -> None:
        from qa_tui.tui.dialogs.summary_documents import SummaryDocumentsDialog

        def done(recorded: bool | None) -> None:
            if recorded:
                self.load()

        today = self.workspace.clock().date()
        self.app.push_screen(
            SummaryDocumentsDialog(self.workspace, self.evaluation_id, today), done
        )

    def action_reopen(self) -> None:
        from qa_tui.tui.dialogs.reopen import ReopenDialog

        if self.data is None:
            return

        def reopen_with(reason: str | None) -> None:
            if reason:
                self.reopen(reason)

        self.app.push_screen(ReopenDialog(self.data.case_reference), reopen_with)

    @work(thread=True, exclusive=True, group="summary-write")
    def reopen(self, reason: str) -> None:
        from qa_tui.domain.lifecycle import reopen

        try:
            self.workspace.write(reopen, self.evaluation_id, reason)
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Not reopened", severity="error"
            )
            return
        self.app.call_from_thread(self._reopened)

    def _reopened(self) -> None:
        self.notify("Reopened: the reason is recorded with the evaluation.", title="Reopened")
        # To the app, not to this screen, which is closing.
        self.app.post_message(EvaluationsChanged())
        self.app.post_message(OpenEvaluation(self.evaluation_id, "reopened"))
        self.dismiss(None)
