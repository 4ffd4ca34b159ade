"""What the planning screens and commands show: the plans, one plan's progress, and the
allocations waiting for one manager (the home list's first rows)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_tui.domain.allocation import key
from qa_tui.domain.plans import PLAN_KINDS, STATUSES, allocations, get_plan, members
from qa_tui.store import models
from qa_tui.store.sync_models import PurgedEvaluation

PROGRESS = {
    "unallocated": "Not allocated",
    "allocated": "Allocated",
    "started": "Started",
    "completed": "Completed",
    "shared": "Shared",
}


@dataclass(frozen=True)
class PlanRow:
    id: str
    kind: str
    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    status: str
    cases: int
    done: int  # completed or shared

    @property
    def kind_label(self) -> str:
        return PLAN_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


def list_plans(session: Session, kind: str = "") -> list[PlanRow]:
    """Every plan, newest date first, with how many cases it has and how many are done."""
    p = models.Plan
    query = select(p).where(~p.deleted)
    if kind:
        query = query.where(p.kind == kind)
    plans = list(session.scalars(query))
    rows = []
    for plan in plans:
        states = progress_of(session, allocations(session, plan.id))
        done = sum(1 for s in states.values() if s in ("completed", "shared"))
        rows.append(
            PlanRow(
                plan.id,
                plan.kind,
                plan.title,
                plan.starts_on,
                plan.ends_on,
                plan.status,
                len(states),
                done,
            )
        )
    far = dt.date(1, 1, 1)
    return sorted(rows, key=lambda r: (r.starts_on or far, r.title), reverse=True)


def progress_of(session: Session, rows: Iterable[models.Allocation]) -> dict[str, str]:
    """Each allocation's progress (a key of :data:`PROGRESS`), from the evaluation started
    from it as this database holds it (the desk sees laptops' work as they sync)."""
    rows = list(rows)
    started = sorted({a.started_evaluation_id for a in rows if a.started_evaluation_id})
    status: dict[str, str] = {}
    shared: set[str] = set()
    for start in range(0, len(started), 500):
        chunk = started[start : start + 500]
        # A completed evaluation purged from this laptop (handed over, then removed) stays
        # completed: it must not come back as work to do.
        gone = PurgedEvaluation.evaluation_id
        status.update(
            dict.fromkeys(session.scalars(select(gone).where(gone.in_(chunk))), "completed")
        )
        e = models.Evaluation
        status.update(
            dict(session.execute(select(e.id, e.status).where(e.id.in_(chunk), ~e.deleted)).all())
        )
        s = models.SummaryShare
        shared.update(session.scalars(select(s.evaluation_id).where(s.evaluation_id.in_(chunk))))
    out = {}
    for a in rows:
        eid = a.started_evaluation_id
        if eid and eid in shared:
            out[a.id] = "shared"
        elif eid and status.get(eid) == "completed":
            out[a.id] = "completed"
        elif eid:
            out[a.id] = "started"
        else:
            out[a.id] = "allocated" if a.reviewer else "unallocated"
    return out


@dataclass(frozen=True)
class AllocationRow:
    id: str
    case_reference: str
    reviewer: str
    team: str
    worker: str
    category: str
    due_on: dt.date | None
    progress: str
    evaluation_id: str


@dataclass
class PlanDetail:
    plan: models.Plan
    members: list[models.PlanMember]
    allocations: list[AllocationRow]
    counts: Counter[str] = field(default_factory=Counter)
    loads: dict[str, int] = field(default_factory=dict)
    frame_change: str = ""  # set by the service: the sample's frame changed since the draw


def load_plan(session: Session, plan_id: str) -> PlanDetail:
    """One plan with its review group, its allocations and their progress."""
    plan = get_plan(session, plan_id)
    rows = allocations(session, plan_id)
    states = progress_of(session, rows)
    out = [
        AllocationRow(
            a.id,
            a.case_reference,
            a.reviewer,
            a.team,
            a.worker,
            a.category,
            a.due_on,
            states[a.id],
            a.started_evaluation_id,
        )
        for a in rows
    ]
    session.expunge(plan)
    group = members(session, plan_id)
    for m in group:
        session.expunge(m)
    detail = PlanDetail(plan, group, out, Counter(states.values()))
    detail.loads = dict(Counter(a.reviewer for a in out if a.reviewer))
    return detail


@dataclass(frozen=True)
class MyAllocation:
    """A case allocated to this user, not yet completed: shown first on the home list."""

    id: str
    plan_id: str
    plan_title: str
    plan_kind: str
    case_reference: str
    team: str
    due_on: dt.date | None
    progress: str
    evaluation_id: str

    def describe(self) -> str:
        """ "Allocated to you for 3 December (Practice day, Locality North)"."""
        when = f" for {self.due_on.day} {self.due_on:%B}" if self.due_on else ""
        return f"Allocated to you{when} ({self.plan_title})"


def my_allocations(session: Session, author: str) -> list[MyAllocation]:
    """The open plans' cases allocated to ``author`` (names compared ignoring case and
    spacing) that are not completed yet, soonest first."""
    me = key(author)
    if not me:
        return []
    a, p = models.Allocation, models.Plan
    query = (
        select(a, p.title, p.kind)
        .join(p, p.id == a.plan_id)
        .where(~a.deleted, ~p.deleted, p.status != "closed", func.length(a.reviewer) > 0)
    )
    mine = [
        (row, title, kind) for row, title, kind in session.execute(query) if key(row.reviewer) == me
    ]
    states = progress_of(session, [row for row, _t, _k in mine])
    out = [
        MyAllocation(
            row.id,
            row.plan_id,
            title,
            kind,
            row.case_reference,
            row.team,
            row.due_on,
            states[row.id],
            row.started_evaluation_id,
        )
        for row, title, kind in mine
        if states[row.id] in ("allocated", "started")
    ]
    far = dt.date(9999, 12, 31)
    return sorted(out, key=lambda m: (m.due_on or far, m.case_reference))
