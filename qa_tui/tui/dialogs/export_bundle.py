"""Export for the QA team: this laptop's work as one encrypted bundle file, from the app.

The same hand-over as ``qa-tui export`` (:mod:`qa_tui.sync.handover`): every evaluation the
central database may lack, encrypted to the QA team's public key and signed by this laptop.
Demo evaluations stay behind (the command line's ``--include-demo`` is for tests and
training; the dialog has no such choice, and its result does not name the flag); the result
says how many.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from qa_tui.errors import QaError
from qa_tui.tui.commands import KnowsItsDatabase
from qa_tui.tui.messages import ChangeSettings
from qa_tui.tui.text import SafeInput, ShownLabel

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace


ON_CENTRAL = (
    "This is the QA team's central database: laptops export bundles for it, and they are "
    "merged here (Sync screen, ctrl+g). There is nothing here to export."
)


def default_bundle_path(workspace: Workspace) -> str:
    """Where the bundle goes unless the user says otherwise: their home folder, dated
    (written ``~/…``, shorter to read; expanded when the bundle is written)."""
    day = workspace.clock().date().isoformat()
    return f"~/qa-tui-handover-{day}.qab"


class ExportDialog(ModalScreen[None]):
    """Ask for the QA team's key and where to write the bundle, then write it (a worker)."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#qa-key"
    HELP = (
        "Hand this laptop's work to the QA team without a network: a bundle file, encrypted "
        "so only the QA team can read it and signed by this laptop, to carry on a USB stick "
        "or send by secure email. The QA team merges it on the QA desk. Demo "
        "evaluations are never included."
    )
    BINDINGS = [
        Binding("escape", "close", "Close", id="export.close"),
        Binding("ctrl+s", "export", "Export", id="export.export"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(classes="dialog")
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        settings = self.workspace.settings
        with Vertical(classes="panel wide"):
            yield Static("Export for the QA team", classes="title")
            yield Static(
                "A bundle file of the evaluations the QA team does not have yet, encrypted "
                "for the QA team and signed by this laptop (demo evaluations stay here).",
                classes="hint",
            )
            yield Label(
                "The QA team's public key file (they give it to you)", classes="field-label"
            )
            yield SafeInput(
                settings.qa_public_key, placeholder="e.g. /media/usb/qa_key.pub", id="qa-key"
            )
            yield Label("Save the bundle as", classes="field-label")
            yield SafeInput(default_bundle_path(self.workspace), id="out")
            yield ShownLabel("", id="export-result", classes="status")
            yield ShownLabel("", id="export-problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", compact=True)
                yield Button("Export", id="export", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        if isinstance(self.app, KnowsItsDatabase) and self.app.central:
            self._on_central()  # known as the app opened it: said at once
        else:
            self.check_central()  # not known as a central database: read what it is now

    @work(thread=True, exclusive=True, group="export-central")
    def check_central(self) -> None:
        from qa_tui.store.role import is_central

        if self.workspace.read(is_central):
            self.app.call_from_thread(self._on_central)

    def _on_central(self) -> None:
        """The QA team's central database hands nothing over: bundles come to it."""
        self._say(problem=ON_CENTRAL)
        self.query_one("#export", Button).disabled = True

    def _say(self, result: str = "", problem: str = "") -> None:
        self.query_one("#export-result", Label).update(result)
        self.query_one("#export-problem", Label).update(problem)

    def action_export(self) -> None:
        if self.query_one("#export", Button).disabled:  # writing, or the central database
            return
        key = self.query_one("#qa-key", Input).value.strip()
        out = self.query_one("#out", Input).value.strip()
        if not key:
            self._say(problem="Give the QA team's public key file: the bundle is encrypted to it.")
            self.query_one("#qa-key", Input).focus()
            return
        if not out:
            self._say(problem="Say where to save the bundle.")
            self.query_one("#out", Input).focus()
            return
        if key != self.workspace.settings.qa_public_key:
            self.post_message(ChangeSettings({"qa_public_key": key}))  # asked once only
        self._say("Writing the bundle…")
        self.query_one("#export", Button).disabled = True
        self.write_bundle(Path(key).expanduser(), Path(out).expanduser())

    @work(thread=True, exclusive=True, group="export")
    def write_bundle(self, key: Path, out: Path) -> None:
        from qa_tui.sync.handover import (
            APP_DEMO_HINT,
            demo_left_out,
            export_bundle,
            export_summary,
        )
        from qa_tui.sync.keys import own_device_key

        ws = self.workspace
        settings = ws.settings
        try:
            exported = export_bundle(ws.store, own_device_key(settings), settings.author, key, out)
            text = export_summary(out, exported, demo_left_out(ws.store), APP_DEMO_HINT)
        except QaError as err:
            self.app.call_from_thread(self._done, "", f"Not exported: {err}")
        except OSError as err:
            where = err.filename or out
            self.app.call_from_thread(
                self._done, "", f"Not exported: {where}: {err.strerror or err}"
            )
        else:
            self.app.call_from_thread(self._done, text[0].upper() + text[1:] + ".", "")

    def _done(self, result: str, problem: str) -> None:
        self._say(result, problem)
        self.query_one("#export", Button).disabled = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "out":
            self.action_export()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.action_export()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)
