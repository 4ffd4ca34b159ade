"""The application shell: modes, themes, the command palette, and opening evaluations.

Database and file work runs in thread workers; handlers only gather input and show state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from qa_tui.config import Settings
from qa_tui.errors import QaError, ValidationError
from qa_tui.tui.commands import EvaluationProvider, QaCommands
from qa_tui.tui.messages import EvaluationsChanged, WorkspaceReady
from qa_tui.tui.screens.home import HomeScreen
from qa_tui.tui.text import SafeNotifications
from qa_tui.tui.themes import register_themes, setting_name, textual_name

if TYPE_CHECKING:
    import datetime as dt

    from qa_tui.tui.dialogs.first_run import Identity
    from qa_tui.tui.dialogs.new_evaluation import NewEvaluationRequest
    from qa_tui.workspace import Workspace

    Clock = Callable[[], dt.datetime]


def _utc_now():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.now(dt.UTC)


class QaApp(SafeNotifications, App[None]):
    """qa-tui: practice evaluation for children's social care."""

    TITLE = "qa-tui"
    SUB_TITLE = "Practice evaluation"
    COMMANDS = App.COMMANDS | {QaCommands}
    MODES = {"evaluations": HomeScreen}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+t", "next_theme", "Theme", id="app.theme", show=False),
        Binding("ctrl+y", "open_sync", "Sync", id="app.sync"),
    ]

    def __init__(
        self,
        settings: Settings,
        workspace_factory: Callable[[], Workspace],
        clock: Clock = _utc_now,
        quick_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.workspace: Workspace | None = None
        self.startup_error: str | None = None
        self._workspace_factory = workspace_factory
        self.quick_path = quick_path
        self._opening = False
        register_themes(self)
        self.theme = textual_name(settings.theme)

    # --- start-up -----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.switch_mode("evaluations")
        if self.quick_path is None:
            self.open_workspace()
        # else the home screen draws the list from the file first, then opens the workspace
        if not self.settings.has_identity:
            self.ask_identity()

    def open_workspace(self) -> None:
        """Open the database in a worker (once)."""
        if not self._opening:
            self._opening = True
            self._open_workspace()

    @work(thread=True, exclusive=True, group="workspace")
    def _open_workspace(self) -> None:
        try:
            workspace = self._workspace_factory()
        except QaError as err:
            self.call_from_thread(self.fail, str(err))
        except OSError as err:
            self.call_from_thread(self.fail, f"{err.filename or 'file'}: {err.strerror or err}")
        else:
            self.call_from_thread(self._workspace_ready, workspace)

    def fail(self, text: str) -> None:
        """A problem that stops the app: exit 1; ``run_app`` prints ``text`` on stderr."""
        self.startup_error = text
        self.exit(return_code=1)

    def _workspace_ready(self, workspace: Workspace) -> None:
        workspace.settings = self.settings
        self.workspace = workspace
        for error in workspace.templates.errors:
            self.notify(
                error,
                title="A template was not loaded",
                severity="warning",
                timeout=10,
            )
        for screen in self.screen_stack:
            screen.post_message(WorkspaceReady(workspace))
        self.ensure_device_key()

    @work(thread=True, exclusive=True, group="device-key")
    def ensure_device_key(self) -> None:
        """Make this laptop's signing key on first run (after the home screen is up)."""
        from qa_tui.sync.keys import load_device_key

        try:
            load_device_key(self.settings.device_id)
        except (QaError, OSError) as err:
            self.call_from_thread(self.notify, str(err), title="No signing key", severity="warning")

    def on_unmount(self) -> None:
        if self.workspace is not None:
            self.workspace.close()

    # --- settings: identity and theme ---------------------------------------------------

    def ask_identity(self) -> None:
        from qa_tui.tui.dialogs.first_run import FirstRunDialog

        s = self.settings
        self.push_screen(
            FirstRunDialog(s.auditor_name, s.auditor_role, s.auditor_team), self._identity_given
        )

    def _identity_given(self, identity: Identity | None) -> None:
        if identity is None:
            self.notify("You can give your name later: ctrl+p, then 'Your details'.")
            return
        self.change_settings(
            auditor_name=identity.name, auditor_role=identity.role, auditor_team=identity.team
        )
        self.notify(f"Welcome, {identity.name}.")

    def change_settings(self, **changes: object) -> None:
        """Apply and save settings (the file is written in a worker)."""
        try:
            self.settings = self.settings.with_changes(**changes)
        except QaError as err:
            self.notify(str(err), title="Setting not changed", severity="error")
            return
        if self.workspace is not None:
            self.workspace.settings = self.settings
        self.save_settings(self.settings)

    @work(thread=True, exclusive=True, group="settings")
    def save_settings(self, settings: Settings) -> None:
        from qa_tui.config import save_settings

        try:
            save_settings(settings)
        except QaError as err:
            self.call_from_thread(
                self.notify, str(err), title="Settings not saved", severity="error"
            )

    def set_theme_setting(self, setting: str) -> None:
        self.theme = textual_name(setting)

    def watch_theme(self, theme_name: str) -> None:
        setting = setting_name(theme_name)
        if setting is not None and setting != self.settings.theme:
            self.change_settings(theme=setting)

    def action_next_theme(self) -> None:
        from qa_tui.config import THEMES

        current = setting_name(self.theme) or THEMES[0]
        self.set_theme_setting(THEMES[(THEMES.index(current) + 1) % len(THEMES)])

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # ours: "Switch theme: …", only the three themes
                yield command
        yield SystemCommand("Your details", "Your name, role and team", self.ask_identity)

    # --- opening, creating --------------------------------------------------------------

    def open_evaluation(self, evaluation_id: str, status: str) -> None:
        """The editor for a draft or reopened evaluation; the summary for a completed one."""
        if self.workspace is None:
            return
        if status != "completed":
            from qa_tui.tui.screens.evaluation import EvaluationScreen

            self.push_screen(EvaluationScreen(self.workspace, evaluation_id))
            return
        from qa_tui.tui.screens.summary import SummaryScreen

        self.push_screen(SummaryScreen(self.workspace, evaluation_id))

    def action_new_evaluation(
        self, initial: NewEvaluationRequest | None = None, error: ValidationError | None = None
    ) -> None:
        from qa_tui.tui.dialogs.new_evaluation import NewEvaluationDialog

        if self.workspace is None:
            self.notify("The database is still opening: try again in a moment.")
            return
        ws = self.workspace

        def teams() -> list[tuple[str, str]]:
            from qa_tui.store.queries import list_teams

            with ws.store.reader() as session:
                return [(t.name, t.service_area) for t in list_teams(session)]

        dialog = NewEvaluationDialog(
            ws.templates.latest(),
            self.settings.case_reference_pattern,
            self.clock().date(),
            initial,
            error,
            teams,
        )
        self.push_screen(dialog, self._new_evaluation_given)

    def _new_evaluation_given(self, request: NewEvaluationRequest | None) -> None:
        if request is not None:
            self.create_evaluation(request)

    @work(thread=True, exclusive=True, group="create")
    def create_evaluation(self, request: NewEvaluationRequest) -> None:
        from qa_tui.domain.evaluation import create_evaluation

        ws = self.workspace
        assert ws is not None
        details = dataclasses.replace(
            request.details, auditor_role=request.details.auditor_role or self.settings.auditor_role
        )
        try:
            template = ws.templates.require(request.template_id, request.template_version)
            with ws.store.session() as session:
                new_id = create_evaluation(
                    session, ws.actor, template, details, self.settings.case_reference_pattern
                )
                ws.remember_template(session, template)
        except ValidationError as err:
            self.call_from_thread(self.action_new_evaluation, request, err)
            return
        except QaError as err:
            self.call_from_thread(self.notify, str(err), title="Not started", severity="error")
            return
        self.call_from_thread(self.open_evaluation, new_id, "draft")

    @work(thread=True, exclusive=True, group="demo")
    def load_demo(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        try:
            from qa_tui.demo import ensure_demo
        except ImportError as exc:
            if exc.name != "qa_tui.demo":
                raise
            self.call_from_thread(
                self.notify, "Demo data is not available in this build.", severity="warning"
            )
            return
        try:
            made = ensure_demo(ws)
        except QaError as err:
            self.call_from_thread(self.notify, str(err), title="No demo data", severity="error")
            made = False
        if not made:
            self.call_from_thread(
                self.notify, "Demo data was not loaded: the database is not empty."
            )
        self.call_from_thread(self.refresh_home)

    def refresh_home(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.post_message(EvaluationsChanged())

    # --- navigation ---------------------------------------------------------------------

    def action_go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_open_sync(self) -> None:
        """The sync screen: central database, Sync now, retention, conflicts."""
        from qa_tui.tui.screens.sync import SyncScreen

        if not isinstance(self.screen, SyncScreen):
            self.push_screen(SyncScreen())

    def action_open_conflicts(self) -> None:
        from qa_tui.tui.screens.conflicts import ConflictsScreen

        if self.workspace is not None and not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen(self.workspace))

    def action_help(self) -> None:
        from qa_tui.tui.dialogs.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))

    def action_open_by_reference(self) -> None:
        from textual.command import CommandPalette

        self.push_screen(
            CommandPalette(providers=[EvaluationProvider], placeholder="Case reference…")
        )


def make_app(
    settings: Settings,
    workspace_factory: Callable[[], Workspace] | None = None,
    db_url: str | None = None,
    clock: Clock = _utc_now,
) -> QaApp:
    """The app, for the CLI and for tests: the workspace opens in a worker after start.

    Opened on a SQLite file (and no factory given), the home list is first read straight from
    the file (:mod:`qa_tui.store.quicklist`), so it shows before SQLAlchemy has loaded.
    """
    quick_path = None
    if workspace_factory is None:
        from qa_tui.config import default_db_url
        from qa_tui.store.quicklist import sqlite_file

        quick_path = sqlite_file(db_url or default_db_url())

        def workspace_factory() -> Workspace:
            from qa_tui.workspace import open_workspace

            return open_workspace(settings, db_url, clock)

    return QaApp(settings, workspace_factory, clock, quick_path)
