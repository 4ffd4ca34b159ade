"""The editors' text area: a ``TextArea`` that stores exactly what is typed or pasted and
draws it made visible (see :mod:`qa_tui.tui.text`, which offers it as ``SafeTextArea``;
kept apart so that screens without an editor do not import Textual's TextArea)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.document._document import Document, EditResult, Location
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Size
from textual.widgets import TextArea

from qa_tui.textsafe import shown
from qa_tui.tui.text import _split_lines

__all__ = ["SafeTextArea", "VisibleDocument"]


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
