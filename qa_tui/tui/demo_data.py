"""Demo data in the app: loading it on an empty laptop, and removing it in one step.

Mixed into the app (:class:`~qa_tui.tui.app.QaApp`), which routes the palette's and the home
screen's requests here. The work runs in workers through :mod:`qa_tui.demo`; the user is told
what happened, and removal asks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from qa_tui.errors import QaError
from qa_tui.tui import messages as msg

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace


class DemoData(App[Any]):
    """Load and remove demo data (the app supplies ``_workspace_or_say``)."""

    def _workspace_or_say(self) -> Workspace | None:  # the app's
        raise NotImplementedError

    def on_load_demo(self, _: msg.LoadDemo) -> None:
        ws = self._workspace_or_say()
        if ws is not None:
            self.load_demo(ws)

    @work(thread=True, exclusive=True, group="demo")
    def load_demo(self, ws: Workspace) -> None:
        from qa_tui.demo import ensure_demo

        try:
            made = ensure_demo(ws)
        except QaError as err:
            self.call_from_thread(self.notify, str(err), title="No demo data", severity="error")
            made = False
        if not made:
            self.call_from_thread(
                self.notify, "Demo data was not loaded: the database is not empty."
            )
        else:
            self.call_from_thread(
                self.notify,
                "40 fictional evaluations loaded to look around. Each is marked “demo” and "
                "never sent to the QA team; ctrl+p, “Remove demo data” takes them away.",
                title="Demo data loaded",
                timeout=12,
            )
        self.call_from_thread(self.post_message, msg.EvaluationsChanged())

    def on_remove_demo(self, _: msg.RemoveDemo) -> None:
        ws = self._workspace_or_say()
        if ws is not None:
            self.count_demo(ws)

    @work(thread=True, exclusive=True, group="demo")
    def count_demo(self, ws: Workspace) -> None:
        from qa_tui.store.queries import demo_evaluation_ids

        count = len(ws.read(demo_evaluation_ids))
        self.call_from_thread(self._confirm_remove_demo, ws, count)

    def _confirm_remove_demo(self, ws: Workspace, count: int) -> None:
        from qa_tui.tui.dialogs.confirm import ConfirmDialog

        if not count:
            self.notify("There is no demo data in this database.")
            return
        noun = "evaluation" if count == 1 else "evaluations"
        question = (
            f"Remove the {count} demo {noun} and the demo's plans and board programme? They "
            "are fictional; your own evaluations and plans are not touched."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_demo(ws)

        self.push_screen(ConfirmDialog(question, yes="Remove demo data"), answered)

    @work(thread=True, exclusive=True, group="demo")
    def remove_demo(self, ws: Workspace) -> None:
        from qa_tui.demo import remove_demo

        try:
            with ws.store.session() as session:
                removed = remove_demo(session)
        except QaError as err:
            self.call_from_thread(self.notify, str(err), title="Not removed", severity="error")
            return
        self.call_from_thread(self.notify, removed.summary().capitalize() + ".")
        self.call_from_thread(self.post_message, msg.EvaluationsChanged())
