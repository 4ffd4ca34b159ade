"""The monthly report to the board (seed 000 §6.7): the findings of the evaluations undertaken
in the period, set against the period before.

Activity (completed evaluations by type, service area and team, and the monthly expectation
of every manager, §3.2), grades per standard and overall with the change from the previous
period, scaling, the strongest and weakest standards, immediate concerns and their status,
actions, and moderation agreement. Every number is a ``GROUP BY`` in the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
from qa_tui.vocab import EVALUATION_TYPES

E = models.Evaluation

FREE_TEXT = (
    "Themes in the free text (evidence, strengths, worries) are not counted here: a theme "
    "needs a person to read the text. Every text is in the tidy data (qa-tui data) for the QA "
    "team to read and code."
)


def build(session: Session, query: ReportQuery) -> ReportBody:
    """The monthly board report for ``query``."""
    vocab = vocabulary(session)
    now = q.evaluations_where(query)
    completed = q.count_evaluations(session, now)
    sections = [
        activity(session, query),
        expectation(session, query),
        grades(session, vocab, query),
        scaling(session, vocab, query),
        concerns(session, query),
        actions(session, query),
        moderation(session, vocab, query),
        Section("About these figures", (Paragraph(RULES), Paragraph(FREE_TEXT))),
    ]
    notes = () if completed else (f"No evaluation was completed in {query.period.label}.",)
    return ReportBody("Monthly report to the board", at_a_glance(sections), notes)


def at_a_glance(sections: list[Section]) -> tuple[Section, ...]:
    """Every headline figure on the first page, the tables and charts after it."""
    figures = tuple(b for s in sections for b in s.blocks if isinstance(b, Figure))
    rest = tuple(
        Section(s.title, tuple(b for b in s.blocks if not isinstance(b, Figure))) for s in sections
    )
    return (Section("At a glance", figures), *rest)


RULES = (
    "An evaluation belongs to the period of its evaluation date. Grades, scaling and "
    "concerns count completed evaluations only (a reopened one is being changed again). "
    "Shares of good or better leave 'not applicable' out. 'Previous period' is the period of "
    "the same length just before. Actions are those of evaluations in the service area or "
    "team asked for; 'overdue' means still open after the due date on the day the report "
    "was made."
)


def activity(session: Session, query: ReportQuery) -> Section:
    """Completed evaluations by type, and by service area and team (drafts alongside)."""
    started = q.evaluations_where(query, completed=False)
    done = E.status == "completed"
    by_type = dict(
        session.execute(
            select(E.evaluation_type, func.count())
            .where(*started, done)
            .group_by(E.evaluation_type)
        ).all()
    )
    previous = q.count_evaluations(session, q.evaluations_where(query, query.period.previous()))
    total = sum(by_type.values())
    types = Table(
        "completed_by_type",
        "Evaluations completed, by type",
        (Column("type", "Type"), Column("completed", "Completed", "int")),
        tuple((EVALUATION_TYPES.get(k, k), int(v)) for k, v in sorted(by_type.items())),
        f"n = {total:,} completed evaluations",
    )
    teams, area_table, chart = _by_team(session, started)
    figures = (
        Figure(
            "Evaluations completed", f"{total:,}", total, total, f"previous period {previous:,}"
        ),
        *(
            Figure(EVALUATION_TYPES.get(k, k), f"{v:,}", int(v), total)
            for k, v in sorted(by_type.items())
        ),
    )
    return Section("Evaluations completed", (*figures, types, area_table, chart, teams))


def _by_team(session: Session, started: list[Any]) -> tuple[Table, Table, Chart]:
    """Completed (and not yet completed) evaluations by service area and team."""
    done = E.status == "completed"
    rows = session.execute(
        select(E.service_area, E.team, func.count().filter(done), func.count().filter(~done))
        .where(*started)
        .group_by(E.service_area, E.team)
        .order_by(E.service_area, E.team)
    ).all()
    teams = Table(
        "completed_by_team",
        "Evaluations completed, by service area and team",
        (
            Column("service_area", "Service area"),
            Column("team", "Team"),
            Column("completed", "Completed", "int"),
            Column("in_progress", "Not yet completed", "int"),
        ),
        tuple((a, t, int(c), int(d)) for a, t, c, d in rows),
        "Not yet completed: drafts and reopened evaluations dated in the period.",
    )
    areas: dict[str, int] = {}
    for area, _team, n_done, _rest in rows:
        areas[area] = areas.get(area, 0) + int(n_done)
    area_table = Table(
        "completed_by_service_area",
        "Evaluations completed, by service area",
        (Column("service_area", "Service area"), Column("completed", "Completed", "int")),
        tuple(sorted(areas.items())),
    )
    areas = dict(sorted(areas.items()))
    chart = Chart(
        "Evaluations completed, by service area",
        "bar",
        tuple(areas),
        (Series("completed", tuple(float(n) for n in areas.values())),),
        table="completed_by_service_area",
    )
    return teams, area_table, chart


def expectation(session: Session, query: ReportQuery) -> Section:
    """Who completed a collaborative evaluation in each month, who has not (seed 000 §3.2)."""
    from qa_tui.reports.coverage import expectation as expected

    found = expected(session, query)
    people = found.people
    names = {p.name for p in people}
    summary, missing = [], []
    for span in found.months:
        met = sum(1 for p in people if found.met(span.label, p.name))
        summary.append((span.label, len(people), met, len(people) - met, m.share(met, len(people))))
        missing += [
            (span.label, p.name, p.role, p.own_area, m.iso(p.last_evaluation))
            for p in people
            if not found.met(span.label, p.name)
        ]
    others = sum(n for (_label, who), n in found.made.items() if who not in names)
    table, gaps = _expectation_tables(summary, missing)
    met_all, expected_all = sum(r[2] for r in summary), sum(r[1] for r in summary)
    note = "manager-months with a completed collaborative evaluation"
    if others:
        note += f"; {others} by managers whose own line is elsewhere"
    figure = Figure(
        "Monthly expectation met",
        m.pct(m.share(met_all, expected_all)),
        m.round_or_none(m.share(met_all, expected_all), 4),
        expected_all,
        note,
    )
    return Section("The monthly expectation (seed 000 §3.2)", (figure, table, gaps))


def _expectation_tables(summary: list[Any], missing: list[Any]) -> tuple[Table, Table]:
    table = Table(
        "monthly_expectation",
        "Managers who completed a collaborative evaluation, by month",
        (
            Column("month", "Month"),
            Column("managers", "Managers expected", "int"),
            Column("completed", "Completed one", "int"),
            Column("not_completed", "Not yet", "int"),
            Column("share", "Share", "percent"),
        ),
        tuple(summary),
        q.MANAGERS_RULE,
    )
    gaps = Table(
        "managers_not_completed",
        "Managers with no collaborative evaluation completed in the month",
        (
            Column("month", "Month"),
            Column("manager", "Manager"),
            Column("role", "Role"),
            Column("own_line", "Own line (inferred)"),
            Column("last_evaluation", "Last evaluation", "date"),
        ),
        tuple(missing),
        q.OWN_LINE_RULE,
    )
    return table, gaps


def grades(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """Grades per standard and overall, the change from the previous period, and the
    strongest and weakest standards."""
    now_where = q.evaluations_where(query)
    before_where = q.evaluations_where(query, query.period.previous())
    now, before = (
        m.grades_by_standard(session, vocab, now_where),
        m.grades_by_standard(session, vocab, before_where),
    )
    overall_now, overall_before = (
        m.overall_grades(session, vocab, now_where),
        m.overall_grades(session, vocab, before_where),
    )
    keys = sorted(now, key=lambda k: (vocab.standard(*k).template_name, k))
    rows = [(None, overall_now, overall_before)] + [
        (vocab.standard(*k), now[k], before.get(k)) for k in keys
    ]
    table = m.grade_table(
        "grades_by_standard",
        "Grades by standard, with the share good or better",
        vocab,
        rows,
        f"n graded leaves out 'not applicable'. Previous period: {query.period.previous().label}.",
    )
    ranked = m.ranked_standards(now)
    blocks: list[Block] = [
        m.figure_share("Overall judgement good or better", overall_now, overall_before)
    ]
    if ranked:
        for label, (key, found) in (
            ("Weakest standard", ranked[0]),
            ("Strongest standard", ranked[-1]),
        ):
            blocks.append(
                Figure(
                    label,
                    f"{m.pct(found.share_good)} good or better",
                    m.round_or_none(found.share_good, 4),
                    found.graded,
                    vocab.standard(*key).label,
                )
            )
    extremes = _extremes(vocab, ranked)
    chart = _overall_chart(vocab, query, overall_now, overall_before)
    return Section("Grades", (*blocks, chart, extremes, table))


def _overall_chart(vocab: Vocabulary, query: ReportQuery, now: m.Grades, before: m.Grades) -> Chart:
    order = vocab.grade_order()
    return Chart(
        "Overall judgements",
        "bar",
        tuple(label for _gid, label in order),
        (
            Series(query.period.label, tuple(float(now.counts.get(g, 0)) for g, _ in order)),
            Series("previous period", tuple(float(before.counts.get(g, 0)) for g, _ in order)),
        ),
    )


def _extremes(vocab: Vocabulary, ranked: list[tuple[tuple[str, str], m.Grades]]) -> Table:
    picks = ranked[:3] + [r for r in ranked[-3:][::-1] if r not in ranked[:3]]
    rows = []
    for index, (key, found) in enumerate(picks):
        standard = vocab.standard(*key)
        which = "weakest" if index < min(3, len(ranked)) else "strongest"
        rows.append((which, standard.template_name, standard.label, found.graded, found.share_good))
    return Table(
        "strongest_and_weakest",
        "The weakest and strongest standards",
        (
            Column("which", "Which"),
            Column("template", "Template"),
            Column("standard", "Standard"),
            Column("n_graded", "n graded", "int"),
            Column("share_good_or_better", "Good or better", "percent"),
        ),
        tuple(rows),
        f"Only standards graded at least {m.MIN_N_RANKED} times are ranked.",
    )


def scaling_table(
    name: str, title: str, vocab: Vocabulary, now: dict[Any, Any], before: dict[Any, Any]
) -> Table:
    rows = []
    for key in sorted(now):
        _g, template_id, item_id = key
        found, earlier = now[key], before.get(key)
        rows.append(
            (
                vocab.standard(template_id, item_id).template_name,
                vocab.standard(template_id, item_id).label,
                found.n,
                m.round_or_none(found.mean),
                m.round_or_none(found.sd),
                found.quantile(0.0001),
                found.quantile(0.25),
                found.quantile(0.5),
                found.quantile(0.75),
                max(found.histogram),
                m.round_or_none(earlier.mean) if earlier else None,
            )
        )
    return Table(
        name,
        title,
        (
            Column("template", "Template"),
            Column("scaling_question", "Scaling question"),
            Column("n", "n scales", "int"),
            Column("mean", "Mean", "float"),
            Column("sd", "Spread (SD)", "float"),
            Column("min", "Lowest", "float"),
            Column("q1", "Lower quartile", "float"),
            Column("median", "Median", "float"),
            Column("q3", "Upper quartile", "float"),
            Column("max", "Highest", "float"),
            Column("previous_mean", "Previous mean", "float"),
        ),
        tuple(rows),
        "Every participant's scale (0–10) in completed evaluations; quartiles by nearest rank.",
    )


def scaling(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """Scaling: mean, spread and quartiles of every scale given, against the period before."""
    now = m.scaling(session, q.evaluations_where(query))
    before = m.scaling(session, q.evaluations_where(query, query.period.previous()))
    table = scaling_table("scaling", "Scaling (0–10)", vocab, now, before)
    every, earlier = m.merged(now), m.merged(before)
    mean = "—" if every.mean is None else f"{every.mean:.1f}"
    note = "" if earlier.mean is None else f"previous period {earlier.mean:.1f}"
    figure = Figure(
        "Mean scale, every scaling question", mean, m.round_or_none(every.mean), every.n, note
    )
    hist = Table(
        "scaling_distribution",
        "How often each scale was given",
        (Column("scale", "Scale"), Column("n", "n", "int")),
        tuple((str(s), every.histogram.get(s, 0)) for s in range(11)),
        f"n = {every.n:,} scales",
    )
    chart = Chart(
        "How often each scale was given (0–10)",
        "bar",
        tuple(str(s) for s in range(11)),
        (Series("n", tuple(float(every.histogram.get(s, 0)) for s in range(11))),),
        table="scaling_distribution",
    )
    return Section("Scaling", (figure, table, chart, hist))


def concerns(session: Session, query: ReportQuery) -> Section:
    found = q.concern_statuses(session, q.evaluations_where(query, completed=False))
    total = sum(found.values())
    table = Table(
        "concerns_by_status",
        "Immediate concerns raised, by status",
        (Column("status", "Status"), Column("evaluations", "Evaluations", "int")),
        tuple((label, found[key]) for key, label in q.CONCERN_STATUSES),
        "Evaluations dated in the period (any status) that raised an immediate concern; the "
        "written notice goes to the practitioner, team manager, service manager and Director "
        "of Social Care (seed 000 §3.4).",
    )
    figure = Figure(
        "Immediate concerns raised",
        f"{total:,}",
        total,
        total,
        f"{found['shared']} shared with all four",
    )
    return Section("Immediate concerns", (figure, table))


def actions(session: Session, query: ReportQuery) -> Section:
    by_team = m.action_counts(session, query, E.team)
    # Every action is in one team (never NULL): the whole is the teams' sum, not a second
    # pass over every action of the database.
    every = m.ActionCounts(
        sum(c.opened for c in by_team.values()),
        sum(c.completed for c in by_team.values()),
        sum(c.open_now for c in by_team.values()),
        sum(c.overdue for c in by_team.values()),
    )
    figures = (
        Figure("Actions agreed in the period", f"{every.opened:,}", every.opened, every.opened),
        Figure(
            "Actions completed in the period",
            f"{every.completed:,}",
            every.completed,
            every.completed,
        ),
        Figure("Actions open today", f"{every.open_now:,}", every.open_now, every.open_now),
        Figure(
            "Overdue today",
            f"{every.overdue:,}",
            every.overdue,
            every.open_now,
            "of the actions open today",
        ),
    )
    table = Table(
        "actions_by_team",
        "Actions by team",
        (
            Column("team", "Team"),
            Column("opened", "Agreed in period", "int"),
            Column("completed", "Completed in period", "int"),
            Column("open_now", "Open today", "int"),
            Column("overdue", "Overdue today", "int"),
        ),
        tuple(
            (k, v.opened, v.completed, v.open_now, v.overdue) for k, v in sorted(by_team.items())
        ),
    )
    return Section("Actions", (*figures, table))


def moderation(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    months = q.months_of(query.period)
    found = q.agreement(session, vocab, query, months)
    cells = [_agreement_cells(found.get(p.label, q.Agreement())) for p in months]
    rows = [(p.label, *c) for p, c in zip(months, cells, strict=True)]
    total = q.Agreement(*(sum(c[i] for c in cells) for i in range(5)))
    table = Table(
        "moderation_agreement",
        "Moderation: moderated grade against the auditor's",
        (
            Column("month", "Month"),
            Column("n", "Items moderated", "int"),
            Column("agree", "Agreed", "int"),
            Column("higher", "Moderated higher", "int"),
            Column("lower", "Moderated lower", "int"),
            Column("different", "N/A on one side", "int"),
            Column("share_agreed", "Share agreed", "percent"),
        ),
        tuple((*r, m.share(r[2], r[1])) for r in rows),
        q.AGREEMENT_SOURCE,
    )
    figure = Figure(
        "Moderation agreement",
        m.pct(total.share_agreed),
        m.round_or_none(total.share_agreed, 4),
        total.n,
        "items moderated in the period",
    )
    return Section("Moderation", (figure, table))


def _agreement_cells(found: q.Agreement) -> tuple[int, int, int, int, int]:
    return (found.n, found.agree, found.higher, found.lower, found.different)
