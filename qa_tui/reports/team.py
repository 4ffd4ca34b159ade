"""The cumulative summary for a team manager (seed 000 §4.10–4.11).

For one team (or one service area): its areas of strength, the areas identified for
development, the practice improvements proposed (actions) and how progress has been evidenced,
and grades and scaling quarter by quarter so change over time shows — the evidence a Team Plan
can reference.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from qa_tui.errors import ValidationError
from qa_tui.reports import measures as m
from qa_tui.reports import queries as q
from qa_tui.reports.kinds import ReportBody
from qa_tui.reports.model import (
    Block,
    Chart,
    Column,
    Figure,
    Paragraph,
    ReportQuery,
    Section,
    Series,
    Table,
)
from qa_tui.reports.standards import Vocabulary, vocabulary
from qa_tui.store import models
from qa_tui.vocab import ACTION_STATUSES

E = models.Evaluation
A = models.Action
QUOTES = 20  # the most recent texts quoted; every one is in the tidy data


def build(session: Session, query: ReportQuery) -> ReportBody:
    """The cumulative summary of ``query.team`` (or ``query.service_area``)."""
    if not (query.team or query.service_area):
        raise ValidationError(
            "the team report is about one team: give --team (or --service-area)", field="team"
        )
    vocab = vocabulary(session)
    where = q.evaluations_where(query)
    completed = q.count_evaluations(session, where)
    who = query.team or query.service_area
    sections = (
        by_quarter(session, vocab, query),
        strengths(session, vocab, query),
        development(session, vocab, query),
        improvements(session, query),
        Section("About these figures", (Paragraph(RULES),)),
    )
    notes = () if completed else (f"{who} completed no evaluation in {query.period.label}.",)
    return ReportBody(f"Team summary: {who}", sections, notes)


RULES = (
    "Completed evaluations dated in the period, quarter by quarter. Strengths and areas for "
    "development are the standards graded most and least often good or better (at least "
    f"{m.MIN_N_RANKED} grades), and the auditors' own words from the most recent evaluations "
    f"({QUOTES} at most; every one is in the tidy data). Improvements are the actions agreed "
    "in these evaluations; progress is what their owners recorded."
)


def by_quarter(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """Grades and scaling, quarter by quarter."""
    quarters = q.quarters_of(query.period)
    rows = []
    for span in quarters:
        where = q.evaluations_where(query, span)
        overall = m.overall_grades(session, vocab, where)
        scales = m.merged(m.scaling(session, where))
        rows.append(
            (
                span.label,
                q.count_evaluations(session, where),
                overall.graded,
                m.round_or_none(overall.share_good, 4),
                scales.n,
                m.round_or_none(scales.mean),
            )
        )
    table = Table(
        "by_quarter",
        "Grades and scaling by quarter",
        (
            Column("quarter", "Quarter"),
            Column("completed", "Evaluations completed", "int"),
            Column("n_overall", "n overall judgements", "int"),
            Column("overall_good_or_better", "Overall good or better", "percent"),
            Column("n_scales", "n scales", "int"),
            Column("mean_scale", "Mean scale", "float"),
        ),
        tuple(rows),
    )
    chart = Chart(
        "Overall judgements good or better, by quarter (%)",
        "line",
        tuple(r[0] for r in rows),
        (Series("good or better %", tuple(None if r[3] is None else r[3] * 100 for r in rows)),),
    )
    scale_chart = Chart(
        "Mean scale by quarter (0–10)",
        "line",
        tuple(r[0] for r in rows),
        (Series("mean_scale", tuple(r[5] for r in rows)),),
        table="by_quarter",
    )
    return Section(
        "Progress over time",
        (table, chart, scale_chart, standards_by_quarter(session, vocab, query)),
    )


def standards_by_quarter(session: Session, vocab: Vocabulary, query: ReportQuery) -> Table:
    rows = []
    for span in q.quarters_of(query.period):
        found = m.grades_by_standard(session, vocab, q.evaluations_where(query, span))
        for key, grades in found.items():
            standard = vocab.standard(*key)
            rows.append(
                (
                    standard.template_name,
                    standard.label,
                    span.label,
                    grades.graded,
                    grades.share_good,
                )
            )
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return Table(
        "standards_by_quarter",
        "Each standard by quarter",
        (
            Column("template", "Template"),
            Column("standard", "Standard"),
            Column("quarter", "Quarter"),
            Column("n_graded", "n graded", "int"),
            Column("share_good_or_better", "Good or better", "percent"),
        ),
        tuple(rows),
    )


def _quotes(
    session: Session, query: ReportQuery, column: InstrumentedAttribute[str], name: str, title: str
) -> Table:
    where = q.evaluations_where(query)
    total = int(session.scalar(select(func.count()).where(*where, column != "")) or 0)
    rows = session.execute(
        select(E.evaluation_date, E.case_reference, E.team, column)
        .where(*where, column != "")
        .order_by(E.evaluation_date.desc(), E.id)
        .limit(QUOTES)
    ).all()
    return Table(
        name,
        title,
        (
            Column("date", "Date", "date"),
            Column("case_reference", "Case reference"),
            Column("team", "Team"),
            Column("text", "In the auditor's words"),
        ),
        tuple((m.iso(d), c, t, text) for d, c, t, text in rows),
        f"The {len(rows)} most recent of {total:,}.",
    )


def strengths(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    ranked = m.ranked_standards(m.grades_by_standard(session, vocab, q.evaluations_where(query)))
    top = ranked[::-1][:5]
    blocks: list[Block] = []
    if top:
        key, found = top[0]
        blocks.append(
            Figure(
                "Strongest standard",
                f"{m.pct(found.share_good)} good or better",
                m.round_or_none(found.share_good, 4),
                found.graded,
                vocab.standard(*key).label,
            )
        )
    blocks.append(
        m.ranked_table("strongest_standards", "Standards most often good or better", vocab, top)
    )
    blocks.append(
        _quotes(
            session,
            query,
            E.summary_strengths,
            "strengths",
            "Strengths, as the auditors wrote them",
        )
    )
    return Section("Areas of strength", tuple(blocks))


def development(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    ranked = m.ranked_standards(m.grades_by_standard(session, vocab, q.evaluations_where(query)))
    low = ranked[:5]
    blocks: list[Block] = []
    if low:
        key, found = low[0]
        blocks.append(
            Figure(
                "Weakest standard",
                f"{m.pct(found.share_good)} good or better",
                m.round_or_none(found.share_good, 4),
                found.graded,
                vocab.standard(*key).label,
            )
        )
    blocks.append(
        m.ranked_table("weakest_standards", "Standards least often good or better", vocab, low)
    )
    blocks.append(
        _quotes(
            session,
            query,
            E.summary_development,
            "development",
            "Areas for development, as the auditors wrote them",
        )
    )
    return Section("Areas identified for development", tuple(blocks))


def improvements(session: Session, query: ReportQuery) -> Section:
    """Actions agreed, quarter by quarter, where they stand, and the progress evidenced."""
    quarters = q.quarters_of(query.period)
    when = q.bucket(q.action_opened_on(), quarters, text=True)
    rows = session.execute(
        select(
            when, A.current_status, func.count(), func.count().filter(q.action_overdue(query.today))
        )
        .select_from(A)
        .join(E, E.id == A.evaluation_id)
        .where(*q.actions_where(query), when.is_not(None))
        .group_by(when, A.current_status)
    ).all()
    counts: dict[str, dict[str, int]] = {p.label: {} for p in quarters}
    for label, status, n, overdue in rows:
        found = counts[str(label)]
        found[status] = found.get(status, 0) + int(n)
        found["overdue"] = found.get("overdue", 0) + int(overdue)
    statuses = list(q.ACTION_STATUS_ORDER)
    table = Table(
        "actions_by_quarter",
        "Improvements proposed (actions), by the quarter they were agreed",
        (
            Column("quarter", "Quarter agreed"),
            Column("agreed", "Agreed", "int"),
            *(Column(s, ACTION_STATUSES.get(s, s), "int") for s in statuses),
            Column("overdue", "Overdue today", "int"),
        ),
        tuple(
            (
                label,
                sum(v for k, v in c.items() if k != "overdue"),
                *(c.get(s, 0) for s in statuses),
                c.get("overdue", 0),
            )
            for label, c in counts.items()
        ),
    )
    return Section(
        "Improvements proposed and progress evidenced", (table, _evidenced(session, query))
    )


def _evidenced(session: Session, query: ReportQuery) -> Table:
    where = [
        *q.actions_where(query),
        q.action_is_done(),
        q.action_done_on() >= query.period.start,
        q.action_done_on() <= query.period.end,
    ]
    total = int(
        session.scalar(
            select(func.count()).select_from(A).join(E, E.id == A.evaluation_id).where(*where)
        )
        or 0
    )
    rows = session.execute(
        select(q.action_done_on(), A.description, A.owner, A.status_note)
        .join(E, E.id == A.evaluation_id)
        .where(*where)
        .order_by(q.action_done_on().desc(), A.id)
        .limit(QUOTES)
    ).all()
    return Table(
        "progress_evidenced",
        "Actions completed in the period, with the progress recorded",
        (
            Column("completed_on", "Completed", "date"),
            Column("action", "Action"),
            Column("owner", "Owner"),
            Column("progress", "Progress recorded"),
        ),
        tuple((m.iso(d), a, o, p) for d, a, o, p in rows),
        f"The {len(rows)} most recent of {total:,}.",
    )
