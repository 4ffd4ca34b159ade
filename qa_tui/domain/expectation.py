"""The monthly expectation: every manager completes one collaborative evaluation a month
(seed 000 §3.2-3.3). Who has this month, and who has not yet, by service and team.

The managers expected are the people named in the review groups of plans (their own line —
service area and team — as the newest plan names it): qa-tui keeps no staff list of its own.
An evaluation counts when it is completed, dated in the month, of the collaborative or
practice-day type, and its auditor is the manager (names compared ignoring case and spacing).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain.allocation import key
from qa_tui.errors import ValidationError
from qa_tui.store import models

COUNTED_TYPES = ("collaborative", "practice_day")


@dataclass(frozen=True)
class Expected:
    """One manager's month: how many collaborative evaluations they completed in it."""

    name: str
    service_area: str
    team: str
    completed: int

    @property
    def met(self) -> bool:
        return self.completed > 0


@dataclass(frozen=True)
class Month:
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"


def parse_month(text: str) -> Month:
    """``YYYY-MM`` as its first and last day."""
    try:
        first = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationError(f"Month: {text[:20]!r} is not YYYY-MM", field="month") from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Month(first, following - dt.timedelta(days=1))


def month_of(day: dt.date) -> Month:
    return parse_month(f"{day:%Y-%m}")


def _roster(session: Session) -> dict[str, tuple[str, str, str]]:
    """Every manager named in a review group: folded name -> (name, service area, team),
    from the newest plan that names them."""
    m, p = models.PlanMember, models.Plan
    query = (
        select(m.name, m.service_area, m.team, p.starts_on, p.created_at)
        .join(p, p.id == m.plan_id)
        .where(~m.deleted, ~p.deleted)
    )
    far = dt.date(1, 1, 1)
    rows = sorted(session.execute(query), key=lambda r: (r[3] or far, r[4]))
    return {key(name): (name, area, team) for name, area, team, _d, _c in rows}


def monthly_expectation(session: Session, month: Month) -> list[Expected]:
    """Each manager of the roster and their completed collaborative evaluations in ``month``,
    by service area, team and name. Demo evaluations count, as in every report: a demo
    database's roster is its demo managers."""
    e = models.Evaluation
    auditors = session.scalars(
        select(e.auditor).where(
            ~e.deleted,
            e.status == "completed",
            e.evaluation_type.in_(COUNTED_TYPES),
            e.evaluation_date >= month.first,
            e.evaluation_date <= month.last,
        )
    )
    done = Counter(key(a) for a in auditors)
    rows = [
        Expected(name, area, team, done.get(folded, 0))
        for folded, (name, area, team) in _roster(session).items()
    ]
    return sorted(rows, key=lambda r: (r.service_area.casefold(), r.team.casefold(), key(r.name)))
