"""Sync: hand this laptop's work to the central database and bring back what it needs.

Everything here runs in workers through the headless sync module; an unreachable central
database is a message on screen, with nothing lost and the button there to try again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from qa_tui.errors import QaError
from qa_tui.tui.commands import KnowsItsDatabase
from qa_tui.tui.messages import ChangeSettings, EvaluationsChanged, Navigate
from qa_tui.tui.text import SafeInput, Shown

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace


CENTRAL_NOTICE = (
    "This is the QA team's central database: laptops sync to it, and the bundles they "
    "export are merged into it here (ctrl+g) or with 'qa-tui merge --into URL --key "
    "QA_KEY_FILE BUNDLE…'. Sync and purge are for a laptop; its conflicts are here (ctrl+o)."
)


class SyncScreen(Screen[None]):
    """The central database's address, a Sync button, retention, and the conflicts."""

    CSS_PATH = "sync.tcss"
    TITLE = "Sync"
    HELP = (
        "Sync sends every evaluation this laptop has changed to the central database and "
        "brings back the templates and teams the QA team publishes, the moderation of your "
        "evaluations, the actions you own and the resolutions of conflicts. If the central "
        "database cannot be reached nothing is lost: sync again later. Without a network, "
        "hand over with a bundle file instead (ctrl+b, or the palette's “Export for the QA "
        "team”). Demo evaluations are never sent. Completed evaluations the central "
        "database has acknowledged can be purged from this laptop after the retention period."
    )
    BINDINGS = [
        Binding("ctrl+y", "sync", "Sync now", id="sync.now"),
        Binding("ctrl+b", "export", "Export a bundle", id="sync.export"),
        Binding("ctrl+o", "conflicts", "Conflicts", id="sync.conflicts"),
        Binding("ctrl+g", "merge", "Merge bundles", id="sync.merge"),
        Binding("escape", "back", "Back", id="sync.back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.on_central = False  # opened on the central database (nothing to send)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="sync-body"):
            with Vertical(classes="card"):
                yield Static("Central database", classes="card-title")
                yield Label("Address (a database URL)", classes="field-label")
                yield SafeInput(
                    self.workspace.settings.central_db_url,
                    placeholder="postgresql+psycopg://qa.example.org/qa_central",
                    id="central-url",
                )
                with Horizontal(classes="buttons"):
                    yield Button("Sync now", id="sync", variant="primary")
                    yield Button("Export a bundle instead", id="export")
                    yield Button("Conflicts", id="conflicts")
                    yield Button("Merge bundles", id="merge", classes="central-only")
                yield Shown("", id="sync-result")
                yield Shown("Never synced from this laptop.", id="sync-last", classes="hint")
            with Vertical(classes="card", id="retention"):
                yield Static("Retention", classes="card-title")
                days = self.workspace.settings.retention_days
                yield Static(
                    f"Completed evaluations the central database has acknowledged are kept "
                    f"on this laptop for {days} days, then may be purged. Nothing that has "
                    "not been acknowledged is ever purged.",
                    classes="hint",
                )
                with Horizontal(classes="buttons"):
                    yield Button("Purge what is due", id="purge", variant="warning")
                yield Shown("", id="purge-result")
        yield Footer()

    def on_mount(self) -> None:
        # The address first: typing it is the first thing to do here (and a letter typed
        # into it is text, never a shortcut).
        self.query_one("#central-url", Input).focus()
        if isinstance(self.app, KnowsItsDatabase) and self.app.central:
            self._on_central()  # known as the app opened it: the desk's buttons at once
            return
        self.read_last_sync()

    @work(thread=True, exclusive=True, group="last-sync")
    def read_last_sync(self) -> None:
        from qa_tui.store.role import is_central
        from qa_tui.sync.direct import last_sync

        if self.workspace.read(is_central):
            self.app.call_from_thread(self._on_central)
            return
        found = self.workspace.read(last_sync)
        if found is not None:
            when = found.at[:16].replace("T", " ")
            text = f"Last sync: {when} UTC with {found.central}. {found.summary}."
            self.app.call_from_thread(self._show, "#sync-last", text)

    def _on_central(self) -> None:
        """Opened on the QA team's central database: there is nothing here to send or purge
        (laptops sync to it, bundles are merged into it), so say so and offer only what
        applies to it (its conflicts)."""
        self.on_central = True
        self._show("#sync-last", CENTRAL_NOTICE)
        for button in ("#sync", "#export", "#purge"):
            self.query_one(button, Button).disabled = True
        for button in ("#sync", "#export"):  # room for what the desk does here
            self.query_one(button, Button).display = False
        self.query_one("#retention").display = False  # purging is a laptop's
        self.query_one("#merge", Button).display = True
        self.query_one("#merge", Button).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On the central database, merging bundles instead of syncing and exporting (their
        buttons are disabled and hidden there, and the merge button shown)."""
        if action == "merge":
            return self.on_central
        return not (self.on_central and action in ("sync", "export"))

    # --- actions ------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_conflicts(self) -> None:
        self.post_message(Navigate("conflicts"))

    def action_export(self) -> None:
        self.post_message(Navigate("export"))

    def action_merge(self) -> None:
        self.post_message(Navigate("merge"))

    def action_sync(self) -> None:
        if self.on_central:  # its key and button are disabled; enter in the address is not
            return
        url = self.query_one("#central-url", Input).value.strip()
        if url != self.workspace.settings.central_db_url:
            self.post_message(ChangeSettings({"central_db_url": url}))
        self._show("#sync-result", "Syncing…")
        self.query_one("#sync", Button).disabled = True
        self.run_sync(url)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "sync": self.action_sync,
            "conflicts": self.action_conflicts,
            "export": self.action_export,
            "merge": self.action_merge,
        }
        if event.button.id in actions:
            actions[event.button.id]()
        elif event.button.id == "purge":
            self._show("#purge-result", "Purging…")
            self.run_purge()

    @on(Input.Submitted, "#central-url")
    def _url_submitted(self) -> None:
        self.action_sync()

    # --- workers ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, url: str) -> None:
        from qa_tui.sync.direct import sync_now

        ws = self.workspace

        def tell(text: str) -> None:  # how far a long sync is, shown as it goes
            self.app.call_from_thread(self._show, "#sync-result", f"Syncing… {text}.")

        try:
            report = sync_now(ws.store, ws.settings, url or None, tell)
        except QaError as err:
            self.app.call_from_thread(self._synced, f"Not synced: {err}")
        else:
            from qa_tui.workspace import read_published, register_published

            # Templates the QA team published are usable at once: read and parsed here,
            # registered on the UI thread (which reads the registry).
            published = read_published(ws.store)
            self.app.call_from_thread(register_published, ws.templates, published)
            self.app.call_from_thread(self._synced, f"Synced: {report.summary()}.")
            self.post_message(EvaluationsChanged())

    def _synced(self, text: str) -> None:
        self._show("#sync-result", text)
        self.query_one("#sync", Button).disabled = False
        self.read_last_sync()

    @work(thread=True, exclusive=True, group="purge")
    def run_purge(self) -> None:
        from qa_tui.sync.retention import purge_expired

        ws = self.workspace
        try:
            report = ws.write(
                lambda session, actor: purge_expired(
                    session, ws.settings.retention_days, actor.now()
                )
            )
        except QaError as err:
            self.app.call_from_thread(self._show, "#purge-result", f"Not purged: {err}")
        else:
            self.app.call_from_thread(self._show, "#purge-result", report.summary().capitalize())
            self.post_message(EvaluationsChanged())

    def _show(self, selector: str, text: str) -> None:
        self.query_one(selector, Static).update(text)
