"""Data minimisation: removing completed, acknowledged evaluations from a laptop.

An evaluation is purged only when it is completed, the central database has acknowledged its
whole current history (:mod:`qa_tui.sync.acks`), and both happened more than the retention
period ago. Nothing unacknowledged is ever purged. The central database never purges.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qa_tui.clock import stamp
from qa_tui.store import models
from qa_tui.store.entities import CREATION_ORDER, ENTITY_TYPES
from qa_tui.store.role import is_central
from qa_tui.store.sync_models import PurgedEvaluation, SyncAck
from qa_tui.sync.acks import digests
from qa_tui.sync.errors import SyncError


@dataclass
class PurgeReport:
    """What a purge removed (evaluation ids) and how many completed ones it had to keep."""

    purged: list[str] = field(default_factory=list)
    kept_unacknowledged: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would purge" if self.dry_run else "purged"
        return (
            f"{verb} {len(self.purged)} evaluations; kept {self.kept_unacknowledged} "
            "completed but not acknowledged by the central database"
        )


def _purge_one(session: Session, evaluation_id: str, now: str) -> None:
    session.execute(
        delete(models.ChangeLink).where(models.ChangeLink.evaluation_id == evaluation_id)
    )
    session.execute(delete(models.Change).where(models.Change.evaluation_id == evaluation_id))
    session.execute(
        delete(models.FieldState).where(models.FieldState.evaluation_id == evaluation_id)
    )
    for name in reversed(CREATION_ORDER):
        etype = ENTITY_TYPES[name]
        if etype.root != "evaluation":  # records of other aggregates (moderation sessions) stay
            continue
        column = getattr(etype.model, etype.parent_key)
        session.execute(delete(etype.model).where(column == evaluation_id))
    session.execute(delete(SyncAck).where(SyncAck.evaluation_id == evaluation_id))
    session.add(PurgedEvaluation(evaluation_id=evaluation_id, purged_at=now))


def purge_expired(
    session: Session, retention_days: int, now: dt.datetime, dry_run: bool = False
) -> PurgeReport:
    """Purge completed evaluations acknowledged more than ``retention_days`` ago."""
    if is_central(session):
        raise SyncError("this is the central database: evaluations are never purged from it")
    if retention_days < 1:
        raise SyncError("the retention period must be at least one day")
    cutoff_text = stamp(now - dt.timedelta(days=retention_days))
    completed = session.execute(
        select(models.Evaluation.id, models.Evaluation.completed_at).where(
            models.Evaluation.status == "completed"
        )
    ).all()
    acks = {a.evaluation_id: a for a in session.scalars(select(SyncAck))}
    current = digests(session, [evaluation_id for evaluation_id, _ in completed])
    report = PurgeReport(dry_run=dry_run)
    for evaluation_id, completed_at in completed:
        ack = acks.get(evaluation_id)
        if ack is None or current.get(evaluation_id, ("", 0))[0] != ack.digest:
            report.kept_unacknowledged += 1
            continue
        if max(completed_at or "", ack.acknowledged_at) <= cutoff_text:
            report.purged.append(evaluation_id)
    if not dry_run:
        purged_at = stamp(now)
        for evaluation_id in report.purged:
            _purge_one(session, evaluation_id, purged_at)
    return report
