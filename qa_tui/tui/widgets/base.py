"""What every editor widget shares: the context it saves through, and errors by the field.

A widget saves by handing a typed call of the core to the screen's autosaver:
``self.ctx.saver.later(Target(key, self, field), self.ctx.editor.set_grade, item_id, grade)``
(or ``.now(...)`` for a choice or a structural change). Nothing else writes.

User and template text is always shown through :mod:`qa_tui.tui.text`: never as markup, and
with control characters made visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, RadioSet, Select, Static, TextArea

from qa_tui.tui.text import SafeInput, SafeTextArea, literal, rich_text
from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.choice import Choice, ChoiceSet

if TYPE_CHECKING:
    from qa_tui.framework.model import Template
    from qa_tui.services.editor import EvaluationEditor
    from qa_tui.tui.widgets.autosave import Autosaver

W = TypeVar("W", bound=Widget)


@dataclass
class EditorContext:
    """Everything a field needs to save itself: passed in, never looked up."""

    editor: EvaluationEditor
    saver: Autosaver
    read_only: bool = False

    @property
    def template(self) -> Template:
        return self.editor.template


def label(text: str, *classes: str) -> Static:
    """A label showing ``text`` exactly as it is (template or user text alike)."""
    return Static(literal(text), classes=" ".join(classes))


class FieldError(Static):
    """The message the core gave for one field, shown right next to it."""

    def __init__(self, *names: str, **kwargs: Any) -> None:
        super().__init__("", classes="field-error", **kwargs)
        self.names = set(names)
        self.display = False

    def show(self, message: str) -> None:
        self.update(literal(f"⚠ {message}"))
        self.display = True

    def clear(self) -> None:
        if self.display:
            self.update("")
            self.display = False


class ErrorHost(Widget):
    """A widget holding fields and their :class:`FieldError` labels."""

    def _error_for(self, field: str) -> FieldError | None:
        errors = [e for e in self.query(FieldError) if self in e.ancestors]
        return next((e for e in errors if field in e.names), errors[-1] if errors else None)

    def show_error(self, field: str, message: str) -> None:
        found = self._error_for(field)
        if found is not None:
            found.show(message)
        else:
            self.notify(message, title="Not saved", severity="error")

    def clear_error(self, field: str) -> None:
        found = self._error_for(field)
        if found is not None:
            found.clear()


class ItemWidget(ErrorHost, Vertical):
    """One part of the form, saving through :class:`EditorContext`."""

    DEFAULT_CLASSES = "item"

    def __init__(self, ctx: EditorContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx

    def remove_row(
        self,
        row: ErrorHost,
        remove: Callable[[str], None],
        record_id: str,
        then: Callable[[], object] | None = None,
    ) -> None:
        """Delete the record behind ``row`` (Ctrl+Delete in a participant, feedback or action
        row); once it is written the row goes, then ``then`` runs."""

        def gone(_: None) -> None:
            row.remove()
            if then is not None:
                then()

        self.ctx.saver.now(Target(f"remove:{record_id}", row), remove, record_id).then(gone)

    def on_mount(self) -> None:
        if self.ctx.read_only:
            lock(self)


def lock(widget: Widget) -> None:
    """Read-only: text areas stay scrollable, everything else stops taking input."""
    for area in widget.query(TextArea):
        area.read_only = True
    for other in widget.query("Input, RadioSet, Select, Button"):
        other.disabled = True


def grade_radios(template: Template, current: str, *, id: str) -> RadioSet:
    """A radio set with the grading scale's words (and "not applicable"), never colour alone."""
    buttons = [
        Choice(rich_text(g.label), value=g.id == current, name=g.id) for g in template.scale.grades
    ]
    if template.scale.allow_not_applicable:
        from qa_tui.framework.model import NOT_APPLICABLE

        buttons.append(
            Choice(
                rich_text(template.scale.not_applicable_label),
                value=current == NOT_APPLICABLE,
                name=NOT_APPLICABLE,
            )
        )
    return ChoiceSet(*buttons, id=id, classes="grade-picker")


def yes_no_radios(current: bool | None, *, id: str) -> RadioSet:
    return ChoiceSet(
        Choice("Yes", value=current is True, name="yes"),
        Choice("No", value=current is False, name="no"),
        id=id,
        classes="yes-no",
    )


def pressed_name(radios: RadioSet) -> str:
    button = radios.pressed_button
    return button.name or "" if button is not None else ""


def text_area(text: str, *, id: str, classes: str = "") -> TextArea:
    area = SafeTextArea(text, id=id, soft_wrap=True, tab_behavior="focus", classes=classes)
    area.show_line_numbers = False
    return area


def choice_select(options: list[tuple[str, str]], value: str, **kwargs: Any) -> Select[str]:
    """A ``Select`` of ``(label, value)`` pairs with ``value`` chosen. A stored value this
    version does not offer (from a newer template, or another laptop) is kept and shown as
    such rather than refused, so the record still opens."""
    pairs = [(rich_text(text), key) for text, key in options]
    if value and value not in {key for _, key in options}:
        pairs.append((rich_text(f"{value} (not offered here)"), value))
    return Select(pairs, value=value or Select.NULL, allow_blank=not value, **kwargs)


def select_value(select: Select[Any]) -> str:
    value = select.value
    return value if isinstance(value, str) else ""


class Field(SafeInput):
    """An input that tells the user's edits from the echo of the value it was created with.

    ``Input`` posts ``Changed`` for its initial value; that must not be saved again (nor
    saved at all on a read-only evaluation).
    """

    def __init__(self, value: str = "", *args: Any, **kwargs: Any) -> None:
        self.echo_pending = bool(value)
        super().__init__(value, *args, **kwargs)


def user_edit(event: Input.Changed) -> bool:
    """False for the ``Changed`` a :class:`Field` posts for its initial value."""
    field = event.input
    if isinstance(field, Field) and field.echo_pending:
        field.echo_pending = False
        return False
    return True


class RowInput(Field):
    """A field of a row (participant, feedback, action): Ctrl+Delete removes the row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+delete", "remove_row", "Remove row", id="row.remove"),
    ]

    class Remove(Message):
        def __init__(self, field: RowInput) -> None:
            super().__init__()
            self.field = field

    def action_remove_row(self) -> None:
        self.post_message(self.Remove(self))


def row_of(widget: Widget, kind: type[W]) -> W | None:
    """The nearest ancestor of ``widget`` of type ``kind``."""
    for node in widget.ancestors:
        if isinstance(node, kind):
            return node
    return None
