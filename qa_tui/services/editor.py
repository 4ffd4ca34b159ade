"""Every edit the evaluation editor makes, one typed method an operation.

The editor's widgets never call the domain directly: each change goes through one scheduling
call of the TUI's autosaver to a method of :class:`EvaluationEditor`, which runs the domain
rule in one transaction of its own (:meth:`Workspace.write`). Every argument is typed, so the
type checker checks every write end to end; the methods run on the writer thread
(:mod:`qa_tui.services.writer`), never the UI's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from qa_tui.domain import evaluation as ev
from qa_tui.domain import lifecycle, outcomes
from qa_tui.framework.model import Template
from qa_tui.workspace import Workspace

DetailField = Literal[
    "case_reference",
    "service_area",
    "team",
    "practitioner",
    "evaluation_date",
    "practice_day",
    "theme",
    "auditor",
    "auditor_role",
    "evaluation_type",
]
ResponseText = Literal["na_reason", "evidence", "text"]
OverallText = Literal["overall_na_reason", "summary_strengths", "summary_development"]
ActionField = Literal["description", "owner", "due_date"]
ScaleField = Literal["score", "rationale"]


@dataclass(frozen=True)
class EvaluationEditor:
    """The writes of one evaluation, each in a transaction of its own."""

    workspace: Workspace
    template: Template
    evaluation_id: str

    @property
    def _case_pattern(self) -> str:
        return self.workspace.settings.case_reference_pattern

    # --- case details -------------------------------------------------------------------

    def set_detail(self, field: DetailField, value: str) -> None:
        """A case detail, checked as the authority requires (dates, the case reference)."""
        self.workspace.write(
            ev.update_details, self.evaluation_id, {field: value}, self._case_pattern
        )

    def set_practitioner_present(self, present: bool) -> None:
        self.workspace.write(
            ev.update_details,
            self.evaluation_id,
            {"practitioner_present": present},
            self._case_pattern,
        )

    # --- graded, yes/no and text items -----------------------------------------------------

    def set_grade(self, item_id: str, grade: str) -> None:
        self.workspace.write(
            ev.set_response, self.template, self.evaluation_id, item_id, grade=grade
        )

    def set_answer(self, item_id: str, answer: bool | None) -> None:
        self.workspace.write(
            ev.set_response, self.template, self.evaluation_id, item_id, answer=answer
        )

    def set_response_text(self, item_id: str, field: ResponseText, text: str) -> None:
        """The evidence, the reason an item is not applicable, or a text item's answer."""
        self.workspace.write(
            ev.set_response, self.template, self.evaluation_id, item_id, **{field: text}
        )

    # --- prompts: examples to look for under a judgement ------------------------------------

    def set_prompt_mark(self, prompt_id: str, mark: str) -> None:
        """``seen``, ``not_seen``, ``not_applicable``, or ``""`` to clear the mark."""
        self.workspace.write(ev.set_prompt, self.template, self.evaluation_id, prompt_id, mark=mark)

    def set_prompt_evidence(self, prompt_id: str, text: str) -> None:
        self.workspace.write(
            ev.set_prompt, self.template, self.evaluation_id, prompt_id, evidence=text
        )

    def mark_not_reached(self, item_id: str) -> None:
        """A stage the case has not reached: its judgement not applicable, with the reason."""
        self.workspace.write(ev.mark_not_reached, self.template, self.evaluation_id, item_id)

    # --- lists (Signs of Safety) -------------------------------------------------------------

    def add_entry(self, item_id: str, text: str) -> str:
        return self.workspace.write(ev.add_entry, self.template, self.evaluation_id, item_id, text)

    def edit_entry(self, entry_id: str, text: str) -> None:
        self.workspace.write(ev.edit_entry, entry_id, text)

    def move_entry(self, entry_id: str, offset: int) -> None:
        self.workspace.write(ev.move_entry, entry_id, offset)

    def remove_entry(self, entry_id: str) -> None:
        self.workspace.write(ev.remove_entry, entry_id)

    # --- participants and scaling --------------------------------------------------------

    def add_participant(self, name: str, role: str) -> str:
        return self.workspace.write(ev.add_participant, self.evaluation_id, name, role)

    def update_participant(self, participant_id: str, name: str, role: str) -> None:
        self.workspace.write(ev.update_participant, participant_id, name, role)

    def remove_participant(self, participant_id: str) -> None:
        self.workspace.write(ev.remove_participant, participant_id)

    def set_scale(self, item_id: str, participant_id: str, field: ScaleField, value: str) -> None:
        """One participant's score (``"0"``–``"10"``, or empty) or rationale."""
        score, rationale = (value, None) if field == "score" else (None, value)
        self.workspace.write(
            ev.set_scale,
            self.template,
            self.evaluation_id,
            item_id,
            participant_id,
            score,
            rationale,
        )

    # --- feedback ---------------------------------------------------------------------------

    def add_feedback(self, item_id: str, source: str, given_by: str, text: str) -> str:
        return self.workspace.write(
            ev.add_feedback, self.template, self.evaluation_id, item_id, source, given_by, text
        )

    def update_feedback(self, feedback_id: str, source: str, given_by: str, text: str) -> None:
        self.workspace.write(ev.update_feedback, self.template, feedback_id, source, given_by, text)

    def remove_feedback(self, feedback_id: str) -> None:
        self.workspace.write(ev.remove_feedback, feedback_id)

    # --- actions, concern, overall ------------------------------------------------------------

    def add_action(self, description: str, owner: str, due: dt.date | str | None) -> str:
        return self.workspace.write(
            outcomes.add_action, self.evaluation_id, description, owner, due
        )

    def update_action(self, action_id: str, field: ActionField, value: str) -> None:
        self.workspace.write(outcomes.update_action, action_id, **{field: value})

    def remove_action(self, action_id: str) -> None:
        self.workspace.write(outcomes.remove_action, action_id)

    def set_concern(self, flag: bool | None, description: str) -> None:
        self.workspace.write(outcomes.set_concern, self.evaluation_id, flag, description)

    def set_overall_grade(self, grade: str) -> None:
        self.workspace.write(
            outcomes.set_overall, self.template, self.evaluation_id, overall_grade=grade
        )

    def set_overall_text(self, field: OverallText, text: str) -> None:
        self.workspace.write(
            outcomes.set_overall, self.template, self.evaluation_id, **{field: text}
        )

    # --- lifecycle ----------------------------------------------------------------------

    def complete(self) -> None:
        self.workspace.write(lifecycle.complete, self.template, self.evaluation_id)

    def reopen(self, reason: str) -> None:
        self.workspace.write(lifecycle.reopen, self.evaluation_id, reason)
