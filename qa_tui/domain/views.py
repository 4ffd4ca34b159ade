"""A whole evaluation read in one go: what the screens, the summary and reports show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain.records import get_evaluation
from qa_tui.domain.vocab import OPEN_ACTION_STATUSES
from qa_tui.store import models


@dataclass
class EvaluationView:
    """Current state of one evaluation and everything in it (deleted records left out)."""

    evaluation: models.Evaluation
    participants: list[models.Participant] = field(default_factory=list)
    responses: dict[str, models.Response] = field(default_factory=dict)
    entries: dict[str, list[models.Entry]] = field(default_factory=lambda: defaultdict(list))
    scales: dict[str, list[models.Scale]] = field(default_factory=lambda: defaultdict(list))
    feedback: dict[str, list[models.Feedback]] = field(default_factory=lambda: defaultdict(list))
    actions: list[models.Action] = field(default_factory=list)
    shares: list[models.ConcernShare] = field(default_factory=list)
    events: list[models.LifecycleEvent] = field(default_factory=list)
    conflicts: set[tuple[str, str]] = field(default_factory=set)  # (entity_id, field)

    @property
    def id(self) -> str:
        return self.evaluation.id

    @property
    def read_only(self) -> bool:
        return self.evaluation.status == "completed"

    def scale_for(self, item_id: str, participant_id: str) -> models.Scale | None:
        return next((s for s in self.scales[item_id] if s.participant_id == participant_id), None)

    def open_actions(self) -> list[models.Action]:
        return [a for a in self.actions if a.status in OPEN_ACTION_STATUSES]


def _alive(session: Session, model: type, evaluation_id: str) -> list:
    return list(
        session.scalars(
            select(model).where(model.evaluation_id == evaluation_id, ~model.deleted)
        )
    )


def load_view(session: Session, evaluation_id: str) -> EvaluationView:
    """Read one evaluation with all its records."""
    view = EvaluationView(get_evaluation(session, evaluation_id))
    view.participants = sorted(
        _alive(session, models.Participant, evaluation_id), key=lambda p: (p.created_at, p.id)
    )
    view.responses = {r.item_id: r for r in _alive(session, models.Response, evaluation_id)}
    for entry in sorted(
        _alive(session, models.Entry, evaluation_id), key=lambda e: (e.position, e.id)
    ):
        view.entries[entry.item_id].append(entry)
    for scale in _alive(session, models.Scale, evaluation_id):
        view.scales[scale.item_id].append(scale)
    for item in sorted(
        _alive(session, models.Feedback, evaluation_id), key=lambda f: (f.created_at, f.id)
    ):
        view.feedback[item.item_id].append(item)
    view.actions = sorted(
        _alive(session, models.Action, evaluation_id), key=lambda a: (a.created_at, a.id)
    )
    view.shares = sorted(
        _alive(session, models.ConcernShare, evaluation_id), key=lambda s: (s.created_at, s.id)
    )
    view.events = sorted(
        _alive(session, models.LifecycleEvent, evaluation_id), key=lambda e: (e.created_at, e.id)
    )
    view.conflicts = set(
        session.execute(
            select(models.FieldState.entity_id, models.FieldState.field).where(
                models.FieldState.evaluation_id == evaluation_id, models.FieldState.conflict
            )
        ).tuples()
    )
    return view
