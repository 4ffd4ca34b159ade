"""The dashboard's numbers, headless: five charts as bars, and the evaluations behind a bar.

The app's dashboard screen draws what :func:`dashboard` returns and opens what
:func:`behind` pages; both are aggregate queries (the same as the reports', from
:mod:`qa_tui.reports.queries` and :mod:`qa_tui.reports.measures`), so a filter change costs a
few ``GROUP BY`` statements, whatever the size of the database.

* **grades** — each standard's grades in the period, weakest first (share good or better);
* **scaling** — the mean scale quarter by quarter (the four quarters to the period's end);
* **overdue** — actions overdue today, by team;
* **concerns** — immediate concerns raised in the period, by status;
* **agreement** — moderation agreement month by month (the twelve months to the period's end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from qa_tui.framework.model import NOT_APPLICABLE
from qa_tui.reports import measures as m
from qa_tui.reports import queries as q
from qa_tui.reports.model import ReportQuery
from qa_tui.reports.period import Period, quarter
from qa_tui.reports.standards import Vocabulary, vocabulary
from qa_tui.store import models
from qa_tui.vocab import CONCERN_RECIPIENTS

E = models.Evaluation
R = models.Response
A = models.Action

CHARTS = ("grades", "scaling", "overdue", "concerns", "agreement")


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for (``key``, for the evaluations behind it), its label, its
    value (None: nothing to show) as a number and as text, and what it rests on (``n``)."""

    key: str
    label: str
    value: float | None
    text: str
    n: int
    parts: tuple[tuple[str, int], ...] = ()  # (grade label, count) of a stacked bar


@dataclass(frozen=True)
class DashChart:
    name: str
    title: str
    bars: tuple[Bar, ...]
    scale: float  # the value of a full-width bar
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    query: ReportQuery
    completed: int
    headline: str  # the weakest standard, said in one line
    charts: tuple[DashChart, ...]
    trend: Period  # the window of the trend charts
    demo: int = 0  # fictional demo evaluations among those counted (said when there are any)

    def chart(self, name: str) -> DashChart:
        return next(c for c in self.charts if c.name == name)


