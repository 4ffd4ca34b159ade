"""Merge bundles: the QA desk takes the laptops' bundle files into the central database.

The same merge as ``qa-tui merge`` (:func:`qa_tui.sync.central.merge_bundle_file`): each bundle
verified whole before anything of it is written, then merged in short batches; a bundle merged
twice changes nothing. One file, or a folder of them (every ``.qab`` file in it, in name
order: :func:`qa_tui.sync.central.bundle_files`, looked up off the screen's thread, as a USB
stick or a shared folder may be slow); a line for each bundle says what it brought, or why it
was refused. Only on a central database: on a laptop's the dialog says where bundles go and
merges nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from qa_tui.errors import QaError, StoreBusyError
from qa_tui.tui.commands import KnowsItsDatabase
from qa_tui.tui.messages import ChangeSettings, EvaluationsChanged
from qa_tui.tui.text import SafeInput, Shown, ShownLabel

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace

NOT_CENTRAL = (
    "This is a laptop's database. Bundles are merged into the QA team's central database: "
    "open qa-tui on it (qa-tui --db URL) and merge them there."
)
NO_KEY = "Give the QA team's private key file: it decrypts the bundles."


@dataclass(frozen=True)
class Merged:
    """What the merge of each bundle came to, a line each; and why the rest were not merged
    (the key or the database, the same for every bundle), if they were not."""

    lines: list[str]
    problem: str = ""


class MergeDialog(ModalScreen[None]):
    """Ask for the bundles and the QA team's private key, then merge them (a worker)."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#bundles"
    HELP = (
        "Merge the bundle files laptops exported (USB stick, secure email) into this central "
        "database: give one file, or a folder to merge every .qab file in it. Each bundle is "
        "verified whole before anything of it is written, so a damaged, tampered or unknown "
        "bundle is refused with nothing written; merging a bundle again changes nothing. The "
        "QA team's private key decrypts them: its file stays where it is, only its place is "
        "remembered. Demo evaluations (training data) are refused unless you tick the box."
    )
    BINDINGS = [
        Binding("escape", "close", "Close", id="merge.close"),
        Binding("ctrl+s", "merge", "Merge", id="merge.merge"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(classes="dialog")
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        settings = self.workspace.settings
        with Vertical(classes="panel wide"):
            yield Static("Merge bundles into the central database", classes="title")
            yield Label("A bundle file, or a folder of them (.qab)", classes="field-label")
            yield SafeInput(placeholder="e.g. /media/usb or ~/handover.qab", id="bundles")
            yield Label("The QA team's private key file", classes="field-label")
            yield SafeInput(
                settings.qa_private_key, placeholder="e.g. ~/qa-team/qa.key", id="qa-key"
            )
            yield Checkbox(
                "Take demo evaluations (training and tests only)", id="demo", classes="compact"
            )
            yield ShownLabel("", id="merge-status", classes="status")
            with VerticalScroll(id="merge-log"):
                yield Shown("", id="merge-lines")
            yield ShownLabel("", id="merge-problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", compact=True)
                yield Button("Merge", id="merge", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        if not (isinstance(self.app, KnowsItsDatabase) and self.app.central):
            self.check_central()  # not known as a central database: read what it is now

    @work(thread=True, exclusive=True, group="merge-central")
    def check_central(self) -> None:
        from qa_tui.store.role import is_central

        if not self.workspace.read(is_central):
            self.app.call_from_thread(self._not_central)

    def _not_central(self) -> None:
        self._say(problem=NOT_CENTRAL)
        self.query_one("#merge", Button).disabled = True

    def _say(self, status: str = "", problem: str = "") -> None:
        self.query_one("#merge-status", Label).update(status)
        self.query_one("#merge-problem", Label).update(problem)

    def _status(self, text: str) -> None:
        self.query_one("#merge-status", Label).update(text)

    def action_merge(self) -> None:
        if self.query_one("#merge", Button).disabled:  # merging, or not a central database
            return
        given = self.query_one("#bundles", Input).value.strip()
        if not given:
            self._ask("#bundles", "Give a bundle file, or a folder of them.")
            return
        self._say()
        self.query_one("#merge-lines", Static).update("")
        self.query_one("#merge", Button).disabled = True
        key = self.query_one("#qa-key", Input).value.strip()
        self.merge(given, key, self.query_one("#demo", Checkbox).value)

    def _ask(self, field: str, problem: str) -> None:
        self._say(problem=problem)
        self.query_one(field, Input).focus()
        self.query_one("#merge", Button).disabled = False

    @work(thread=True, exclusive=True, group="merge")
    def merge(self, given: str, key: str, demo: bool) -> None:
        from qa_tui.sync.central import Unfound, bundle_files

        try:
            paths = bundle_files(given)
        except Unfound as exc:
            self.app.call_from_thread(self._ask, "#bundles", str(exc))
            return
        if not key:
            self.app.call_from_thread(self._ask, "#qa-key", NO_KEY)
            return
        if key != self.workspace.settings.qa_private_key:
            self.post_message(ChangeSettings({"qa_private_key": key}))  # asked once only
        self.app.call_from_thread(self._status, "Verifying…")
        self._merge_all(paths, Path(key).expanduser(), demo)

    def _merge_all(self, paths: list[Path], key: Path, demo: bool) -> None:
        lines: list[str] = []
        problem = ""
        for number, path in enumerate(paths, start=1):
            head = f"{number} of {len(paths)}: {path.name}" if len(paths) > 1 else path.name
            try:
                lines.append(self._merge_one(path, key, demo, head))
            except _Stop as exc:
                problem = str(exc)
                break
            self.app.call_from_thread(self._lines, list(lines))
        self.app.call_from_thread(self._done, Merged(lines, problem))
        self.post_message(EvaluationsChanged())

    def _merge_one(self, path: Path, key: Path, demo: bool, head: str) -> str:
        """One bundle merged: its line (:class:`_Stop` when no bundle can be merged)."""
        from qa_tui.sync.central import APP_DEMO_TAKE, merge_bundle_file
        from qa_tui.sync.errors import BundleError, PartlyMerged

        done = [0, 0]  # merged so far, of how many

        def on_total(total: int) -> None:
            done[1] = total
            self.app.call_from_thread(self._status, f"Merging {head}: 0 of {total}…")

        def committed(count: int) -> None:
            done[0] += count
            self.app.call_from_thread(self._status, f"Merging {head}: {done[0]} of {done[1]}…")

        self.app.call_from_thread(self._status, f"Verifying {head}…")
        try:
            report = merge_bundle_file(
                self.workspace.store,
                path,
                key,
                on_total=on_total,
                committed=committed,
                include_demo=demo,
                demo_hint=APP_DEMO_TAKE,
            )
        except PartlyMerged as exc:
            return f"{path.name}: {exc.words()}"
        except BundleError as exc:
            return f"Refused {exc}; nothing of it was merged."
        except StoreBusyError:
            return (
                f"{path.name}: the central database is busy with another merge; nothing of it "
                "was merged, try again."
            )
        except QaError as exc:  # the key, or the database: the same for every bundle
            raise _Stop(f"Not merged: {exc}") from None
        except OSError as exc:
            return f"{exc.filename or path}: {exc.strerror or exc}; nothing of it was merged."
        return f"{path.name}: {report.summary()}."

    def _lines(self, lines: list[str]) -> None:
        self.query_one("#merge-lines", Static).update("\n".join(lines))

    def _done(self, merged: Merged) -> None:
        self._lines(merged.lines)
        self._say("Done." if merged.lines else "", merged.problem)
        self.query_one("#merge", Button).disabled = False
        if merged.lines:  # to read them, scrolled with the arrows when they are many
            self.query_one("#merge-log", VerticalScroll).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "qa-key":
            self.action_merge()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "merge":
            self.action_merge()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)


class _Stop(Exception):
    """No bundle can be merged (the key, or the database): the message says why."""
