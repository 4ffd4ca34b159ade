"""Coverage: the monthly expectation by manager (seed 000 §3.2), and whether managers evaluate
both inside and outside their own line of responsibility (§3.3).

There is no list of managers or of their lines yet: both are inferred from the evaluations
(:data:`~qa_tui.reports.queries.MANAGERS_RULE`, :data:`~qa_tui.reports.queries.OWN_LINE_RULE`)
and the report says so first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_tui.reports import measures as m
from qa_tui.reports import queries as q
from qa_tui.reports.kinds import ReportBody
from qa_tui.reports.model import Column, Figure, Paragraph, ReportQuery, Section, Table
from qa_tui.reports.period import Period
from qa_tui.store import models

E = models.Evaluation


@dataclass(frozen=True)
class Expectation:
    """Who was expected to evaluate, month by month, and what they completed."""

    people: list[q.Manager]
    months: list[Period]
    made: dict[tuple[str, str], int]  # (month label, auditor) -> collaborative completed
    inside: dict[str, int]  # auditor -> completed collaborative evaluations in their own line
    outside: dict[str, int]

    def met(self, month: str, name: str) -> bool:
        return bool(self.made.get((month, name)))


def expectation(session: Session, query: ReportQuery) -> Expectation:
    """The monthly expectation (one collaborative evaluation a manager a month) for the
    period, and each manager's evaluations inside and outside their own line."""
    people = q.managers(session, query, query.period.end)
    months = q.months_of(query.period)
    month = q.bucket(E.evaluation_date, months)
    collaborative = [*q.evaluations_where(query), E.evaluation_type == "collaborative"]
    per_month = session.execute(
        select(month, E.auditor, func.count()).where(*collaborative).group_by(month, E.auditor)
    ).all()
    made = {(str(k), a): int(n) for k, a, n in per_month if k is not None}
    lines = session.execute(
        select(E.auditor, E.service_area, func.count())
        .where(*collaborative)
        .group_by(E.auditor, E.service_area)
    ).all()
    inside: dict[str, int] = {}
    outside: dict[str, int] = {}
    own = {p.name: p.own_area for p in people}
    for name, area, n in lines:
        if name in own:
            target = inside if area == own[name] else outside
            target[name] = target.get(name, 0) + int(n)
    return Expectation(people, months, made, inside, outside)


def build(session: Session, query: ReportQuery) -> ReportBody:
    """Coverage of the monthly expectation and of lines, for ``query``."""
    found = expectation(session, query)
    sections = (
        Section(
            "What these figures rest on",
            (Paragraph(q.MANAGERS_RULE), Paragraph(q.OWN_LINE_RULE)),
        ),
        by_manager(found),
        detail(found),
    )
    notes = (
        ()
        if found.people
        else ("No manager made an evaluation in the twelve months to the end of the period.",)
    )
    return ReportBody("Coverage: the monthly expectation and own line", sections, notes)


def by_manager(found: Expectation) -> Section:
    people, months = found.people, found.months
    rows = []
    for p in people:
        met = sum(1 for span in months if found.met(span.label, p.name))
        n_in, n_out = found.inside.get(p.name, 0), found.outside.get(p.name, 0)
        rows.append(
            (
                p.name,
                p.role,
                p.own_area,
                len(months),
                met,
                m.share(met, len(months)),
                n_in,
                n_out,
                m.share(n_out, n_in + n_out),
            )
        )
    figures = _figures(rows, len(people), len(months))
    table = Table(
        "coverage_by_manager",
        "The monthly expectation and own line, by manager",
        (
            Column("manager", "Manager"),
            Column("role", "Role"),
            Column("own_line", "Own line (inferred)"),
            Column("months", "Months", "int"),
            Column("months_met", "Months with one completed", "int"),
            Column("share_met", "Share of months", "percent"),
            Column("inside_own_line", "Inside own line", "int"),
            Column("outside_own_line", "Outside own line", "int"),
            Column("share_outside", "Share outside", "percent"),
        ),
        tuple(rows),
        "Collaborative evaluations completed in the period.",
    )
    return Section("By manager", (*figures, table))


def _figures(rows: list[Any], people: int, months: int) -> tuple[Figure, ...]:
    expected = people * months
    met_all = sum(r[4] for r in rows)
    both = sum(1 for r in rows if r[6] and r[7])
    total_in, total_out = sum(r[6] for r in rows), sum(r[7] for r in rows)
    figures = (
        Figure(
            "Managers expected",
            f"{people:,}",
            people,
            people,
            "auditors seen in the last twelve months",
        ),
        Figure(
            "Monthly expectation met",
            m.pct(m.share(met_all, expected)),
            m.round_or_none(m.share(met_all, expected), 4),
            expected,
            "manager-months with a completed collaborative evaluation",
        ),
        Figure(
            "Evaluations outside own line",
            m.pct(m.share(total_out, total_in + total_out)),
            m.round_or_none(m.share(total_out, total_in + total_out), 4),
            total_in + total_out,
            "completed collaborative evaluations by these managers",
        ),
        Figure("Managers evaluating inside and outside their line", f"{both:,}", both, people),
    )
    return figures


def detail(found: Expectation) -> Section:
    rows = tuple(
        (
            span.label,
            p.name,
            p.role,
            found.made.get((span.label, p.name), 0),
            "yes" if found.met(span.label, p.name) else "no",
        )
        for span in found.months
        for p in found.people
    )
    table = Table(
        "expectation_by_month",
        "Each manager, each month",
        (
            Column("month", "Month"),
            Column("manager", "Manager"),
            Column("role", "Role"),
            Column("collaborative_completed", "Collaborative evaluations completed", "int"),
            Column("met", "Expectation met"),
        ),
        rows,
    )
    return Section("Month by month", (table,))
