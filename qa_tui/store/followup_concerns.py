"""The follow-through lists of concerns and summaries, a page at a time (keyset paging, as
the actions tracker in :mod:`qa_tui.store.followup_queries`): the immediate concerns not yet
closed, and the completed evaluations whose feedback summary is not yet shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.followup_queries import PAGE, like, stoppable
from qa_tui.vocab import CONCERN_RECIPIENTS

# --- immediate concerns -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenConcern:
    """An immediate concern not yet closed, as the QA desk lists it."""

    evaluation_id: str
    case_reference: str
    team: str
    service_area: str
    auditor: str
    evaluation_status: str
    raised_on: dt.date | None
    shared_roles: int
    acknowledged: bool
    description: str

    @property
    def fully_shared(self) -> bool:
        return self.shared_roles >= len(CONCERN_RECIPIENTS)

    def age_days(self, today: dt.date) -> int | None:
        return None if self.raised_on is None else (today - self.raised_on).days


def list_open_concerns(
    session: Session,
    offset: int = 0,
    limit: int | None = PAGE,
    words: tuple[str, ...] = (),
    stop: Callable[[], bool] | None = None,
) -> list[OpenConcern]:
    """Every concern not closed: those not yet shared with all four required recipients first,
    then the oldest first (by the date of the evaluation that raised it). ``stop``: see
    :func:`stoppable`.

    Two walks of the evaluations that raised a concern, oldest first — those not yet shared
    with all four, then the others — each looking up, per concern walked, its shares (by the
    evaluation's key) and whether it is acknowledged or closed, and stopping once the page is
    full: never every concern's shares counted and sorted for a page of them."""
    e, cs, ce = models.Evaluation, models.ConcernShare, models.ConcernEvent
    shared = (
        select(func.count(cs.recipient_role.distinct()))
        .where(
            cs.evaluation_id == e.id, ~cs.deleted, cs.recipient_role.in_(list(CONCERN_RECIPIENTS))
        )
        .correlate(e)
        .scalar_subquery()
    )

    def event(kind: str) -> Any:
        found = select(ce.id).where(ce.evaluation_id == e.id, ~ce.deleted, ce.kind == kind)
        return found.correlate(e).exists()

    query = select(
        e.id,
        e.case_reference,
        e.team,
        e.service_area,
        e.auditor,
        e.status,
        e.evaluation_date,  # the practice evaluation that identified the concern
        shared,
        event("acknowledged"),
        e.concern_description,
    ).where(~e.deleted, e.immediate_concern.is_(True), ~event("closed"))
    for word in words:
        query = query.where(
            or_(
                like(e.case_reference, word),
                like(e.team, word),
                like(e.service_area, word),
                like(e.auditor, word),
                like(e.concern_description, word),
            )
        )
    query = query.order_by(e.evaluation_date, e.id)
    full = len(CONCERN_RECIPIENTS)
    end = None if limit is None else offset + limit
    with stoppable(session, stop):
        rows = list(session.execute(query.where(shared < full).limit(end)))
        if end is None or len(rows) < end:  # every one not yet shared with all: then the rest
            more = None if end is None else end - len(rows)
            rows += session.execute(query.where(shared >= full).limit(more))
    return [
        OpenConcern(
            evaluation_id=row[0],
            case_reference=row[1],
            team=row[2],
            service_area=row[3],
            auditor=row[4],
            evaluation_status=row[5],
            raised_on=row[6],
            shared_roles=int(row[7]),
            acknowledged=bool(row[8]),
            description=row[9],
        )
        for row in rows[offset:end]
    ]


# --- feedback summaries not yet shared ------------------------------------------------------


@dataclass(frozen=True)
class UnsharedSummary:
    evaluation_id: str
    case_reference: str
    team: str
    auditor: str
    completed_at: str


def list_unshared_summaries(
    session: Session,
    offset: int = 0,
    limit: int | None = PAGE,
    words: Sequence[str] = (),
) -> list[UnsharedSummary]:
    """Completed evaluations whose feedback summary is not recorded as shared with anyone,
    the longest completed first; each of ``words`` found (whatever the case) in the case
    reference, the team or the auditor — in the database, so a match beyond the first page
    is found too."""
    e, s = models.Evaluation, models.SummaryShare
    shared = select(s.id).where(s.evaluation_id == e.id, ~s.deleted).exists()
    matches = [or_(like(e.case_reference, w), like(e.team, w), like(e.auditor, w)) for w in words]
    query = (
        select(e.id, e.case_reference, e.team, e.auditor, e.completed_at)
        .where(~e.deleted, e.status == "completed", ~shared, *matches)
        .order_by(e.completed_at, e.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [UnsharedSummary(*row) for row in session.execute(query)]
