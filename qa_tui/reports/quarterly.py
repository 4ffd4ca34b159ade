"""The quarterly summary of activity, learning and change across the services (seed 000
§4.12), set out by service area under the four questions of seed 004 ("How we will know we are
making a difference"): what are we worried about, what did we do well, what is the impact, and
what do we celebrate or learn from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_tui.reports import measures as m
from qa_tui.reports import queries as q
from qa_tui.reports.kinds import ReportBody
from qa_tui.reports.model import Chart, Column, Paragraph, ReportQuery, Section, Series, Table
from qa_tui.reports.period import Period
from qa_tui.reports.standards import Vocabulary, vocabulary
from qa_tui.store import models
from qa_tui.vocab import CONCERN_RECIPIENTS, EVALUATION_TYPES

E = models.Evaluation
QUOTES = 20


def build(session: Session, query: ReportQuery) -> ReportBody:
    """The quarterly summary for ``query`` (any period; a quarter is the usual one)."""
    vocab = vocabulary(session)
    completed = q.count_evaluations(session, q.evaluations_where(query))
    sections = (
        activity(session, query),
        worried(session, vocab, query),
        did_well(session, vocab, query),
        impact(session, vocab, query),
        learning(session, vocab, query),
        Section("About these figures", (Paragraph(RULES),)),
    )
    notes = () if completed else (f"No evaluation was completed in {query.period.label}.",)
    return ReportBody("Quarterly summary of activity, learning and change", sections, notes)


RULES = (
    "Completed evaluations dated in the period, by service area; the previous period is the "
    "one of the same length just before. Moderations are counted by the date they were held. "
    "Learning points are the moderation groups' own words (the most recent "
    f"{QUOTES}); themes in free text are left to a person reading it (the tidy data has it all)."
)


def _by_area(session: Session, where: list[Any], *columns: object) -> list[Any]:
    return list(
        session.execute(
            select(E.service_area, *columns)
            .where(*where)
            .group_by(E.service_area)
            .order_by(E.service_area)
        ).all()
    )


def activity(session: Session, query: ReportQuery) -> Section:
    types = list(EVALUATION_TYPES)
    where = q.evaluations_where(query)
    rows = _by_area(
        session, where, *(func.count().filter(E.evaluation_type == t) for t in types), func.count()
    )
    mods = dict(
        session.execute(
            select(E.service_area, func.count(func.distinct(models.Moderation.id)))
            .join(models.Moderation, models.Moderation.evaluation_id == E.id)
            .where(
                *q.area_where(query),
                ~models.Moderation.deleted,
                models.Moderation.moderated_on >= query.period.start,
                models.Moderation.moderated_on <= query.period.end,
            )
            .group_by(E.service_area)
        ).all()
    )
    acts = m.action_counts(session, query, E.service_area)
    table = Table(
        "activity_by_service_area",
        "Activity by service area",
        (
            Column("service_area", "Service area"),
            *(Column(t, EVALUATION_TYPES[t], "int") for t in types),
            Column("completed", "Evaluations completed", "int"),
            Column("moderations", "Moderations held", "int"),
            Column("actions_agreed", "Actions agreed", "int"),
            Column("actions_completed", "Actions completed", "int"),
        ),
        tuple(
            (
                r[0],
                *(int(n) for n in r[1:]),
                int(mods.get(r[0], 0)),
                acts.get(r[0], m.ActionCounts(0, 0, 0, 0)).opened,
                acts.get(r[0], m.ActionCounts(0, 0, 0, 0)).completed,
            )
            for r in rows
        ),
    )
    chart = Chart(
        "Evaluations completed by service area and type",
        "stacked_bar",
        tuple(r[0] for r in rows),
        tuple(Series(t, tuple(float(r[1 + i]) for r in rows)) for i, t in enumerate(types)),
        table="activity_by_service_area",
    )
    return Section("Activity", (table, chart))


def worried(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """What are we worried about and why: the weakest standards, concerns, overdue actions."""
    ranked = m.ranked_standards(m.grades_by_standard(session, vocab, q.evaluations_where(query)))
    # Each concern's shares read by index: the period's concerns, not every share in the
    # database.
    # "Not yet shared with all four" is what it says, whatever the concern's stage (an
    # acknowledged concern may have reached two of the four).
    per = (
        select(E.service_area.label("area"), q.concern_shared().label("reached"))
        .where(*q.evaluations_where(query, completed=False), E.immediate_concern.is_(True))
        .subquery()
    )
    everyone = len(CONCERN_RECIPIENTS)
    rows = session.execute(
        select(per.c.area, func.count(), func.count().filter(per.c.reached < everyone))
        .group_by(per.c.area)
        .order_by(per.c.area)
    ).all()
    acts = m.action_counts(session, query, E.service_area)
    areas = sorted(set(acts) | {r[0] for r in rows})
    concern = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    table = Table(
        "worries_by_service_area",
        "Immediate concerns and overdue actions by service area",
        (
            Column("service_area", "Service area"),
            Column("concerns", "Immediate concerns raised", "int"),
            Column("not_fully_shared", "Notice not yet shared with all four", "int"),
            Column("actions_overdue", "Actions overdue today", "int"),
        ),
        tuple((a, *concern.get(a, (0, 0)), acts[a].overdue if a in acts else 0) for a in areas),
    )
    weakest = m.ranked_table("weakest_standards", "The weakest standards", vocab, ranked[:5])
    return Section("What are we worried about?", (weakest, table))


def _share_by_area(
    session: Session, vocab: Vocabulary, query: ReportQuery, period: Period | None = None
) -> dict[str, m.Grades]:
    where = q.evaluations_where(query, period)
    rows = session.execute(
        select(E.service_area, E.template_id, E.overall_grade, func.count())
        .where(*where, E.overall_grade != "")
        .group_by(E.service_area, E.template_id, E.overall_grade)
    ).all()
    out: dict[str, m.Grades] = {}
    for area, template_id, grade, n in rows:
        info = vocab.grade(template_id, grade)
        out.setdefault(area, m.Grades()).add(grade, int(n), bool(info and info.good_or_better))
    return out


def did_well(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """What did we do well: the strongest standards and outstanding practice by area."""
    ranked = m.ranked_standards(m.grades_by_standard(session, vocab, q.evaluations_where(query)))
    strongest = m.ranked_table(
        "strongest_standards", "The strongest standards", vocab, ranked[::-1][:5]
    )
    found = _share_by_area(session, vocab, query)
    top = [g for g, _label in vocab.grade_order()][:1]
    table = Table(
        "outstanding_by_service_area",
        "Overall judgements at the top of the scale, by service area",
        (
            Column("service_area", "Service area"),
            Column("n_overall", "n overall judgements", "int"),
            Column("top_grade", "At the top grade", "int"),
            Column("good_or_better", "Good or better", "int"),
        ),
        tuple(
            (a, g.graded, sum(g.counts.get(t, 0) for t in top), g.good)
            for a, g in sorted(found.items())
        ),
    )
    return Section("What did we do well?", (strongest, table))


def impact(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """What is the impact: the change from the previous period, by service area."""
    before_period = query.period.previous()
    now, before = (
        _share_by_area(session, vocab, query),
        _share_by_area(session, vocab, query, before_period),
    )
    scales_now = m.scaling(session, q.evaluations_where(query), E.service_area)
    scales_before = m.scaling(session, q.evaluations_where(query, before_period), E.service_area)
    rows = []
    for area in sorted(set(now) | set(before)):
        g_now, g_before = now.get(area, m.Grades()), before.get(area, m.Grades())
        s_now, s_before = m.merged(scales_now, area), m.merged(scales_before, area)
        rows.append(
            (
                area,
                g_now.graded,
                g_now.share_good,
                g_before.share_good,
                m.change(g_now.share_good, g_before.share_good),
                s_now.n,
                m.round_or_none(s_now.mean),
                m.round_or_none(s_before.mean),
            )
        )
    table = Table(
        "change_by_service_area",
        f"Change from {before_period.label}, by service area",
        (
            Column("service_area", "Service area"),
            Column("n_overall", "n overall judgements", "int"),
            Column("share_good_or_better", "Good or better", "percent"),
            Column("previous_share", "Previous period", "percent"),
            Column("change_points", "Change", "points"),
            Column("n_scales", "n scales", "int"),
            Column("mean_scale", "Mean scale", "float"),
            Column("previous_mean_scale", "Previous mean scale", "float"),
        ),
        tuple(rows),
    )
    chart = _impact_chart(rows, query.period.label, before_period.label)
    return Section("What is the impact of what we did?", (table, chart))


def _impact_chart(rows: list[Any], now: str, before: str) -> Chart:
    def percent(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    return Chart(
        "Overall judgements good or better (%), this period and the previous",
        "bar",
        tuple(r[0] for r in rows),
        (
            Series(now, tuple(percent(r[2]) for r in rows)),
            Series(before, tuple(percent(r[3]) for r in rows)),
        ),
    )


def learning(session: Session, vocab: Vocabulary, query: ReportQuery) -> Section:
    """What do we celebrate or learn from: moderation agreement and the learning points."""
    found = q.agreement(session, vocab, query, [query.period]).get(
        query.period.label, q.Agreement()
    )
    agreement = Table(
        "moderation_agreement",
        "Moderation: moderated grade against the auditor's",
        (
            Column("n", "Items moderated", "int"),
            Column("agree", "Agreed", "int"),
            Column("higher", "Moderated higher", "int"),
            Column("lower", "Moderated lower", "int"),
            Column("share_agreed", "Share agreed", "percent"),
        ),
        ((found.n, found.agree, found.higher, found.lower, found.share_agreed),),
        q.AGREEMENT_SOURCE,
    )
    points = _learning_points(session, query)
    return Section("What do we celebrate or learn from?", (agreement, points))


def _learning_points(session: Session, query: ReportQuery) -> Table:
    """The moderation groups' learning points, the most recent first."""
    mo = models.Moderation
    where = [
        *q.area_where(query),
        ~mo.deleted,
        mo.learning_points != "",
        mo.moderated_on >= query.period.start,
        mo.moderated_on <= query.period.end,
    ]
    total = int(
        session.scalar(
            select(func.count()).select_from(mo).join(E, E.id == mo.evaluation_id).where(*where)
        )
        or 0
    )
    rows = session.execute(
        select(mo.moderated_on, E.service_area, mo.group_name, mo.learning_points)
        .join(E, E.id == mo.evaluation_id)
        .where(*where)
        .order_by(mo.moderated_on.desc(), mo.id)
        .limit(QUOTES)
    ).all()
    return Table(
        "learning_points",
        "Learning points from moderation",
        (
            Column("moderated_on", "Moderated", "date"),
            Column("service_area", "Service area"),
            Column("group", "Group"),
            Column("learning_points", "Learning points"),
        ),
        tuple((m.iso(d), a, g, t) for d, a, g, t in rows),
        f"The {len(rows)} most recent of {total:,}.",
    )
