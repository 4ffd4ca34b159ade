"""The application shell: modes, themes, the palette, and the router screens post to.

Screens never reach into the app: they post typed messages (:mod:`qa_tui.tui.messages`) that
bubble here, and the handlers below open screens (:mod:`qa_tui.tui.places`), start evaluations
and save settings. Database and file work runs in thread workers, and every write of the
editor on the one writer thread (:mod:`qa_tui.services.writer`); handlers only gather input
and show state. See ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from qa_tui.clock import Clock, utc_now
from qa_tui.config import Settings
from qa_tui.errors import QaError, ValidationError
from qa_tui.services.writer import Writer
from qa_tui.tui import messages as msg
from qa_tui.tui.commands import QaCommands
from qa_tui.tui.demo_data import DemoData
from qa_tui.tui.input_order import OrderedInput
from qa_tui.tui.screens.home import HomeScreen
from qa_tui.tui.screens.home_source import WindowRead
from qa_tui.tui.text import SafeNotifications
from qa_tui.tui.themes import register_themes, textual_name
from qa_tui.tui.your_settings import YourSettings

if TYPE_CHECKING:
    from qa_tui.store.quicklist import FirstRead
    from qa_tui.tui.dialogs.new_evaluation import NewEvaluationRequest
    from qa_tui.workspace import Workspace


def settle_heap() -> None:
    """Collect garbage once, then exempt what survives from the cyclic collector.

    Process-wide, so it belongs to the app shell, not a screen: Python's full collections walk
    every object alive, and with thousands of evaluations (and SQLAlchemy and Textual) in
    memory one took 70-110 ms, stalling whichever filter keystroke it fell on. Run after a
    list is drawn; the next one unfreezes, collects and freezes again, so nothing frozen is
    kept for good.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _is_central(workspace: Workspace) -> bool | None:
    """Whether the database is a central one (read on the worker that opened it); None if
    that could not be read (the palette then lists the places of both kinds, and each says
    where it belongs)."""
    from qa_tui.store.role import is_central

    try:
        return workspace.read(is_central)
    except QaError:
        return None


