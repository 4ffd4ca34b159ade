"""The editor's reads: the evaluation as one transaction saw it, with what is still missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa_tui.domain.completion import missing
from qa_tui.store.views import EvaluationView, load_view
from qa_tui.vocab import STATUSES

if TYPE_CHECKING:
    from qa_tui.domain.completion import Missing
    from qa_tui.framework.model import Template
    from qa_tui.workspace import Workspace


@dataclass
class Snapshot:
    """The evaluation as read in one transaction, with what is still missing (and, on the
    first read, where the user last was)."""

    view: EvaluationView
    template: Template
    todo: list[Missing]
    position: tuple[str, str] = ("", "")

    def title(self) -> str:
        """The editor's title: what matters first, so a narrow terminal cuts only the
        template's name (which the case details show too)."""
        ev = self.view.evaluation
        # A reopened evaluation says so: it was completed once.
        state = "Completed — read-only" if self.view.read_only else STATUSES.get(ev.status, "Draft")
        demo = " (demo)" if ev.demo else ""
        return f"{ev.case_reference}{demo} · {state} · {self.template.name}"

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for problem in self.todo:
            counts[problem.section] = counts.get(problem.section, 0) + 1
        return counts


def read_snapshot(ws: Workspace, evaluation_id: str, with_position: bool = False) -> Snapshot:
    """Load the evaluation (committed session: the objects stay readable once it closes);
    runs in a worker thread."""
    with ws.store.session() as session:
        view = load_view(session, evaluation_id)
    template = ws.template_for(view.evaluation)
    position = ws.positions.load(evaluation_id) if with_position else ("", "")
    return Snapshot(view, template, missing(view, template), position)
