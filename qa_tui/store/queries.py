"""Read-only queries over the current state (the home list and friends)."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qa_tui.errors import NotFoundError
from qa_tui.store import models
from qa_tui.store.rows import EvaluationRow
from qa_tui.vocab import CONCERN_RECIPIENTS, OPEN_ACTION_STATUSES


def list_evaluations(session: Session) -> list[EvaluationRow]:
    """Every evaluation (not deleted), newest first, with its open-action count."""
    open_actions = (
        select(models.Action.evaluation_id, func.count().label("n"))
        .where(~models.Action.deleted, models.Action.current_status.in_(OPEN_ACTION_STATUSES))
        .group_by(models.Action.evaluation_id)
        .subquery()
    )
    conflicts = (
        select(models.FieldState.evaluation_id, func.count().label("n"))
        .where(models.FieldState.conflict)
        .group_by(models.FieldState.evaluation_id)
        .subquery()
    )
    shared, events = concern_subqueries()
    e = models.Evaluation
    query = (
        select(
            e,
            func.coalesce(open_actions.c.n, 0),
            func.coalesce(conflicts.c.n, 0),
            func.coalesce(shared.c.n, 0),
            func.coalesce(events.c.acknowledged, 0),
            func.coalesce(events.c.closed, 0),
        )
        .outerjoin(open_actions, open_actions.c.evaluation_id == e.id)
        .outerjoin(conflicts, conflicts.c.evaluation_id == e.id)
        .outerjoin(shared, shared.c.evaluation_id == e.id)
        .outerjoin(events, events.c.evaluation_id == e.id)
        .where(~e.deleted)
        .order_by(e.evaluation_date.desc(), e.created_at.desc(), e.id)
    )
    rows = []
    for ev, n_open, n_conflicts, n_shared, n_ack, n_closed in session.execute(query):
        rows.append(
            EvaluationRow(
                id=ev.id,
                case_reference=ev.case_reference,
                service_area=ev.service_area,
                team=ev.team,
                practitioner=ev.practitioner,
                auditor=ev.auditor,
                evaluation_type=ev.evaluation_type,
                template_id=ev.template_id,
                template_version=ev.template_version,
                status=ev.status,
                overall_grade=ev.overall_grade,
                open_actions=int(n_open),
                immediate_concern=bool(ev.immediate_concern),
                evaluation_date=ev.evaluation_date.isoformat() if ev.evaluation_date else "",
                created_at=ev.created_at,
                completed_at=ev.completed_at,
                conflicts=int(n_conflicts),
                concern_shared=int(n_shared),
                concern_acknowledged=bool(n_ack),
                concern_closed=bool(n_closed),
                demo=bool(ev.demo),
            )
        )
    return rows


def get_evaluation(session: Session, evaluation_id: str) -> models.Evaluation:
    """The evaluation with this id (NotFoundError if there is none, or it was deleted)."""
    evaluation = session.get(models.Evaluation, evaluation_id)
    if evaluation is None or evaluation.deleted:
        raise NotFoundError(f"No evaluation with id {evaluation_id}")
    return evaluation


def concern_subqueries() -> tuple[Any, Any]:
    """Per evaluation: how many of the four required recipients the concern notice was shared
    with (``n``), and how many acknowledgements and closures it has."""
    cs, ce = models.ConcernShare, models.ConcernEvent
    shared = (
        select(cs.evaluation_id, func.count(cs.recipient_role.distinct()).label("n"))
        .where(~cs.deleted, cs.recipient_role.in_(list(CONCERN_RECIPIENTS)))
        .group_by(cs.evaluation_id)
        .subquery()
    )
    events = (
        select(
            ce.evaluation_id,
            func.sum(case((ce.kind == "acknowledged", 1), else_=0)).label("acknowledged"),
            func.sum(case((ce.kind == "closed", 1), else_=0)).label("closed"),
        )
        .where(~ce.deleted)
        .group_by(ce.evaluation_id)
        .subquery()
    )
    return shared, events


def demo_evaluation_ids(session: Session) -> list[str]:
    """The evaluations made by ``qa-tui demo`` (fictional data), sorted."""
    e = models.Evaluation
    return list(session.scalars(select(e.id).where(e.demo).order_by(e.id)))


# The demo's plans, board meetings and systemic actions are marked by their ids: derived
# from this namespace (a real record's id is a random UUID, never one of these), so no column
# is needed. Room for DEMO_PROGRAMME_ROOM records of each kind.
DEMO_PROGRAMME = uuid.UUID("3f6b1d2e-9c47-4a85-b0e3-71d5c2a8e946")
DEMO_PROGRAMME_KINDS = ("plan", "board_meeting", "board_action")
DEMO_PROGRAMME_ROOM = 32
DEMO_CASE_LIST = "demo"  # imported_at of the demo's case list (reference data, not history)


def demo_programme_id(kind: str, number: int) -> str:
    """The id of the demo's ``number``-th record of ``kind`` (a plan, a board meeting or a
    systemic action): the same on every laptop, for every seed."""
    if kind not in DEMO_PROGRAMME_KINDS or not 0 <= number < DEMO_PROGRAMME_ROOM:
        raise ValueError(f"no demo {kind} number {number}")
    return str(uuid.uuid5(DEMO_PROGRAMME, f"{kind}/{number}"))


@functools.cache
def demo_programme_ids() -> frozenset[str]:
    """Every id a demo plan, board meeting or systemic action can have."""
    return frozenset(
        demo_programme_id(kind, n)
        for kind in DEMO_PROGRAMME_KINDS
        for n in range(DEMO_PROGRAMME_ROOM)
    )


def demo_programme_present(session: Session) -> list[str]:
    """The demo plans, board meetings and systemic actions this database holds, sorted."""
    ids = sorted(demo_programme_ids())
    found: list[str] = []
    for model in (models.Plan, models.BoardMeeting, models.BoardAction):
        found += session.scalars(select(model.id).where(model.id.in_(ids)))
    return sorted(found)


def demo_aggregate_ids(session: Session) -> set[str]:
    """Every aggregate made by ``qa-tui demo``: its evaluations, its moderation sessions, its
    plans, board meetings and systemic actions (what export and sync leave behind unless
    asked)."""
    s = models.ModerationSession
    sessions = set(session.scalars(select(s.id).where(s.demo)))
    return set(demo_evaluation_ids(session)) | sessions | set(demo_programme_present(session))


def find_by_case_reference(session: Session, text: str) -> list[models.Evaluation]:
    """Evaluations whose case reference contains ``text`` (case-insensitive)."""
    pattern = f"%{text.strip().lower()}%"
    return list(
        session.scalars(
            select(models.Evaluation)
            .where(
                ~models.Evaluation.deleted,
                func.lower(models.Evaluation.case_reference).like(pattern),
            )
            .order_by(models.Evaluation.case_reference)
        )
    )


def list_teams(session: Session, include_retired: bool = False) -> list[models.Team]:
    """The teams (copied from the central database by sync), by name; retired ones if asked."""
    query = select(models.Team).order_by(func.lower(models.Team.name))
    if not include_retired:
        query = query.where(~models.Team.retired)
    return list(session.scalars(query))
