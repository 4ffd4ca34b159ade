"""Actions: open, overdue and completed, by owner, by team and by age (seed 000 §6.8, §6.12:
"the actions are tracked by the Quality Assurance Team and scrutinised by the Board").

Open and overdue are as they stand on the day the report is made; completed means done in the
period. Ages count from the day the action was agreed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Case

from qa_tui.reports import measures as m
from qa_tui.reports import queries as q
from qa_tui.reports.kinds import ReportBody
from qa_tui.reports.model import (
    Chart,
    Column,
    Figure,
    Paragraph,
    ReportQuery,
    Section,
    Series,
    Table,
)
from qa_tui.store import models

E = models.Evaluation
A = models.Action
LISTED = 50  # overdue actions listed one by one (the oldest); all are in the tidy data
AGES = (
    (0, 29, "under 30 days"),
    (30, 59, "30–59 days"),
    (60, 89, "60–89 days"),
    (90, None, "90 days or more"),
)


def build(session: Session, query: ReportQuery) -> ReportBody:
    """Where the actions stand, for ``query``."""
    every = m.action_counts(session, query).get("", m.ActionCounts(0, 0, 0, 0))
    figures = (
        Figure("Open today", f"{every.open_now:,}", every.open_now, every.open_now),
        Figure(
            "Overdue today", f"{every.overdue:,}", every.overdue, every.open_now, "of those open"
        ),
        Figure("Agreed in the period", f"{every.opened:,}", every.opened, every.opened),
        Figure("Completed in the period", f"{every.completed:,}", every.completed, every.completed),
    )
    sections = (
        Section("Where the actions stand", (*figures, ages(session, query))),
        Section("By team", _with_chart(grouped(session, query, E.team, "team", "Team"))),
        Section("By owner", (grouped(session, query, A.owner, "owner", "Owner"),)),
        Section("Overdue actions", (overdue_list(session, query),)),
        Section("About these figures", (Paragraph(RULES),)),
    )
    notes: tuple[str, ...] = ()
    if not (every.opened or every.completed):
        notes = (f"No action was agreed or completed in {query.period.label}.",)
    return ReportBody("Actions", sections, notes)


RULES = (
    "Actions of every evaluation in the service area or team asked for. Open means open or in "
    "progress; overdue means open after its due date, today. Agreed and completed count the "
    "period: the day the action was recorded, and the day it was marked done."
)


def _age_bucket(today: dt.date) -> Case[Any]:
    opened = q.action_opened_on()
    whens = []
    for low, high, label in AGES:
        newest = (today - dt.timedelta(days=low)).isoformat()
        if high is None:
            whens.append((opened <= newest, literal(label, literal_execute=True)))
        else:
            oldest = (today - dt.timedelta(days=high)).isoformat()
            whens.append((opened.between(oldest, newest), literal(label, literal_execute=True)))
    return case(*whens, else_=None)


def ages(session: Session, query: ReportQuery) -> Table:
    """Open actions by how long ago they were agreed."""
    age = _age_bucket(query.today)
    rows: dict[str, int] = dict(
        session.execute(
            select(age, func.count())
            .select_from(A)
            .join(E, E.id == A.evaluation_id)
            .where(*q.actions_where(query), q.action_is_open())
            .group_by(age)
        ).all()
    )
    overdue: dict[str, int] = dict(
        session.execute(
            select(age, func.count())
            .select_from(A)
            .join(E, E.id == A.evaluation_id)
            .where(*q.actions_where(query), q.action_overdue(query.today))
            .group_by(age)
        ).all()
    )
    table = Table(
        "open_by_age",
        "Open actions by age",
        (
            Column("age", "Agreed"),
            Column("open", "Open", "int"),
            Column("overdue", "Of which overdue", "int"),
        ),
        tuple(
            (label, int(rows.get(label, 0)), int(overdue.get(label, 0))) for _l, _h, label in AGES
        ),
        "Age: days from the day the action was recorded to today.",
    )
    return table


def grouped(session: Session, query: ReportQuery, column: q.Expr, key: str, label: str) -> Table:
    found = m.action_counts(session, query, column)
    rows = tuple(
        (k or "(none)", v.open_now, v.overdue, v.opened, v.completed)
        for k, v in sorted(found.items(), key=lambda kv: (-kv[1].overdue, -kv[1].open_now, kv[0]))
    )
    return Table(
        f"actions_by_{key}",
        f"Actions by {label.lower()}",
        (
            Column(key, label),
            Column("open", "Open today", "int"),
            Column("overdue", "Overdue today", "int"),
            Column("agreed", "Agreed in period", "int"),
            Column("completed", "Completed in period", "int"),
        ),
        rows,
        "Most overdue first.",
    )


def _with_chart(table: Table) -> tuple[Table, Chart]:
    chart = Chart(
        "Overdue actions by team",
        "bar",
        tuple(str(r[0]) for r in table.rows),
        (Series("overdue", tuple(float(r[2] or 0) for r in table.rows)),),
        table=table.name,
    )
    return table, chart


def overdue_list(session: Session, query: ReportQuery) -> Table:
    where = [*q.actions_where(query), q.action_overdue(query.today)]
    total = int(
        session.scalar(
            select(func.count()).select_from(A).join(E, E.id == A.evaluation_id).where(*where)
        )
        or 0
    )
    rows = session.execute(
        select(A.due_date, A.description, A.owner, E.team, E.case_reference, A.current_status)
        .join(E, E.id == A.evaluation_id)
        .where(*where)
        .order_by(A.due_date, A.id)
        .limit(LISTED)
    ).all()
    return Table(
        "overdue_actions",
        "Overdue actions, the longest overdue first",
        (
            Column("due_date", "Due", "date"),
            Column("days_overdue", "Days overdue", "int"),
            Column("action", "Action"),
            Column("owner", "Owner"),
            Column("team", "Team"),
            Column("case_reference", "Case reference"),
            Column("status", "Status"),
        ),
        tuple(
            (m.iso(d), (query.today - d).days if d else None, a, o, t, c, s)
            for d, a, o, t, c, s in rows
        ),
        f"The {len(rows)} longest overdue of {total:,}.",
    )
