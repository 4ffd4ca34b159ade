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
from typing import Any

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.app import App
from textual.content import Content
from textual.document._document import Document, EditResult, Location
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Size, clamp
from textual.notifications import SeverityLevel
from textual.strip import Strip
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from qa_tui.textsafe import is_shown_safe, shown

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


class VisibleDocument(Document):
    """A TextArea document holding the text as typed and offering it to the view made visible.

    Everything that measures or draws (``lines``, ``get_line``, indexing, ``get_size``) sees
    :func:`shown` lines, which have the same length; ``text`` and ranges are the raw text.
    Every character is kept except that, as in any Textual document, the line breaks of one
    text take one kind (the first found): a lone CR becomes a line break, never a return to
    the start of the line.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._lines = _split_lines(text)

    @property
    def lines(self) -> list[str]:
        return [shown(raw, multiline=True) for raw in self._lines]

    def __getitem__(self, line_index: int | slice) -> Any:
        if isinstance(line_index, slice):
            return [shown(raw, multiline=True) for raw in self._lines[line_index]]
        return shown(self._lines[line_index], multiline=True)

    def get_line(self, index: int) -> str:
        return self[index]

    def get_size(self, tab_width: int) -> Size:
        lines = self.lines
        width = max((cell_len(x.expandtabs(tab_width)) for x in lines), default=0)
        return Size(width, len(lines))

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        """As :meth:`Document.replace_range`, splitting only at real line ends."""
        top, bottom = sorted((start, end))
        top_row, top_column = top
        bottom_row, bottom_column = bottom
        # A final newline already gives a final empty line, as Document's special case does.
        insert_lines = _split_lines(text) if text else []
        lines = self._lines
        replaced_text = self.get_text_range(top, bottom)
        after = lines[bottom_row][bottom_column:] if bottom_row < len(lines) else ""
        before = lines[top_row][:top_column] if top_row < len(lines) else ""
        if insert_lines:
            insert_lines[0] = before + insert_lines[0]
            destination_column = len(insert_lines[-1])
            insert_lines[-1] = insert_lines[-1] + after
        else:
            destination_column = len(before)
            insert_lines = [before + after]
        lines[top_row : bottom_row + 1] = insert_lines
        return EditResult((top_row + len(insert_lines) - 1, destination_column), replaced_text)


class SafeTextArea(TextArea):
    """A ``TextArea`` on a :class:`VisibleDocument`: stores what is typed, draws it safely."""

    def _set_document(self, text: str, language: str | None) -> None:
        # Plain text only (no syntax highlighting), as TextArea does for language=None.
        self._highlight_query = None
        document = VisibleDocument(text)
        self.document = document
        self.wrapped_document = WrappedDocument(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()


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
