"""F1: the keys of the screen underneath and a short how-to."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Static

from qa_tui.tui.text import Shown

GENERAL = (
    "Everywhere: ctrl+p opens the command palette (every action, and open an evaluation by "
    "its case reference); F1 shows this help; ctrl+q quits. Work is saved as you type."
)


def screen_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, what it does) for the bindings active on ``screen``, the app's own first."""
    seen: set[str] = set()
    ranked: list[tuple[int, str, str]] = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        # The app's own bindings all have ids; Textual's generic ones (tab, copy…) do not.
        rank = 0 if binding.id else 1 if active.node in (screen, screen.app) else 2
        ranked.append((rank, screen.app.get_key_display(binding) or key, binding.description))
    ranked.sort(key=lambda row: row[0])  # stable: keeps the bindings' own order within a rank
    return [(key, description) for _, key, description in ranked]


def keys_content(rows: list[tuple[str, str]]) -> Content:
    width = max((len(key) for key, _ in rows), default=4) + 2
    lines = [
        Content.assemble((key.ljust(width), "bold $accent"), description)
        for key, description in rows
    ]
    return Content("\n").join(lines) if lines else Content("No keys on this screen.")


class HelpDialog(ModalScreen[None]):
    """Help for ``screen``: its keys, and its ``HELP`` text (plain text, no markup)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,f1,q", "close", "Close help", id="help.close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__(classes="dialog")
        self._title = str(getattr(screen, "HELP_TITLE", "") or screen.title or "Help")
        self._how_to = str(getattr(screen, "HELP", "") or "")
        self._keys = screen_keys(screen)
        # What the screen can say about where the user is (the editor: the focused item's
        # words and where they come from).
        about = getattr(screen, "help_about", None)
        self._about = str(about() or "") if callable(about) else ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Shown(f"Help: {self._title}", classes="title")
            with VerticalScroll(classes="form"):
                if self._how_to:
                    yield Shown(self._how_to)
                yield Static("Keys", classes="field-label")
                yield Static(keys_content(self._keys), id="help-keys")
                yield Static(GENERAL, classes="hint")
                if self._about:  # for a QA officer: after what a manager needs
                    yield Static("Where the words come from", classes="field-label")
                    yield Shown(self._about, id="help-about")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary", compact=True)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
