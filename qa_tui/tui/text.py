"""The one way text from a user, a template or another laptop reaches the terminal.

Every such string goes through :func:`qa_tui.textsafe.shown` (control characters made
visible, one cell for one character) and is never parsed as markup:

* :func:`literal` — a block of text for a ``Static``, a ``Label``, an option or a cell;
* :func:`line` — one line, whitespace folded, shortened with an ellipsis;
* :class:`SafeInput` and :class:`SafeTextArea` — editors that *store* exactly what was typed
  or pasted and *draw* it made visible, with the cursor where it belongs.

The app's :meth:`~qa_tui.tui.app.QaApp.notify` passes every notification through the same
function, so a widget cannot forget. ``tests/tui/test_display_safety.py`` feeds arbitrary text
through every screen and checks that no control character reaches the rendered output.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.app import App
from textual.content import Content
from textual.geometry import Size, clamp
from textual.notifications import SeverityLevel
from textual.strip import Strip
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from qa_tui.textsafe import is_shown_safe, shown

if TYPE_CHECKING:
    from qa_tui.tui.text_area import SafeTextArea

__all__ = [
    "SafeInput",
    "SafeNotifications",
    "SafeTextArea",
    "Shown",
    "ShownLabel",
    "line",
    "literal",
    "rich_text",
    "shown",
]


def literal(text: str, *, multiline: bool = True) -> Content:
    """``text`` exactly as written, made harmless: never markup, no control characters."""
    return Content(shown(text, multiline=multiline))


def line(text: str, limit: int | None = None) -> str:
    """One line of ``text``: whitespace folded, control characters visible, ``…`` past
    ``limit`` characters."""
    flat = shown(" ".join(text.split()))
    if limit is None or len(flat) <= limit:
        return flat
    return flat[: limit - 1] + "…"


def rich_text(text: str, *, multiline: bool = False, **kwargs: Any) -> Text:
    """A Rich ``Text`` of ``text`` made harmless (for tables, option lists, radio labels)."""
    return Text(shown(text, multiline=multiline), **kwargs)


# Only these end a line in an editor. str.splitlines() also splits on form feed, the file,
# group and record separators, NEL and U+2028/9, which would store newlines the user never
# typed; here those stay in the line (and are drawn as pictures).
_NEWLINE = re.compile(r"\r\n|\r|\n")


class SafeInput(Input):
    """An ``Input`` that keeps what is typed and draws control characters as pictures.

    ``value`` is untouched; only the three places Textual turns the value into cells are
    overridden, all with the same one-for-one mapping, so selection and cursor stay aligned.
    """

    @property
    def _value(self) -> Text:
        if self.password:
            return Text("•" * len(self.value), no_wrap=True, overflow="ignore", end="")
        return Text(shown(self.value), no_wrap=True, overflow="ignore", end="")

    def render_line(self, y: int) -> Strip:
        # A suggestion (a team name from the central database, say) is drawn from
        # ``_suggestion`` directly: show it made visible for this frame only, so accepting it
        # still fills in the text as stored.
        suggestion = self._suggestion
        if is_shown_safe(suggestion):
            return super().render_line(y)
        self.set_reactive(Input._suggestion, shown(suggestion))
        try:
            return super().render_line(y)
        finally:
            self.set_reactive(Input._suggestion, suggestion)

    def _on_paste(self, event: events.Paste) -> None:
        # Textual keeps only the first line of a paste (and str.splitlines() also breaks at a
        # form feed or a record separator): every character is kept here, and a line break in
        # a one-line field becomes a space, so nothing pasted is silently dropped.
        if event.text:
            text = _NEWLINE.sub(" ", event.text)
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.stop()
        event.prevent_default()  # Textual would otherwise run Input's own handler as well

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual size to the text's width on every change, and that reactive
        # lays out the whole screen (every widget drawn again: a filter key at 200×50 took
        # 20–40 ms). An input sized by CSS (no auto width or height) only scrolls within
        # itself: the new width is set quietly and its scrollbars told, as a layout would.
        size = Size(self.content_width, 1)
        if self.is_mounted and not self.styles.auto_dimensions and size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)  # Textual 8.2's own (pinned), as Widget's layout does
        super()._watch_value(value)

    def _position_to_cell(self, position: int) -> int:
        return cell_len(shown(self.value[:position]))

    def _cell_offset_to_index(self, offset: int) -> int:
        cell_offset = 0
        scroll_x, _ = self.scroll_offset
        offset += scroll_x
        for index, char in enumerate(shown(self.value)):
            width = get_character_cell_size(char)
            if cell_offset <= offset < cell_offset + width:
                return index
            cell_offset += width
        return clamp(offset, 0, len(self.value))


def _split_lines(text: str) -> list[str]:
    return _NEWLINE.split(text)


class Shown(Static):
    """A ``Static`` for text that is not ours (user, template, another laptop, an error that
    quotes input): whatever it is given, at creation or by :meth:`update`, shows literally."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(literal(text), **kwargs)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(literal(content) if isinstance(content, str) else content, layout=layout)


class ShownLabel(Shown, Label):
    """A :class:`Shown` sized like a ``Label`` (as wide as its text)."""


class SafeNotifications(App[Any]):
    """Mixed into the app: every notification, from any screen or widget, is shown literally
    with control characters made visible (messages quote user input and other laptops' text).
    """

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        super().notify(
            shown(message, multiline=True),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )


def __getattr__(name: str) -> Any:
    # The editors' text area (Textual's TextArea, its documents, tree-sitter: ~10 ms to
    # import) is loaded when first asked for: the home screen, the first drawn, has none.
    if name == "SafeTextArea":
        from qa_tui.tui import text_area

        return getattr(text_area, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
