"""Read-only queries over the current state (the home list and friends)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_tui.domain.vocab import OPEN_ACTION_STATUSES
from qa_tui.store import models
from qa_tui.store.rows import EvaluationRow


def list_evaluations(session: Session) -> list[EvaluationRow]:
    """Every evaluation (not deleted), newest first, with its open-action count."""
    open_actions = (
        select(models.Action.evaluation_id, func.count().label("n"))
        .where(~models.Action.deleted, models.Action.status.in_(OPEN_ACTION_STATUSES))
        .group_by(models.Action.evaluation_id)
        .subquery()
    )
    conflicts = (
        select(models.FieldState.evaluation_id, func.count().label("n"))
        .where(models.FieldState.conflict)
        .group_by(models.FieldState.evaluation_id)
        .subquery()
    )
    e = models.Evaluation
    query = (
        select(e, func.coalesce(open_actions.c.n, 0), func.coalesce(conflicts.c.n, 0))
        .outerjoin(open_actions, open_actions.c.evaluation_id == e.id)
        .outerjoin(conflicts, conflicts.c.evaluation_id == e.id)
        .where(~e.deleted)
        .order_by(e.evaluation_date.desc(), e.created_at.desc(), e.id)
    )
    rows = []
    for ev, n_open, n_conflicts in session.execute(query):
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
                demo=bool(ev.demo),
            )
        )
    return rows


def demo_evaluation_ids(session: Session) -> list[str]:
    """The evaluations made by ``qa-tui demo`` (fictional data), sorted."""
    e = models.Evaluation
    return list(session.scalars(select(e.id).where(e.demo).order_by(e.id)))


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