class QaApp(DemoData, YourSettings, SafeNotifications, OrderedInput, App[None]):
    """qa-tui: practice evaluation for children's social care."""

    TITLE = "qa-tui"
    # The app starts in the evaluations mode (added in __init__): Textual makes its screen
    # first, not a default screen switched away from (a screen built, drawn and the whole
    # stylesheet parsed twice more, at start-up).
    DEFAULT_MODE = "evaluations"
    # The home screen's stylesheet read with the app's own: read with the screen, it had the
    # whole stylesheet parsed once more.
    CSS_PATH = "screens/home.tcss"
    SUB_TITLE = "Practice evaluation"
    COMMANDS = App.COMMANDS | {QaCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+t", "next_theme", "Theme", id="app.theme", show=False),
        Binding("ctrl+y", "navigate('sync')", "Sync", id="app.sync"),
        # The main areas, by function key (in F1's help and the palette, not every footer).
        Binding("f2", "show_mode('evaluations')", "Evaluations", id="app.evaluations", show=False),
        Binding("f3", "navigate('moderation')", "Moderation", id="app.moderation", show=False),
        Binding("f4", "navigate('actions')", "Actions", id="app.actions", show=False),
        Binding("f5", "navigate('concerns')", "Concerns", id="app.concerns", show=False),
        Binding("f6", "navigate('findings')", "Findings", id="app.findings", show=False),
        Binding("f7", "navigate('dashboard')", "Dashboard", id="app.dashboard", show=False),
        Binding("f8", "navigate('reports')", "Reports", id="app.reports", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        workspace_factory: Callable[[], Workspace],
        clock: Clock = utc_now,
        quick_path: Path | str | None = None,
        first: FirstRead | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.workspace: Workspace | None = None
        self.central: bool | None = None  # a central database (None: not known yet)
        self.workspace_settled = threading.Event()
        self.startup_error: str | None = None
        self.writer = Writer()
        self._workspace_factory = workspace_factory
        self._opening = False
        self._quick_path = quick_path
        self.add_mode("evaluations", partial(self._home_screen, quick_path, first))
        self.modes_added = {"evaluations"}  # moderation is added when first opened
        register_themes(self)
        self._start_in_theme(textual_name(settings.theme))

    # --- start-up -----------------------------------------------------------------------

    def _home_screen(self, quick_path: Path | str | None, first: FirstRead | None) -> HomeScreen:
        screen = HomeScreen(quick_path, first)
        # A new screen counts as styled before any stylesheet (-1): opening its mode then
        # reparses and reapplies every stylesheet, ~15 ms at start-up for nothing (the screen
        # is styled as it is mounted, with the stylesheet as it is). Textual 8.2 (pinned).
        screen._css_update_count = self._css_update_count
        return screen

    def _start_in_theme(self, name: str) -> None:
        """The saved theme, set before anything is drawn as Textual's docs show
        (``set_reactive``), with what its watcher does but the reparse of every stylesheet
        (twice at start-up, ~10 ms each, nothing drawn yet): the theme's CSS variables, its
        classes, the ANSI colours for a dark or light theme. A later change of theme is an
        ordinary one."""
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())
        dark = self.current_theme.dark
        self.set_class(True, f"-theme-{name}", update=False)
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)  # Textual 8.2's own (pinned)

    def on_mount(self) -> None:
        if self._quick_path is None:
            self.open_workspace()
        # else the home screen draws the list from the file first, then asks for the database
        if not self.settings.has_identity:
            self.ask_identity()

    def on_workspace_wanted(self, _: msg.WorkspaceWanted) -> None:
        self.open_workspace()

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
            self.call_from_thread(self._workspace_ready, workspace, _is_central(workspace))

    def fail(self, text: str) -> None:
        """A problem that stops the app: exit 1; ``run_app`` prints ``text`` on stderr."""
        self.startup_error = text
        self.workspace_settled.set()
        self.exit(return_code=1)

    def _workspace_ready(self, workspace: Workspace, central: bool | None) -> None:
        workspace.settings = self.settings
        self.workspace = workspace
        self.central = central
        self.workspace_settled.set()
        for error in workspace.templates.errors:
            self.notify(error, title="A template was not loaded", severity="warning", timeout=10)
        for screen in self.screen_stack:
            screen.post_message(msg.WorkspaceReady(workspace))
        self.ensure_device_key(workspace.settings)

    @work(thread=True, exclusive=True, group="device-key")
    def ensure_device_key(self, settings: Settings) -> None:
        """Make this laptop's signing key on first run (after the home screen is up)."""
        from qa_tui.sync.keys import own_device_key

        try:
            own_device_key(settings)
        except (QaError, OSError) as err:
            self.call_from_thread(self.notify, str(err), title="No signing key", severity="warning")

    def on_evaluations_loaded(self, _: msg.EvaluationsLoaded) -> None:
        self.call_after_refresh(settle_heap)

    def on_window_read(self, message: WindowRead) -> None:
        # A long list read whole (not a key's page): the heap settled as for a short one,
        # else full collections of SQLAlchemy's and Textual's objects (~100 ms each, three
        # in a minute of typing at the QA desk) stall the keys they fall on.
        if message.generation == -1:
            self.call_after_refresh(settle_heap)

    def on_unmount(self) -> None:
        # The writer finishes what the screens handed it (their last keystrokes), then
        # closes the database, on its own thread; the process waits for it before ending.
        workspace = self.workspace
        self.workspace_settled.set()  # a dialog still waiting for the database stops waiting
        self.writer.close(then=workspace.close if workspace is not None else None)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # ours: "Switch theme: …", only the three themes
                yield command
        yield SystemCommand("Your details", "Your name, role and team", self.ask_identity)

    def action_view_summary(self) -> None:
        """The summary of the evaluation open in the editor, or highlighted on the list."""
        from qa_tui.tui.screens.summary import SummaryScreen

        screen = self.screen
        view = getattr(screen, "action_view_summary", None)
        if callable(view):
            view()
        elif not isinstance(screen, SummaryScreen):
            self.notify("Open or highlight an evaluation first, then ask for its summary.")

    # --- the router: requests posted by screens -------------------------------------------

    def _workspace_or_say(self) -> Workspace | None:
        if self.workspace is None:
            self.notify("The database is still opening: try again in a moment.")
        return self.workspace

    def on_open_evaluation(self, message: msg.OpenEvaluation) -> None:
        """The editor for a draft or reopened evaluation; the summary for a completed one."""
        ws = self._workspace_or_say()
        if ws is None:
            return
        for screen in self.screen_stack:  # back on the list, this one stays highlighted
            if isinstance(screen, HomeScreen):
                screen.post_message(msg.EvaluationOpened(message.evaluation_id))
        if message.status != "completed" and not message.summary:
            from qa_tui.tui.screens.evaluation import EvaluationScreen

            focus = message.focus or None
            self.push_screen(EvaluationScreen(ws, self.writer, message.evaluation_id, focus))
            return
        from qa_tui.tui.screens.summary import SummaryScreen

        self.push_screen(SummaryScreen(ws, message.evaluation_id))

    def action_navigate(self, place: str) -> None:
        self.post_message(msg.Navigate(place))

    def on_navigate(self, message: msg.Navigate) -> None:
        from qa_tui.tui.places import PLACES

        ws = self._workspace_or_say()
        found = PLACES.get(message.place)
        if ws is None or found is None:
            return
        if found.mode:
            if found.mode not in self.modes_added:
                self.add_mode(found.mode, partial(found.make, ws, self.writer))
                self.modes_added.add(found.mode)
            self.switch_mode(found.mode)
            return
        screen = found.make(ws, self.writer)
        if type(self.screen) is not type(screen):
            self.push_screen(screen)

    def action_show_mode(self, mode: str) -> None:
        """Switch to one of the app's modes (the evaluations; moderation once opened)."""
        if mode in self.modes_added and mode != self.current_mode:
            self.switch_mode(mode)

    def on_evaluations_changed(self, message: msg.EvaluationsChanged) -> None:
        """Tell every screen that shows figures read from the database (the home list, the
        dashboard): what it drew or kept may no longer be true."""
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen) or getattr(screen, "FOLLOWS_CHANGES", False):
                screen.post_message(msg.EvaluationsChanged())

    def action_go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        from qa_tui.tui.dialogs.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))

    def action_open_by_reference(self) -> None:
        from textual.command import CommandPalette

        from qa_tui.tui.commands import EvaluationProvider

        self.push_screen(
            CommandPalette(providers=[EvaluationProvider], placeholder="Case reference…")
        )

    # --- starting an evaluation, demo data --------------------------------------------------

    def on_new_evaluation(self, _: msg.NewEvaluation) -> None:
        self.action_new_evaluation()

    def action_new_evaluation(
        self, initial: NewEvaluationRequest | None = None, error: ValidationError | None = None
    ) -> None:
        from qa_tui.tui.dialogs.new_evaluation import NewEvaluationDialog

        ws = self._workspace_or_say()
        if ws is None:
            return

        dialog = NewEvaluationDialog(
            ws.templates.latest(),
            self.settings.case_reference_pattern,
            self.clock().date(),
            initial,
            error,
            self._known_teams,
        )
        self.push_screen(dialog, self._new_evaluation_given)

    def _new_evaluation_given(self, request: NewEvaluationRequest | None) -> None:
        if request is not None and self.workspace is not None:
            self.create_evaluation(self.workspace, request)

    @work(thread=True, exclusive=True, group="create")
    def create_evaluation(self, ws: Workspace, request: NewEvaluationRequest) -> None:
        from qa_tui.domain.evaluation import create_evaluation, remember_template

        details = dataclasses.replace(
            request.details, auditor_role=request.details.auditor_role or ws.settings.auditor_role
        )
        try:
            template = ws.templates.require(request.template_id, request.template_version)
            with ws.store.session() as session:
                new_id = create_evaluation(
                    session,
                    ws.actor,
                    template,
                    details,
                    ws.settings.case_reference_pattern,
                    request.practitioner_role,
                )
                remember_template(session, template)
        except ValidationError as err:
            self.call_from_thread(self.action_new_evaluation, request, err)
            return
        except QaError as err:
            self.call_from_thread(self.notify, str(err), title="Not started", severity="error")
            return
        self.call_from_thread(self.post_message, msg.OpenEvaluation(new_id, "draft"))


def make_app(
    settings: Settings,
    workspace_factory: Callable[[], Workspace] | None = None,
    db_url: str | None = None,
    clock: Clock = utc_now,
    first: FirstRead | None = None,
) -> QaApp:
    """The app, for the CLI and for tests: the workspace opens in a worker after start.

    Opened on a SQLite file (and no factory given), the home list is first read straight from
    the file (:mod:`qa_tui.store.quicklist`), so it shows before SQLAlchemy has loaded;
    ``first``: that read, started already (as the app was being loaded).
    """
    quick_path = None
    if workspace_factory is None:
        from qa_tui.config import default_db_url
        from qa_tui.store.quicklist import quick_source

        quick_path = quick_source(db_url or default_db_url(settings.data_dir))

        def workspace_factory() -> Workspace:
            from qa_tui.workspace import open_workspace

            # Only the app's own database is made on first run; a --db that names no
            # database is refused (a typo must not start an empty one).
            return open_workspace(settings, db_url, clock, create=db_url is None)

    return QaApp(settings, workspace_factory, clock, quick_path, first)
