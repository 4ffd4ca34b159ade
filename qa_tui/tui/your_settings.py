"""The user's own settings in the app: who they are (first run, and "Your details") and the
theme, saved to the settings file in a worker.

Mixed into the app (:class:`~qa_tui.tui.app.QaApp`), which holds ``settings`` and
``workspace``; screens ask for changes with :class:`~qa_tui.tui.messages.ChangeSettings`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from qa_tui.config import Settings
from qa_tui.errors import QaError
from qa_tui.tui import messages as msg
from qa_tui.tui.themes import setting_name, textual_name

if TYPE_CHECKING:
    from qa_tui.tui.dialogs.first_run import Identity
    from qa_tui.workspace import Workspace


class YourSettings(App[Any]):
    """Identity and theme (the app supplies ``settings`` and ``workspace``)."""

    settings: Settings
    workspace: Workspace | None
    workspace_settled: threading.Event  # set once the database is open, or failed to open

    def ask_identity(self) -> None:
        from qa_tui.tui.dialogs.first_run import FirstRunDialog

        s = self.settings
        dialog = FirstRunDialog(
            s.auditor_name, s.auditor_role, s.auditor_team, s.config_path, self._known_teams
        )
        self.push_screen(dialog, self._identity_given)

    def _known_teams(self) -> list[tuple[str, str]]:
        """The teams on this laptop as (name, service area); runs in a dialog's worker, so
        it may wait a moment for the database to open (first run)."""
        from qa_tui.store.queries import list_teams

        self.workspace_settled.wait(timeout=10)
        ws = self.workspace
        return [(t.name, t.service_area) for t in ws.read(list_teams)] if ws else []

    def _identity_given(self, identity: Identity | None) -> None:
        if identity is None:
            self.notify("You can give your name later: ctrl+p, then 'Your details'.")
            return
        self.change_settings(
            auditor_name=identity.name, auditor_role=identity.role, auditor_team=identity.team
        )
        self.notify(f"Welcome, {identity.name}.")
        if self.workspace is not None:
            self.welcome_to_demo(self.workspace, identity.name, identity.team)

    @work(thread=True, group="settings-demo")
    def welcome_to_demo(self, ws: Workspace, name: str, team: str) -> None:
        """Demo data made before the laptop knew its user: give them two of the demo practice
        day's cases, so the home list shows what "Allocated to you" looks like."""
        from qa_tui.demo.programme import welcome

        try:
            given = ws.write(welcome, name, team)
        except QaError as err:
            self.call_from_thread(self.notify, str(err), severity="error")
            return
        if given:
            self.post_message(msg.EvaluationsChanged())

    def on_change_settings(self, message: msg.ChangeSettings) -> None:
        self.change_settings(**message.changes)

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

    def action_use_theme(self, setting: str) -> None:
        self.theme = textual_name(setting)

    def watch_theme(self, theme_name: str) -> None:
        from qa_tui.tui.themes import LABELS

        setting = setting_name(theme_name)
        if setting is not None and setting != self.settings.theme:
            self.change_settings(theme=setting)
            label = LABELS.get(setting, setting)
            self.notify(f"Theme: {label}. Saved: it stays for next time.", timeout=3)

    def action_next_theme(self) -> None:
        from qa_tui.config import THEMES

        current = setting_name(self.theme) or THEMES[0]
        self.action_use_theme(THEMES[(THEMES.index(current) + 1) % len(THEMES)])
