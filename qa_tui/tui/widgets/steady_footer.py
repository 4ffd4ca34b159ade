"""A footer that hides and shows its keys instead of rebuilding itself.

Textual's footer rebuilds itself (its keys unmounted, a dozen widgets mounted, each styled, the
screen laid out again) whenever the screen's bindings may have changed, and every focus move is
such a change. On the QA desk's lists the first letter typed moves the focus from the list to
its filter, where the list's letter keys (progress, status, overdue) stop applying: that
rebuild was most of the keystroke (70-100 ms of CPU at 200x50 on the 2-core test machine,
against 20-30 ms for the filter itself). This footer, when the keys to show are some of those
it already has, hides the others and shows those again (no widget made, no style computed
anew); it rebuilds only for a key it does not have.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Entry = tuple[object, ...]


def _shown(screen: Screen[object]) -> list[Entry]:
    """The keys a footer on ``screen`` draws, as the user sees them: one per action (the first
    of its keys, as Textual's footer draws them), the command palette's key included."""
    app = screen.app
    seen: set[str] = set()
    out: list[Entry] = []
    for _node, binding, enabled, tooltip in screen.active_bindings.values():
        if not binding.show and binding.key != app.COMMAND_PALETTE_BINDING:
            continue
        if binding.action in seen:
            continue
        seen.add(binding.action)
        display = app.get_key_display(binding)
        out.append((binding.key, binding.action, display, binding.description, enabled, tooltip))
        if binding.group is not None:
            out.append(("group", binding.group))  # a group has a label: rebuilt, not hidden
    return out


class SteadyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that hides the keys it has rather than rebuild."""

    def __init__(self) -> None:
        super().__init__()
        self._built: list[Entry] | None = None  # the keys its widgets were made for
        # Its keys made with it, not after the screen's first update (Textual's footer waits
        # for the bindings to be "ready", then rebuilds itself once per change notified on the
        # way: three times as a list screen opens, the last often just after its first page).
        self.set_reactive(Footer._bindings_ready, True)

    def compose(self) -> ComposeResult:
        self._built = _shown(self.screen) if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._built is None or screen is not self.screen or not screen.app.app_focus:
            super().bindings_changed(screen)
            return
        wanted = _shown(screen)
        grouped = any(entry[0] == "group" for entry in self._built)
        if grouped or not set(wanted) <= set(self._built):
            super().bindings_changed(screen)  # a key it has no widget for: rebuild
            return
        keys = {(entry[0], entry[1]) for entry in wanted}
        for widget in self.query(FooterKey):
            visible = (widget.key, widget.action) in keys
            if widget.display != visible:
                widget.display = visible
