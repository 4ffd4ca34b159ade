"""First run: who is the auditor? Name, role and team, saved to the config by the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, Static

from qa_tui.tui.text import SafeInput, ShownLabel
from qa_tui.vocab import MAX_SHORT_TEXT


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    team: str


class FirstRunDialog(ModalScreen[Identity | None]):
    """Ask the auditor's name (required), role and team; escape skips for now."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#name"
    BINDINGS = [
        Binding("escape", "skip", "Later", id="first_run.skip"),
        # As in every other form: ctrl+s saves from any field, not only Enter in the last.
        Binding("ctrl+s", "save", "Save", id="first_run.save"),
    ]

    def __init__(
        self,
        name: str = "",
        role: str = "",
        team: str = "",
        settings_file: Path | None = None,
        teams: Callable[[], list[tuple[str, str]]] | None = None,
    ) -> None:
        """``teams`` reads the known teams as (name, service area), off the UI thread."""
        super().__init__(classes="dialog")
        self._initial = Identity(name, role, team)
        self._settings_file = settings_file
        self._read_teams = teams

    def _where(self) -> str:
        """The settings file, as ``~/…`` when it is in the home folder (shorter to read)."""
        path = self._settings_file
        if path is None:
            return ""
        try:
            shown = f"~/{path.relative_to(Path.home()).as_posix()}"
        except ValueError:
            shown = str(path)
        return f" (they are kept in {shown})"

    def compose(self) -> ComposeResult:
        where = self._where()
        with Vertical(classes="panel"):
            yield Static("Welcome to qa-tui", classes="title")
            yield ShownLabel(
                "Your name, role and team go on every evaluation you make and every update "
                "you record. "
                f"To change them later: ctrl+p, then “Your details”{where}.",
                classes="hint",
            )
            yield Label("Your name", classes="field-label")
            yield SafeInput(self._initial.name, id="name", max_length=MAX_SHORT_TEXT)
            yield ShownLabel("", id="name-error", classes="field-error")
            yield Label("Your role (e.g. team manager, service manager)", classes="field-label")
            yield SafeInput(self._initial.role, id="role", max_length=MAX_SHORT_TEXT)
            yield Label("Your team", classes="field-label")
            yield SafeInput(self._initial.team, id="team", max_length=MAX_SHORT_TEXT)
            hint = ShownLabel("", id="team-hint", classes="hint")
            hint.display = False  # shown once there are known teams to suggest
            yield hint
            with Horizontal(classes="buttons"):
                yield Button("Later", id="skip", compact=True)
                yield Button("Save", id="save", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        if self._read_teams is not None:
            self._load_teams()

    @work(thread=True, exclusive=True, group="teams")
    def _load_teams(self) -> None:
        assert self._read_teams is not None
        teams = self._read_teams()
        if teams:
            self.app.call_from_thread(self._offer_teams, [name for name, _area in teams])

    def _offer_teams(self, names: list[str]) -> None:
        """The teams the QA team keeps (copied here by sync), as New evaluation offers them."""
        self.query_one("#team", Input).suggester = SuggestFromList(names, case_sensitive=False)
        hint = self.query_one("#team-hint", Label)
        hint.update(f"{len(names)} known teams: start typing, → accepts the suggestion")
        hint.display = True

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def _save(self) -> None:
        if not self._value("name"):
            error = self.query_one("#name-error", Label)
            error.update("Your name is needed: it is recorded as the auditor.")
            error.add_class("-shown")
            self.query_one("#name", Input).focus()
            return
        self.dismiss(Identity(self._value("name"), self._value("role"), self._value("team")))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "team":
            self._save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        self._save()

    def action_skip(self) -> None:
        self.dismiss(None)
