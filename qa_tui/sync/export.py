"""Reading evaluation aggregates out of a database, in batches (never all in memory).

Used to write bundles and to push or pull in a direct sync. Which evaluations to send: those
whose history the central database has not acknowledged (see :mod:`qa_tui.sync.acks`), or all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.handed_over import handing_over
from qa_tui.sync.aggregates import Aggregate

BATCH = 200
_WRITER = models.Writer.__table__.c
# A change's columns as the wire has them: its writer's author and device in its number's place.
_COLUMNS = [
    c for c in models.Change.__table__.columns if c.key not in ("source_id", "writer_id")
] + [_WRITER.author, _WRITER.device_id]


def all_evaluation_ids(session: Session) -> list[str]:
    """Every evaluation with a history here, sorted."""
    query = select(models.Change.evaluation_id).distinct().order_by(models.Change.evaluation_id)
    return list(session.scalars(query))


def iter_aggregates(
    session: Session, evaluation_ids: Sequence[str], batch: int = BATCH
) -> Iterator[Aggregate]:
    """The full history of each evaluation, in the order given, ``batch`` evaluations a query.

    Changes are sorted by ``(counter, device_id, id)`` and links by their ids, so the same
    history always gives the same aggregate. Reading is handing over: while it runs, and
    after, nothing read is amended (:mod:`qa_tui.store.handed_over`).
    """
    with handing_over(session.get_bind()):
        yield from _read(session, evaluation_ids, batch)


def _read(session: Session, evaluation_ids: Sequence[str], batch: int) -> Iterator[Aggregate]:
    for start in range(0, len(evaluation_ids), batch):
        chunk = list(evaluation_ids[start : start + batch])
        rows = session.execute(
            select(*_COLUMNS)
            .join_from(
                models.Change, models.Writer, _WRITER.id == models.Change.writer_id, isouter=True
            )
            .where(models.Change.evaluation_id.in_(chunk))
            .order_by(models.Change.counter, _WRITER.device_id, models.Change.id)
        ).mappings()
        grouped: dict[str, Aggregate] = {
            evaluation_id: Aggregate(evaluation_id) for evaluation_id in chunk
        }
        for row in rows:
            change: dict[str, Any] = models.given_change(dict(row))
            grouped[change["evaluation_id"]].changes.append(change)
        link = models.ChangeLink
        links = session.execute(
            select(link.evaluation_id, link.change_id, link.supersedes_id)
            .where(link.evaluation_id.in_(chunk))
            .order_by(link.evaluation_id, link.change_id, link.supersedes_id)
        )
        for evaluation_id, change_id, superseded in links:
            grouped[evaluation_id].links.append((change_id, superseded))
        for evaluation_id in chunk:
            if grouped[evaluation_id].changes:
                yield grouped[evaluation_id]