def trend_window(period: Period) -> Period:
    """The four calendar quarters ending with the quarter the period ends in."""
    end = quarter(period.end.year, (period.end.month - 1) // 3 + 1)
    start_year, start_q = end.start.year, (end.start.month - 1) // 3 + 1 - 3
    if start_q < 1:
        start_year, start_q = start_year - 1, start_q + 4
    first = quarter(start_year, start_q)
    return Period(first.start, end.end, f"{first.label} to {end.label}", "range")


def headline_of(grades: DashChart | None) -> str:
    """The weakest standard (graded at least a few times), said in one line; when none was
    graded that often, how often the most graded one was (the chart shows them all)."""
    graded = [b for b in (grades.bars if grades is not None else ()) if b.value is not None]
    weakest = next((b for b in graded if b.n >= m.MIN_N_RANKED), None)
    if not graded:
        return "No standard was graded in this period."
    if weakest is None:
        most = max(b.n for b in graded)
        times = "once" if most == 1 else f"{most} times"
        return (
            f"Too few grades to name the weakest standard: none was graded "
            f"{m.MIN_N_RANKED} times or more in this period (the most, {times})."
        )
    return (
        f"Weakest standard: {m.fit(weakest.label, 90)} — {weakest.text} good or better "
        f"(n = {weakest.n:,})"
    )


def chart(session: Session, query: ReportQuery, name: str) -> DashChart:
    """One chart of the dashboard (a name of :data:`CHARTS`) for ``query``."""
    window = trend_window(query.period)
    if name == "grades":
        return grade_chart(session, vocabulary(session), query)
    if name == "scaling":
        return scaling_chart(session, query, window)
    if name == "overdue":
        return overdue_chart(session, query)
    if name == "concerns":
        return concern_chart(session, query)
    if name == "agreement":
        return agreement_chart(session, vocabulary(session), query, window)
    raise LookupError(name)


def depends_on(query: ReportQuery, name: str) -> tuple[object, ...]:
    """What chart ``name`` depends on: two queries giving the same key give the same chart
    (the overdue actions do not depend on the period; the trends only on the quarters of
    their window)."""
    if name == "overdue":
        return (name, query.service_area, query.team, query.today)
    if name in ("scaling", "agreement"):
        window = trend_window(query.period)
        return (name, window.start, window.end, query.service_area, query.team, query.today)
    return (name, query)


def outline(session: Session, query: ReportQuery, charts: tuple[DashChart, ...] = ()) -> Dashboard:
    """What the dashboard says besides its charts (how many evaluations, the trend window),
    with the ``charts`` drawn so far."""
    grades = next((c for c in charts if c.name == "grades"), None)
    return Dashboard(
        query,
        q.count_evaluations(session, q.evaluations_where(query)),
        headline_of(grades) if grades is not None else "",
        charts,
        trend_window(query.period),
        # Among the completed evaluations counted: the status line says "94 completed
        # evaluations (includes 80 demo)", never more demo than it counts.
        q.demo_evaluations(session, q.evaluations_where(query)),
    )


def with_charts(base: Dashboard, charts: tuple[DashChart, ...]) -> Dashboard:
    """``base`` (an :func:`outline`, its counts read once per filter) with these charts."""
    grades = next((c for c in charts if c.name == "grades"), None)
    return replace(base, charts=charts, headline=headline_of(grades) if grades else "")


def dashboard(session: Session, query: ReportQuery) -> Dashboard:
    """Every chart of the dashboard for ``query`` (period, service area, team)."""
    return outline(session, query, tuple(chart(session, query, name) for name in CHARTS))


def grade_chart(session: Session, vocab: Vocabulary, query: ReportQuery) -> DashChart:
    found = m.grades_by_standard(session, vocab, q.evaluations_where(query))
    order = vocab.grade_order()
    bars = []
    for key, grades in sorted(
        found.items(), key=lambda kv: (kv[1].share_good is None, kv[1].share_good or 0, kv[0])
    ):
        standard = vocab.standard(*key)
        parts = tuple(
            (label, grades.counts.get(gid, 0)) for gid, label in order if gid != NOT_APPLICABLE
        )
        bars.append(
            Bar(
                f"{key[0]}/{key[1]}",
                standard.label,
                grades.share_good,
                m.pct(grades.share_good),
                grades.graded,
                parts,
            )
        )
    return DashChart(
        "grades",
        "Grades by standard, weakest first (share good or better)",
        tuple(bars),
        1.0,
        "Each bar: the standard's grades, best to worst; not applicable left out.",
    )


def scaling_chart(session: Session, query: ReportQuery, window: Period) -> DashChart:
    """The mean scale and its n each quarter: the database sums and counts the scores of each
    day (the chart needs no histogram, and a day needs no CASE over the quarters); the
    quarter a day falls in is found here."""
    quarters = q.quarters_of(window)
    s = models.Scale
    rows = session.execute(
        select(E.evaluation_date, func.sum(s.score), func.count(s.score))
        .select_from(s)
        .join(E, E.id == s.evaluation_id)
        .where(*q.evaluations_where(query, window), ~s.deleted, s.score.is_not(None))
        .group_by(E.evaluation_date)
    ).all()
    total: dict[str, int] = {}
    n: dict[str, int] = {}
    for day, summed, counted in rows:
        label = q.period_of(q.as_date(day), quarters)
        if label is not None:
            total[label] = total.get(label, 0) + int(summed or 0)
            n[label] = n.get(label, 0) + int(counted)
    bars = []
    for span in quarters:
        count = n.get(span.label, 0)
        mean = total[span.label] / count if count else None
        text = "—" if mean is None else f"{mean:.1f}"
        bars.append(Bar(span.label, span.label, mean, text, count))
    return DashChart("scaling", f"Mean scale (0–10) by quarter, {window.label}", tuple(bars), 10.0)


def open_actions_by_team(session: Session, query: ReportQuery) -> dict[str, tuple[int, int]]:
    """Team -> (actions open today, of them overdue), as :func:`qa_tui.reports.measures.
    action_counts` counts them, from the open actions alone (each evaluation's found by the
    report index on evaluation and status, not every action of the database)."""
    rows = session.execute(
        select(E.team, func.count(), func.count().filter(q.action_overdue(query.today)))
        .select_from(A)
        .join(E, E.id == A.evaluation_id)
        .where(*q.actions_where(query), q.action_is_open())
        .group_by(E.team)
    ).all()
    return {str(team): (int(n), int(late)) for team, n, late in rows if team is not None}


def overdue_chart(session: Session, query: ReportQuery) -> DashChart:
    found = open_actions_by_team(session, query)
    bars = tuple(
        Bar(team, team or "(no team)", float(late), f"{late:,}", n)
        for team, (n, late) in sorted(found.items(), key=lambda kv: (-kv[1][1], kv[0]))
        if n
    )
    peak = max((b.value or 0 for b in bars), default=0) or 1
    return DashChart(
        "overdue",
        f"Actions overdue today ({query.today.isoformat()}), by team",
        bars,
        peak,
        "n: the team's open actions.",
    )


def concern_statuses(session: Session, query: ReportQuery) -> dict[str, int]:
    """The period's immediate concerns by status (:func:`qa_tui.reports.queries.
    concern_statuses`)."""
    return q.concern_statuses(session, q.evaluations_where(query, completed=False))


def concern_chart(session: Session, query: ReportQuery) -> DashChart:
    found = concern_statuses(session, query)
    total = sum(found.values())
    bars = tuple(
        Bar(key, label, float(found[key]), f"{found[key]:,}", total)
        for key, label in q.CONCERN_STATUSES
    )
    peak = max((b.value or 0 for b in bars), default=0) or 1
    return DashChart(
        "concerns",
        "Immediate concerns raised in the period, by status",
        bars,
        peak,
        "n: every concern raised.",
    )


def agreement_chart(
    session: Session, vocab: Vocabulary, query: ReportQuery, window: Period
) -> DashChart:
    months = q.months_of(window)
    found = q.agreement(session, vocab, query, months)
    bars = []
    for span in months:
        a = found.get(span.label, q.Agreement())
        bars.append(Bar(span.label, span.label, a.share_agreed, m.pct(a.share_agreed), a.n))
    return DashChart(
        "agreement",
        f"Moderation agreement by month, {window.label}",
        tuple(bars),
        1.0,
        q.AGREEMENT_SOURCE,
    )


# --- the evaluations behind a bar ------------------------------------------------------------


@dataclass(frozen=True)
class BehindRow:
    id: str
    case_reference: str
    evaluation_date: str
    team: str
    auditor: str
    status: str
    overall: str
    detail: str


def _period_of(label: str, window: Period) -> Period:
    for span in [*q.quarters_of(window), *q.months_of(window)]:
        if span.label == label:
            return span
    raise LookupError(label)


Behind = tuple[list[Any], Any, list[Any]]  # (conditions, detail column, order)


def _behind_grades(vocab: Vocabulary, query: ReportQuery, key: str) -> Behind:
    """Evaluations that graded the standard, the lowest grades first."""
    template_id, item_id = key.split("/", 1)
    grade = (
        select(R.grade)
        .where(R.evaluation_id == E.id, R.item_id == item_id, ~R.deleted, R.grade != "")
        .scalar_subquery()
    )
    rank = (
        select(q.grade_rank(vocab, E.template_id, R.grade))
        .where(R.evaluation_id == E.id, R.item_id == item_id, ~R.deleted)
        .scalar_subquery()
    )
    where = [*q.evaluations_where(query), E.template_id == template_id, grade.is_not(None)]
    # Not the versions of the template where the id is an example under a judgement (its
    # mark, seen or not seen, is not a grade: the bar does not count it).
    examples = sorted(v for t, v, p in vocab.prompt_keys if (t, p) == (template_id, item_id))
    if examples:
        where.append(E.template_version.not_in(examples))
    return where, grade, [rank.asc().nulls_last()]


def _behind_scaling(query: ReportQuery, key: str) -> Behind:
    """Evaluations of the quarter with scales, the lowest mean scale first."""
    span = _period_of(key, trend_window(query.period))
    s = models.Scale
    has = exists().where(s.evaluation_id == E.id, ~s.deleted, s.score.is_not(None))
    mean = select(func.avg(s.score)).where(s.evaluation_id == E.id, ~s.deleted).scalar_subquery()
    return [*q.evaluations_where(query, span), has], mean, [mean.asc()]


def _behind_overdue(query: ReportQuery, key: str) -> Behind:
    """The team's evaluations with actions overdue today, the most first."""
    late = (
        select(func.count())
        .where(A.evaluation_id == E.id, ~A.deleted, q.action_overdue(query.today))
        .scalar_subquery()
    )
    return [*q.area_where(query), E.team == key, late > 0], late, [late.desc()]


def _behind_concerns(query: ReportQuery, key: str) -> Behind:
    """Evaluations of the period whose concern is in this status (as the bar counts them)."""
    if key not in dict(q.CONCERN_STATUSES):
        raise LookupError(key)
    rule = q.concern_status() == key
    where = [*q.evaluations_where(query, completed=False), E.immediate_concern.is_(True), rule]
    return where, q.concern_shared(), []


def _behind_agreement(query: ReportQuery, key: str) -> Behind:
    """Evaluations moderated in the month."""
    span = _period_of(key, trend_window(query.period))
    mo = models.Moderation
    held = exists().where(
        mo.evaluation_id == E.id,
        ~mo.deleted,
        mo.moderated_on >= span.start,
        mo.moderated_on <= span.end,
    )
    return [*q.area_where(query), held], None, []


def _behind_query(vocab: Vocabulary, query: ReportQuery, chart: str, key: str) -> Behind:
    """(conditions on evaluations, the detail column, its order) for one bar."""
    if chart == "grades":
        return _behind_grades(vocab, query, key)
    found = {
        "scaling": _behind_scaling,
        "overdue": _behind_overdue,
        "concerns": _behind_concerns,
        "agreement": _behind_agreement,
    }.get(chart)
    if found is None:
        raise LookupError(chart)
    return found(query, key)


def behind(
    session: Session, query: ReportQuery, chart: str, key: str, offset: int = 0, limit: int = 100
) -> tuple[int, list[BehindRow]]:
    """How many evaluations stand behind one bar, and one page of them."""
    vocab = vocabulary(session)
    where, detail, order = _behind_query(vocab, query, chart, key)
    total = int(session.scalar(select(func.count()).select_from(E).where(*where)) or 0)
    columns = [
        E.id,
        E.case_reference,
        E.evaluation_date,
        E.team,
        E.auditor,
        E.status,
        E.template_id,
        E.overall_grade,
    ]
    extra = [detail] if detail is not None else []
    rows = session.execute(
        select(*columns, *extra)
        .where(*where)
        .order_by(*order, E.evaluation_date.desc(), E.id)
        .offset(offset)
        .limit(limit)
    ).all()
    out = []
    for row in rows:
        eid, ref, when, team, auditor, status, template_id, overall, *more = tuple[Any, ...](row)
        info = vocab.grade(template_id, overall) if overall else None
        out.append(
            BehindRow(
                eid,
                ref,
                m.iso(when),
                team,
                auditor,
                status,
                info.label if info else overall,
                _detail(vocab, chart, template_id, more),
            )
        )
    return total, out


def _detail(vocab: Vocabulary, chart: str, template_id: str, more: list[object]) -> str:
    value = more[0] if more else None
    if chart == "grades" and isinstance(value, str):
        info = vocab.grade(template_id, value)
        return info.label if info else value
    if chart == "scaling" and value is not None:
        return f"mean scale {float(str(value)):.1f}"
    if chart == "overdue" and value is not None:
        return f"{value} overdue"
    if chart == "concerns" and value is not None:
        return f"notice shared with {value} of {len(CONCERN_RECIPIENTS)}"
    return ""


def default_period(today: dt.date) -> Period:
    """What the dashboard opens on: the last complete quarter."""
    first = quarter(today.year, (today.month - 1) // 3 + 1).start
    last = first - dt.timedelta(days=1)
    return quarter(last.year, (last.month - 1) // 3 + 1)
