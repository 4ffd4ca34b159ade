"""Which evaluations a report counts, as conditions on the evaluations' columns: the models'
(``models.Evaluation``, most reports) or the light handles' (``tables.evaluations.c``, a
report read without the ORM: :mod:`qa_tui.store.tables`). One rule for both."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from qa_tui.reports.model import ReportQuery
from qa_tui.reports.period import Period


def area_conditions(e: Any, query: ReportQuery) -> list[ColumnElement[bool]]:
    """Not deleted, and in the service area or team asked for (any date); ``e``: the
    evaluations' columns."""
    conditions: list[ColumnElement[bool]] = [~e.deleted]
    if query.service_area:
        conditions.append(e.service_area == query.service_area)
    if query.team:
        conditions.append(e.team == query.team)
    return conditions


def counted_conditions(
    e: Any, query: ReportQuery, period: Period | None = None, *, completed: bool = True
) -> list[ColumnElement[bool]]:
    """The evaluations a figure counts: in the period (default: the query's) by evaluation
    date, in the area or team asked for, and (unless ``completed`` is False) completed."""
    span = period or query.period
    conditions = [
        *area_conditions(e, query),
        e.evaluation_date >= span.start,
        e.evaluation_date <= span.end,
    ]
    if completed:
        conditions.append(e.status == "completed")
    return conditions
