"""Acknowledgements: which evaluations the central database is known to hold in full.

An evaluation's *digest* is the sha256 of its sorted change ids. After a direct sync the laptop
records, per evaluation, the digest of the history the central database now holds; while the
laptop's digest still matches, the evaluation is acknowledged (nothing new to hand over, and,
once completed, it may be purged after the retention period).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.sync_models import SyncAck


def digests(
    session: Session, evaluation_ids: Iterable[str] | None = None
) -> dict[str, tuple[str, int]]:
    """``{evaluation_id: (digest, change count)}`` for the given evaluations (default: all)."""
    query = select(models.Change.evaluation_id, models.Change.id)
    if evaluation_ids is not None:
        query = query.where(models.Change.evaluation_id.in_(list(evaluation_ids)))
    query = query.order_by(models.Change.evaluation_id, models.Change.id)
    hashes: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for evaluation_id, change_id in session.execute(query):
        hashes.setdefault(evaluation_id, hashlib.sha256()).update(change_id.encode() + b"\n")
        counts[evaluation_id] = counts.get(evaluation_id, 0) + 1
    return {k: (v.hexdigest(), counts[k]) for k, v in hashes.items()}


def unacknowledged(session: Session) -> list[str]:
    """Evaluations with history the central database may not have, sorted."""
    acked = {k: v for k, v in session.execute(select(SyncAck.evaluation_id, SyncAck.digest))}
    if not acked:
        query = select(models.Change.evaluation_id).distinct().order_by(models.Change.evaluation_id)
        return list(session.scalars(query))
    return sorted(
        evaluation_id
        for evaluation_id, (d, _n) in digests(session).items()
        if acked.get(evaluation_id) != d
    )


def acknowledge(
    session: Session,
    central: str,
    evaluation_ids: Iterable[str],
    now: str,
    held: Session | None = None,
) -> int:
    """Record which histories of these evaluations the central database holds.

    ``held`` is a session on the central database: the digests are of what it holds, so a
    change made on the laptop while a sync ran (after the push read the history) leaves its
    evaluation unacknowledged, to go with the next hand-over, instead of being taken for
    delivered. Without ``held``, the laptop's own histories are recorded.
    """
    ids = list(evaluation_ids)
    current = digests(held if held is not None else session, ids)
    for evaluation_id, (digest, count) in current.items():
        row = session.get(SyncAck, evaluation_id)
        if row is None:
            row = SyncAck(evaluation_id=evaluation_id)
            session.add(row)
        row.central_id, row.digest, row.change_count = central, digest, count
        row.acknowledged_at = now
    return len(current)


def is_acknowledged(session: Session, evaluation_id: str) -> bool:
    """True when the central database holds this evaluation's whole current history."""
    row = session.get(SyncAck, evaluation_id)
    found = digests(session, [evaluation_id]).get(evaluation_id)
    return row is not None and found is not None and found[0] == row.digest
