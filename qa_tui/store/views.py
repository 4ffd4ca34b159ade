"""A whole evaluation read in one go: what the screens, the summary, the completion check and
reports show (current state, deleted records left out)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.entities import CREATE
from qa_tui.store.queries import get_evaluation
from qa_tui.vocab import OPEN_ACTION_STATUSES


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
    concern_events: list[models.ConcernEvent] = field(default_factory=list)
    summary_shares: list[models.SummaryShare] = field(default_factory=list)
    updates: dict[str, list[models.ActionUpdate]] = field(
        default_factory=lambda: defaultdict(list)
    )  # by action id, oldest first
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
        return [a for a in self.actions if a.current_status in OPEN_ACTION_STATUSES]


def _alive(session: Session, model: Any, evaluation_id: str) -> list[Any]:
    return list(
        session.scalars(select(model).where(model.evaluation_id == evaluation_id, ~model.deleted))
    )


def _creation_order(session: Session, evaluation_id: str) -> dict[str, int]:
    """The counter of each record's creation change: records made in the same millisecond
    (the auditor and the practitioner added together) still keep the order they were made in."""
    return dict(
        session.execute(
            select(models.Change.entity_id, models.Change.counter).where(
                models.Change.evaluation_id == evaluation_id, models.Change.field == CREATE
            )
        ).all()
    )


def load_view(session: Session, evaluation_id: str) -> EvaluationView:
    """Read one evaluation with all its records."""
    view = EvaluationView(get_evaluation(session, evaluation_id))
    made = _creation_order(session, evaluation_id)

    def by_creation(row: Any) -> tuple[str, int, str]:
        return (row.created_at, made.get(row.id, 0), row.id)

    view.participants = sorted(_alive(session, models.Participant, evaluation_id), key=by_creation)
    view.responses = {r.item_id: r for r in _alive(session, models.Response, evaluation_id)}
    for entry in sorted(
        _alive(session, models.Entry, evaluation_id), key=lambda e: (e.position, e.id)
    ):
        view.entries[entry.item_id].append(entry)
    # An item's scales in the order their participants were added (never as an index happens
    # to give them back).
    place = {p.id: n for n, p in enumerate(view.participants)}
    for scale in sorted(
        _alive(session, models.Scale, evaluation_id),
        key=lambda s: (place.get(s.participant_id, len(place)), s.created_at, s.id),
    ):
        view.scales[scale.item_id].append(scale)
    for item in sorted(_alive(session, models.Feedback, evaluation_id), key=by_creation):
        view.feedback[item.item_id].append(item)
    view.actions = sorted(_alive(session, models.Action, evaluation_id), key=by_creation)
    view.shares = sorted(_alive(session, models.ConcernShare, evaluation_id), key=by_creation)
    view.events = sorted(_alive(session, models.LifecycleEvent, evaluation_id), key=by_creation)
    view.concern_events = sorted(
        _alive(session, models.ConcernEvent, evaluation_id), key=by_creation
    )
    view.summary_shares = sorted(
        _alive(session, models.SummaryShare, evaluation_id), key=by_creation
    )
    for update in sorted(
        _alive(session, models.ActionUpdate, evaluation_id),
        key=lambda u: (u.updated_on or dt.date.min, made.get(u.id, 0), u.id),
    ):
        view.updates[update.action_id].append(update)
    view.conflicts = set(
        session.execute(
            select(models.FieldState.entity_id, models.FieldState.field).where(
                models.FieldState.evaluation_id == evaluation_id, models.FieldState.conflict
            )
        )
    )
    return view
