"""The typed writes and reads of a moderation session, each in one transaction.

The screens of the moderation group hand these calls to the app's one writer (writes) or run
them in a worker (reads); the CLI can call them directly. Each is one domain operation of
:mod:`qa_tui.domain.sessions` (or :mod:`qa_tui.domain.sampling`) in
:meth:`~qa_tui.workspace.Workspace.write`, so the type checker checks every argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from qa_tui.domain import sampling
from qa_tui.domain import sessions as ses
from qa_tui.domain.session_views import (
    CaseEvaluation,
    Comparison,
    SessionDetail,
    SessionRow,
    SideBySide,
    compare,
    evaluations_of_case,
    list_sessions,
    load_session,
    side_by_side,
)
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.queries import get_evaluation
from qa_tui.workspace import Workspace


@dataclass(frozen=True)
class Candidate:
    """A completed evaluation that can be put on a session's agenda."""

    id: str
    case_reference: str
    evaluation_date: dt.date | None
    team: str
    service_area: str
    auditor: str
    template_id: str
    overall_grade: str


class SessionService:
    """Moderation sessions on one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # --- writes ------------------------------------------------------------------------

    def create(
        self,
        held_on: dt.date | str,
        title: str,
        moderators: Sequence[tuple[str, str]],
        blind_first: bool = True,
    ) -> str:
        return self.ws.write(ses.create_session, held_on, title, moderators, blind_first)

    def add_moderator(self, session_id: str, name: str, role: str) -> str:
        return self.ws.write(ses.add_moderator, session_id, name, role)

    def add_evaluations(self, session_id: str, evaluation_ids: Sequence[str]) -> int:
        """Put several evaluations on the agenda in one transaction (all or none)."""
        with self.ws.store.session() as session:
            for evaluation_id in evaluation_ids:
                ses.add_evaluation(session, self.ws.actor, session_id, evaluation_id)
        return len(evaluation_ids)

    def remove_evaluation(self, session_id: str, evaluation_id: str) -> None:
        self.ws.write(ses.remove_evaluation, session_id, evaluation_id)

    def sample(
        self, session_id: str, flt: sampling.EvaluationFilter, size: int, seed: int
    ) -> sampling.SampleRecord:
        return self.ws.write(sampling.draw_sample, session_id, flt, size, seed)

    def blind(
        self,
        template: Template,
        session_id: str,
        moderator: str,
        evaluation_id: str,
        item_id: str,
        grade: str,
    ) -> str:
        return self.ws.write(
            ses.set_blind_grade, template, session_id, moderator, evaluation_id, item_id, grade
        )

    def reveal(self, session_id: str, evaluation_id: str) -> None:
        self.ws.write(ses.reveal, session_id, evaluation_id)

    def agree(
        self,
        template: Template,
        session_id: str,
        evaluation_id: str,
        item_id: str,
        grade: str,
        rationale: str,
    ) -> str:
        return self.ws.write(
            ses.agree, template, session_id, evaluation_id, item_id, grade, rationale
        )

    def outcome(
        self, session_id: str, evaluation_id: str, learning: str, strengths: str, gaps: str
    ) -> int:
        return self.ws.write(
            ses.record_outcome,
            session_id,
            evaluation_id,
            learning_points=learning,
            feedback_strengths=strengths,
            feedback_gaps=gaps,
        )

    def close(self, session_id: str) -> None:
        self.ws.write(ses.close_session, session_id)

    def reopen(self, session_id: str) -> None:
        self.ws.write(ses.reopen_session, session_id)

    # --- reads -------------------------------------------------------------------------

    def sessions(self) -> list[SessionRow]:
        return self.ws.read(list_sessions)

    def detail(self, session_id: str) -> SessionDetail:
        return self.ws.read(load_session, session_id)

    def template_of(self, evaluation_id: str) -> Template:
        evaluation = self.ws.read(get_evaluation, evaluation_id)
        return self.ws.template_for(evaluation)

    def side_by_side(self, session_id: str, evaluation_id: str) -> SideBySide:
        """One evaluation of the session, item by item, read in one transaction (its
        template found from the evaluation read there)."""
        return self.ws.read(side_by_side, self.ws.template_for, session_id, evaluation_id)

    def compare(self, first: str, second: str) -> Comparison:
        pair = ((first, self.template_of(first)), (second, self.template_of(second)))
        return self.ws.read(compare, *pair)

    def case_evaluations(self, case_reference: str) -> list[CaseEvaluation]:
        return self.ws.read(evaluations_of_case, case_reference)

    def candidates(self, session_id: str) -> list[Candidate]:
        """Completed evaluations not on the session's agenda, newest first."""
        from sqlalchemy import select

        with self.ws.store.reader() as session:
            taken = set(
                session.scalars(
                    select(models.Moderation.evaluation_id).where(
                        models.Moderation.session_id == session_id, ~models.Moderation.deleted
                    )
                )
            )
            e = models.Evaluation
            rows = session.scalars(
                select(e)
                .where(~e.deleted, e.status == "completed")
                .order_by(e.evaluation_date.desc(), e.case_reference)
            )
            return [
                Candidate(
                    r.id,
                    r.case_reference,
                    r.evaluation_date,
                    r.team,
                    r.service_area,
                    r.auditor,
                    r.template_id,
                    r.overall_grade,
                )
                for r in rows
                if r.id not in taken
            ]
