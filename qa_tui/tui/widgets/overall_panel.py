"""Overall judgement and summary: strengths and areas for development."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input, RadioSet, TextArea

from qa_tui.framework.model import NOT_APPLICABLE
from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    Field,
    FieldError,
    ItemWidget,
    grade_radios,
    label,
    pressed_name,
    text_area,
    user_edit,
)

if TYPE_CHECKING:
    from qa_tui.services.editor import OverallText
    from qa_tui.store.views import EvaluationView

TEXTS = {
    "summary_strengths": "Summary of strengths",
    "summary_development": "Areas for development",
}


class OverallPanel(ItemWidget):
    """Step 8 of the journey, before completing."""

    def __init__(self, ctx: EditorContext, view: EvaluationView) -> None:
        super().__init__(ctx, id="t-overall")
        self.ev = view.evaluation
        self._grade = self.ev.overall_grade

    def compose(self) -> ComposeResult:
        yield label("Overall judgement", "prompt")
        yield grade_radios(self.ctx.template, self._grade, id="f-overall_grade")
        yield FieldError("overall_grade")
        na = Field(
            self.ev.overall_na_reason,
            placeholder="Why is it not applicable?",
            id="f-overall_na_reason",
        )
        na.display = self._grade == NOT_APPLICABLE
        yield na
        yield FieldError("overall_na_reason")
        for field, title in TEXTS.items():
            yield label(title + self._required(field), "field-label")
            yield text_area(getattr(self.ev, field), id=f"f-{field}", classes="answer")
            yield FieldError(field)

    def _required(self, field: str) -> str:
        """What the label says is required: strengths always; development as the template's
        rules say (below a grade)."""
        if field == "summary_strengths":
            return " (required)"
        from qa_tui.framework.model import RuleKind

        template = self.ctx.template
        for rule in template.rules:
            if rule.kind is RuleKind.DEVELOPMENT_BELOW_GRADE:
                grade = template.scale.label(rule.grade).lower()
                return f" (required for a judgement below {grade})"
        return ""

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        grade = pressed_name(event.radio_set)
        self.query_one("#f-overall_na_reason", Input).display = grade == NOT_APPLICABLE
        if grade != self._grade:
            self._grade = grade
            self.ctx.saver.now(
                Target("overall:overall_grade", self, "overall_grade"),
                self.ctx.editor.set_overall_grade,
                grade,
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not user_edit(event):
            return
        self.ctx.saver.later(
            Target("overall:overall_na_reason", self, "overall_na_reason"),
            self.ctx.editor.set_overall_text,
            "overall_na_reason",
            event.input.value,
        )

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        area = event.text_area
        field: OverallText = (
            "summary_strengths" if area.id == "f-summary_strengths" else "summary_development"
        )
        self.ctx.saver.later(
            Target(f"overall:{field}", self, field),
            self.ctx.editor.set_overall_text,
            field,
            area.text,
        )
