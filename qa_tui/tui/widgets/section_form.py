"""The widgets of one section of the form, built from the template and the evaluation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa_tui.domain.completion import ACTIONS, CONCERNS, DETAILS, OVERALL, PARTICIPANTS
from qa_tui.framework.model import ItemKind
from qa_tui.tui.widgets.actions_panel import ActionsPanel
from qa_tui.tui.widgets.base import EditorContext, label
from qa_tui.tui.widgets.concern_panel import ConcernPanel
from qa_tui.tui.widgets.details_panel import DetailsPanel
from qa_tui.tui.widgets.feedback_item import FeedbackItem
from qa_tui.tui.widgets.grade_item import GradeItem
from qa_tui.tui.widgets.list_item import ListEditor
from qa_tui.tui.widgets.overall_panel import OverallPanel
from qa_tui.tui.widgets.participants_panel import ParticipantsPanel
from qa_tui.tui.widgets.prompts_item import PromptsItem
from qa_tui.tui.widgets.scaling_item import ScalingItem
from qa_tui.tui.widgets.section_map import SectionEntry
from qa_tui.tui.widgets.text_item import TextItem
from qa_tui.tui.widgets.yes_no_item import YesNoItem

if TYPE_CHECKING:
    from textual.widget import Widget

    from qa_tui.framework.model import Template
    from qa_tui.store.views import EvaluationView

ITEM_WIDGETS = {
    ItemKind.GRADE: GradeItem,
    ItemKind.LIST: ListEditor,
    ItemKind.SCALING: ScalingItem,
    ItemKind.FEEDBACK: FeedbackItem,
    ItemKind.YES_NO: YesNoItem,
    ItemKind.TEXT: TextItem,
}

PANELS = {
    DETAILS: DetailsPanel,
    PARTICIPANTS: ParticipantsPanel,
    ACTIONS: ActionsPanel,
    CONCERNS: ConcernPanel,
    OVERALL: OverallPanel,
}


def journey(template: Template) -> list[SectionEntry]:
    """Every place in the journey, in order (the keys match completion's ``Missing.section``)."""
    return [
        SectionEntry(DETAILS, "Case details"),
        SectionEntry(PARTICIPANTS, "Participants"),
        *(SectionEntry(s.id, s.title) for s in template.sections),
        SectionEntry(ACTIONS, "Actions"),
        SectionEntry(CONCERNS, "Immediate concerns"),
        SectionEntry(OVERALL, "Overall judgement & summary"),
    ]


def build_section(ctx: EditorContext, key: str, title: str, view: EvaluationView) -> list[Widget]:
    """The heading and the fields of section ``key``."""
    widgets: list[Widget] = [label(title, "section-title")]
    panel = PANELS.get(key)
    if panel is not None:
        widgets.append(panel(ctx, view))
        return widgets
    section = next((s for s in ctx.template.sections if s.id == key), None)
    if section is None:
        return widgets
    if section.guidance:
        widgets.append(label(section.guidance, "section-guidance"))
    for item in section.items:
        # A judgement with prompts (examples to look for) has a widget of its own.
        kind = PromptsItem if item.prompts else ITEM_WIDGETS[item.kind]
        widgets.append(kind(ctx, item, view))
    return widgets
