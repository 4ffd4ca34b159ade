"""A list item (working well, worries, what needs to happen): add, edit, reorder, remove."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TextArea

from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    ErrorHost,
    FieldError,
    ItemWidget,
    label,
)
from qa_tui.tui.widgets.long_field import LongField

if TYPE_CHECKING:
    from qa_tui.framework.model import Item
    from qa_tui.store.views import EvaluationView

KEYS_HINT = "Enter adds · Alt+↑ / Alt+↓ move an entry · Ctrl+Delete removes it"


class EntryInput(LongField):
    """One entry's text, wrapped in a box that grows so a long entry reads in full; its keys
    move or remove it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("alt+up", "command(-1)", "Move up", id="entry.move_up", show=False),
        Binding("alt+down", "command(1)", "Move down", id="entry.move_down", show=False),
    ]  # ctrl+delete (LongField's) removes it

    class Command(Message):
        def __init__(self, row: EntryRow, offset: int) -> None:
            super().__init__()
            self.row = row
            self.offset = offset  # -1 up, +1 down, 0 remove

    def action_command(self, offset: int) -> None:
        row = self.parent
        if isinstance(row, EntryRow):
            self.post_message(self.Command(row, offset))


class EntryRow(ErrorHost, Vertical):
    """An entry and the message about it, if any."""

    DEFAULT_CLASSES = "entry-row"

    def __init__(self, entry_id: str, text: str, number: int) -> None:
        super().__init__(id=f"e-{entry_id}")
        self.entry_id = entry_id
        self._text = text
        self._number = number

    def compose(self) -> ComposeResult:
        yield EntryInput(self._text, placeholder="(empty entry)")
        yield FieldError("entry")


class ListEditor(ItemWidget):
    """Entries of one list item, in order."""

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"t-{item.id}")
        self.item = item
        self._entries = [(e.id, e.text) for e in view.entries[item.id]]

    def compose(self) -> ComposeResult:
        yield label(self.item.prompt, "prompt")
        if self.item.guidance:
            yield label(self.item.guidance, "guidance")
        with Vertical(classes="entries"):
            for number, (entry_id, text) in enumerate(self._entries, 1):
                yield EntryRow(entry_id, text, number)
        yield LongField(placeholder="Add an entry and press Enter", id=f"f-{self.item.id}-new")
        yield label(KEYS_HINT, "hint")
        yield FieldError(self.item.id, "entry")

    def first_missing(self) -> Widget | None:
        """Where to type next: a new entry (the entries listed are already there)."""
        return self.new_input

    @property
    def new_input(self) -> LongField:
        return self.query_one(f"#f-{self.item.id}-new", LongField)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        row = event.text_area.parent
        if not isinstance(row, EntryRow):
            return
        self.ctx.saver.later(
            Target(f"entry:{row.entry_id}", row, "entry"),
            self.ctx.editor.edit_entry,
            row.entry_id,
            event.text_area.text,
        )

    def on_long_field_submitted(self, event: LongField.Submitted) -> None:
        event.stop()
        if event.field is not self.new_input:
            self.new_input.focus()
            return
        text = event.field.text
        if not text.strip():
            return
        item_id = self.item.id
        self.ctx.saver.now(
            Target(f"{item_id}:add", self, item_id), self.ctx.editor.add_entry, item_id, text
        ).then(lambda entry_id: self._added(entry_id, text))

    def _added(self, entry_id: str, text: str) -> None:
        entries = self.query_one(".entries", Vertical)
        entries.mount(EntryRow(entry_id, text, len(entries.children) + 1))
        if self.new_input.value == text:
            self.new_input.value = ""

    def on_long_field_remove(self, event: LongField.Remove) -> None:
        event.stop()
        row = event.field.parent
        if isinstance(row, EntryRow):
            self._command(row, 0)

    def on_entry_input_command(self, event: EntryInput.Command) -> None:
        event.stop()
        self._command(event.row, event.offset)

    def _command(self, row: EntryRow, offset: int) -> None:
        """Move an entry up (-1) or down (+1), or remove it (0)."""
        saver, editor = self.ctx.saver, self.ctx.editor
        if offset == 0:
            saver.now(
                Target(f"entry:{row.entry_id}:remove", row, "entry"),
                editor.remove_entry,
                row.entry_id,
            ).then(lambda _: self._removed(row))
        else:
            saver.now(
                Target(f"entry:{row.entry_id}:move", row, "entry"),
                editor.move_entry,
                row.entry_id,
                offset,
            ).then(lambda _: self._moved(row, offset))

    def _removed(self, row: EntryRow) -> None:
        rows = list(self.query(EntryRow))
        index = rows.index(row) if row in rows else -1
        row.remove()
        rest = [r for r in rows if r is not row]
        if rest:
            rest[min(index, len(rest) - 1)].query_one(EntryInput).focus()
        else:
            self.new_input.focus()

    def _moved(self, row: EntryRow, offset: int) -> None:
        entries = self.query_one(".entries", Vertical)
        rows = list(entries.children)
        index = rows.index(row)
        target = index + offset
        if 0 <= target < len(rows):
            if offset < 0:
                entries.move_child(row, before=rows[target])
            else:
                entries.move_child(row, after=rows[target])
        row.query_one(EntryInput).focus()
