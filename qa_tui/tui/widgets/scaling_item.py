"""A scaling question: both ends described; per participant a scale 0–10 and a rationale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input

from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    ErrorHost,
    Field,
    FieldError,
    ItemWidget,
    label,
    row_of,
    user_edit,
)
from qa_tui.tui.widgets.participants_panel import ParticipantAdder

if TYPE_CHECKING:
    from qa_tui.framework.model import Item
    from qa_tui.services.editor import ScaleField
    from qa_tui.store.views import EvaluationView


class ScaleRow(ErrorHost, Vertical):
    """One participant's scale and rationale."""

    DEFAULT_CLASSES = "scale-row"

    def __init__(
        self, item_id: str, participant_id: str, who: str, score: int | None, why: str
    ) -> None:
        super().__init__(id=f"s-{item_id}-{participant_id}")
        self.participant_id = participant_id
        self._who, self._score, self._why = who, score, why

    def compose(self) -> ComposeResult:
        yield label(self._who, "who")
        with Horizontal(classes="row"):
            score = "" if self._score is None else str(self._score)
            yield Field(
                score, placeholder="0–10", restrict=r"\d{0,2}", max_length=2, classes="score"
            )
            yield Field(self._why, placeholder="Rationale for this scale", classes="rationale")
        yield FieldError("score")


def _who(name: str, role: str) -> str:
    return f"{name} ({role})" if name and role else name or role


class ScalingItem(ItemWidget):
    """The scaling question, with every participant's answer."""

    def __init__(self, ctx: EditorContext, item: Item, view: EvaluationView) -> None:
        super().__init__(ctx, id=f"t-{item.id}")
        self.item = item
        self._rows: list[tuple[str, str, int | None, str]] = []
        for person in view.participants:
            scale = view.scale_for(item.id, person.id)
            self._rows.append(
                (
                    person.id,
                    _who(person.name, person.role),
                    scale.score if scale else None,
                    scale.rationale if scale else "",
                )
            )

    def compose(self) -> ComposeResult:
        item = self.item
        yield label(item.prompt, "prompt")
        if item.guidance:
            yield label(item.guidance, "guidance")
        yield label(f"0 — {item.scale_low or 'the lowest'}", "scale-end")
        yield label(f"10 — {item.scale_high or 'the highest'}", "scale-end")
        with Vertical(classes="scales"):
            for participant_id, who, score, why in self._rows:
                yield ScaleRow(item.id, participant_id, who, score, why)
        yield ParticipantAdder(self.ctx, classes="adder")
        yield FieldError(item.id)

    def first_missing(self) -> Widget | None:
        """The first participant's scale or rationale still empty (None: all given)."""
        for field in self.query(".scale-row Input").results(Input):
            if not field.value.strip():
                return field
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        row = row_of(event.input, ScaleRow)
        if row is None:
            return
        event.stop()
        if not user_edit(event):
            return
        field: ScaleField = "score" if event.input.has_class("score") else "rationale"
        item_id, participant_id = self.item.id, row.participant_id
        self.ctx.saver.later(
            Target(f"scale:{item_id}:{participant_id}:{field}", row, field),
            self.ctx.editor.set_scale,
            item_id,
            participant_id,
            field,
            event.input.value,
        )

    def on_participant_adder_added(self, event: ParticipantAdder.Added) -> None:
        event.stop()
        who = _who(event.name, event.role)
        row = ScaleRow(self.item.id, event.participant_id, who, None, "")
        self.query_one(".scales", Vertical).mount(row)
