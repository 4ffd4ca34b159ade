"""The questions every report and the dashboard ask of the database, in one place.

Each function returns SQL (conditions, expressions) or runs one aggregate query: counts and
sums come back from ``GROUP BY`` in the database, the same statement on SQLite and
PostgreSQL, never every row. What today's model cannot say exactly is decided here, once, and
said in the reports:

* **Which evaluations** a figure counts (:func:`evaluations_where`): not deleted, dated in
  the period (the evaluation date, not when it was typed), in the service area or team asked
  for, and — for findings — completed (a reopened evaluation is being changed again).
* **Actions** (:data:`ACTION_OPEN`, :func:`action_overdue`): an action's status is the one
  its progress updates give it (``actions.current_status``, derived from the dated updates by
  ``store/tracking.py``): open or in progress; done on the day of the update that said so
  (``status_on``); overdue when still open after its due date.
* **Immediate concerns** (:func:`concern_statuses`): the concern's lifecycle — raised, its
  written notice shared with some or all of the four (seed 000 §3.4), acknowledged, closed —
  from the shares and the acknowledgement and closing events recorded.
* **Moderation agreement** (:func:`agreement`): the moderated grade against the auditor's,
  from ``moderation_judgements``; the ``moderation`` work's statistics (kappa, alpha, blind
  grades) replace this one function.
* **Managers and their own line** (:func:`managers`, :func:`own_line`): there is no list of
  managers yet, so the managers expected to evaluate are the auditors seen in the last twelve
  months, and a manager's own line is the service area they evaluate most in — inferred, and
  every report that uses them says so.
* **Demo evaluations** (:func:`demo_evaluations`): how many of the counted evaluations are
  fictional demo data (``evaluations.demo``, set by ``qa-tui demo``); every report and the
  dashboard say so when there are any.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.selectable import Subquery

from qa_tui.reports.model import ReportQuery
from qa_tui.reports.period import Period
from qa_tui.reports.standards import Vocabulary
from qa_tui.reports.where import area_conditions, counted_conditions
from qa_tui.store import models
from qa_tui.vocab import CONCERN_RECIPIENTS, OPEN_ACTION_STATUSES

E = models.Evaluation
A = models.Action
# A column or an expression over columns (what grouping and bucketing take).
Expr = ColumnElement[Any] | InstrumentedAttribute[Any]

# --- which evaluations --------------------------------------------------------------------


def area_where(query: ReportQuery) -> list[ColumnElement[bool]]:
    """Not deleted, and in the service area or team asked for (any date)."""
    return area_conditions(E, query)


def evaluations_where(
    query: ReportQuery, period: Period | None = None, *, completed: bool = True
) -> list[ColumnElement[bool]]:
    """The evaluations a figure counts: in the period (default: the query's) by evaluation
    date, in the area or team asked for, and (unless ``completed`` is False) completed."""
    return counted_conditions(E, query, period, completed=completed)


def bucket(column: object, periods: Sequence[Period], *, text: bool = False) -> ColumnElement[str]:
    """The label of the period each date falls in (months, quarters…), or NULL: a CASE, so
    the grouping happens in the database, the same on SQLite and PostgreSQL. ``text``: the
    column holds ISO dates as text (compared with ISO strings)."""

    def bound(day: dt.date) -> Any:
        return day.isoformat() if text else day

    whens = [
        (
            and_(column >= bound(p.start), column <= bound(p.end)),
            literal(p.label, literal_execute=True),
        )
        for p in periods
    ]
    return case(*whens, else_=None)


def quarters_of(period: Period) -> list[Period]:
    """The calendar quarters the period touches, each cut to the period."""
    from qa_tui.reports.period import quarter

    out: list[Period] = []
    for year, month in period.months():
        q = quarter(year, (month - 1) // 3 + 1)
        if not out or out[-1].label != q.label:
            out.append(q)
    return [
        Period(max(q.start, period.start), min(q.end, period.end), q.label, "quarter") for q in out
    ]


def months_of(period: Period) -> list[Period]:
    """The calendar months the period touches, each cut to the period."""
    from qa_tui.reports.period import month

    out = []
    for year, number in period.months():
        m = month(year, number)
        out.append(Period(max(m.start, period.start), min(m.end, period.end), m.label, "month"))
    return out


def count_evaluations(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    return int(session.scalar(select(func.count()).select_from(E).where(*conditions)) or 0)


# --- demo data ----------------------------------------------------------------------------


def demo_evaluations(session: Session, conditions: Sequence[ColumnElement[bool]]) -> int:
    """How many of the evaluations ``conditions`` select are fictional demo data (every report
    then says "includes N demo evaluations")."""
    E = models.Evaluation
    query = select(func.count()).select_from(E).where(*conditions, E.demo)
    return int(session.scalar(query) or 0)


# --- grades --------------------------------------------------------------------------------


def grade_rank(vocab: Vocabulary, template: Expr, grade: Expr) -> ColumnElement[int]:
    """The rank of a (template id, grade id) pair as SQL (NULL for "not applicable" or an
    unknown grade): a CASE over the few grades the templates define."""
    whens = [
        (and_(template == t, grade == g), literal(rank, literal_execute=True))
        for t, g, rank in vocab.ranked_pairs()
    ]
    return case(*whens, else_=None) if whens else literal(None)


def is_good_or_better(vocab: Vocabulary, template: Expr, grade: Expr) -> ColumnElement[bool]:
    pairs = vocab.good_or_better_pairs()
    if not pairs:
        return literal(False)
    return or_(*(and_(template == t, grade == g) for t, g in pairs))


# --- actions --------------------------------------------------------------------------------

ACTION_OPEN = tuple(OPEN_ACTION_STATUSES)  # open, in progress
ACTION_DONE = ("done",)
ACTION_STATUS_ORDER = ("open", "in_progress", "done", "cancelled")


def action_opened_on() -> ColumnElement[str]:
    """The day an action was agreed (ISO text: compared with ISO strings on both databases)."""
    return func.substr(A.created_at, 1, 10)


def action_is_open() -> ColumnElement[bool]:
    return A.current_status.in_(ACTION_OPEN)


def action_is_done() -> ColumnElement[bool]:
    return A.current_status.in_(ACTION_DONE)


def action_done_on() -> InstrumentedAttribute[dt.date | None]:
    """The day an action was done: the date of the progress update that said so."""
    return A.status_on


def action_overdue(as_of: dt.date) -> ColumnElement[bool]:
    """Still open after its due date, on ``as_of`` (the day the report is made)."""
    return and_(action_is_open(), A.due_date.is_not(None), A.due_date < as_of)


def actions_where(query: ReportQuery) -> list[ColumnElement[bool]]:
    """Actions of evaluations in the area or team asked for (any date); not deleted."""
    return [~A.deleted, *area_where(query)]


# --- immediate concerns ----------------------------------------------------------------------

CONCERN_STATUSES = (
    ("not_shared", "Raised, notice not yet shared"),
    ("partly_shared", "Notice shared with some of the four"),
    ("shared", "Notice shared with all four, not yet acknowledged"),
    ("acknowledged", "Acknowledged"),
    ("closed", "Closed"),
)


def concern_status_expr() -> tuple[ColumnElement[str], Subquery]:
    """(status expression, subquery to outer-join on evaluation id): how far the concern's
    lifecycle got — closed, acknowledged, or how many of the four recipients (seed 000 §3.4)
    the written notice reached. It groups every concern's shares and events: for every
    concern at once (the tidy data); a period's figures use :func:`concern_status`."""
    s, ev = models.ConcernShare, models.ConcernEvent
    shares = (
        select(s.evaluation_id, func.count(func.distinct(s.recipient_role)).label("n"))
        .where(~s.deleted, s.shared_on.is_not(None), s.recipient_role.in_(list(CONCERN_RECIPIENTS)))
        .group_by(s.evaluation_id)
        .subquery()
    )
    events = (
        select(
            ev.evaluation_id.label("evaluation_id"),
            func.sum(case((ev.kind == "acknowledged", 1), else_=0)).label("acknowledged"),
            func.sum(case((ev.kind == "closed", 1), else_=0)).label("closed"),
        )
        .where(~ev.deleted)
        .group_by(ev.evaluation_id)
        .subquery()
    )
    joined = (
        select(
            E.id.label("evaluation_id"),
            func.coalesce(shares.c.n, 0).label("n"),
            func.coalesce(events.c.acknowledged, 0).label("acknowledged"),
            func.coalesce(events.c.closed, 0).label("closed"),
        )
        .outerjoin(shares, shares.c.evaluation_id == E.id)
        .outerjoin(events, events.c.evaluation_id == E.id)
        .where(E.immediate_concern.is_(True))
        .subquery()
    )
    n = func.coalesce(joined.c.n, 0)
    status = case(
        (func.coalesce(joined.c.closed, 0) > 0, literal("closed", literal_execute=True)),
        (
            func.coalesce(joined.c.acknowledged, 0) > 0,
            literal("acknowledged", literal_execute=True),
        ),
        (n >= len(CONCERN_RECIPIENTS), literal("shared", literal_execute=True)),
        (n > 0, literal("partly_shared", literal_execute=True)),
        else_=literal("not_shared", literal_execute=True),
    )
    return status, joined


def concern_shared() -> ColumnElement[int]:
    """How many of the four (seed 000 §3.4) the written notice of each evaluation selected
    reached (correlated: read by index for that evaluation alone)."""
    s = models.ConcernShare
    return (
        select(func.count(func.distinct(s.recipient_role)))
        .where(
            s.evaluation_id == E.id,
            ~s.deleted,
            s.shared_on.is_not(None),
            s.recipient_role.in_(list(CONCERN_RECIPIENTS)),
        )
        .scalar_subquery()
    )


def concern_status() -> ColumnElement[str]:
    """The status of the concern of each evaluation selected, as :func:`concern_status_expr`
    says it, from that evaluation's own shares and events (correlated, found by their index
    on the evaluation): what a period's figures cost grows with the period's concerns, not
    with every share and event in the database."""
    ev = models.ConcernEvent
    shared = concern_shared()

    def happened(kind: str) -> ColumnElement[bool]:
        return exists().where(ev.evaluation_id == E.id, ~ev.deleted, ev.kind == kind)

    return case(
        (happened("closed"), literal("closed", literal_execute=True)),
        (happened("acknowledged"), literal("acknowledged", literal_execute=True)),
        (shared >= len(CONCERN_RECIPIENTS), literal("shared", literal_execute=True)),
        (shared > 0, literal("partly_shared", literal_execute=True)),
        else_=literal("not_shared", literal_execute=True),
    )


def concern_statuses(session: Session, conditions: Sequence[ColumnElement[bool]]) -> dict[str, int]:
    """Evaluations that raised an immediate concern, by status (every status, 0 included)."""
    per_concern = (
        select(concern_status().label("status"))
        .where(*conditions, E.immediate_concern.is_(True))
        .subquery()
    )
    rows = session.execute(
        select(per_concern.c.status, func.count()).group_by(per_concern.c.status)
    ).all()
    found = {str(key): int(n) for key, n in rows}
    return {key: found.get(key, 0) for key, _label in CONCERN_STATUSES}


# --- moderation agreement --------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """Moderated grades against the auditor's: how many, and how they compare."""

    n: int = 0
    agree: int = 0
    higher: int = 0
    lower: int = 0
    different: int = 0  # "not applicable" on one side: no direction

    @property
    def share_agreed(self) -> float | None:
        return self.agree / self.n if self.n else None


AGREEMENT_SOURCE = (
    "Agreement is the share of moderated items where the moderated grade equals the auditor's "
    "(moderation judgements, item by item, overall judgement included)."
)


def agreement(
    session: Session,
    vocab: Vocabulary,
    query: ReportQuery,
    periods: Sequence[Period],
) -> dict[str, Agreement]:
    """Agreement of moderations dated in each of ``periods`` (by label), for evaluations in the
    area or team asked for. The one place the agreement figures come from.

    The database counts each (day, template, auditor's grade, moderated grade); the period a
    day falls in, and whether a pair agrees, or is higher or lower, are then read here from
    the periods and the templates' scales — a few thousand groups, whatever the number of
    judgements (grouping by the day itself, not by a CASE over the periods, spares the
    database a dozen comparisons a judgement).
    """
    j, m = models.ModerationJudgement, models.Moderation
    when = m.moderated_on
    rows = session.execute(
        select(when, E.template_id, j.auditor_grade, j.moderated_grade, func.count())
        .select_from(m)
        .join(j, j.moderation_id == m.id)
        .join(E, E.id == j.evaluation_id)
        .where(
            *area_where(query),
            ~j.deleted,
            ~m.deleted,
            j.moderated_grade != "",
            # The whole span first, so the index on the moderation date finds the rows.
            m.moderated_on >= min(p.start for p in periods),
            m.moderated_on <= max(p.end for p in periods),
        )
        .group_by(when, E.template_id, j.auditor_grade, j.moderated_grade)
    ).all()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for day, template_id, given, moderated, n in rows:
        label = period_of(as_date(day), periods)
        if label is not None:
            counts[label][_compared(vocab, template_id, given, moderated)] += int(n)
    return {
        label: Agreement(sum(c.values()), c["agree"], c["higher"], c["lower"], c["different"])
        for label, c in counts.items()
    }


def period_of(day: dt.date | None, periods: Sequence[Period]) -> str | None:
    """The label of the first of ``periods`` that ``day`` falls in (None: none), as
    :func:`bucket` says it in SQL."""
    if day is not None:
        for span in periods:
            if span.start <= day <= span.end:
                return span.label
    return None


def _compared(vocab: Vocabulary, template_id: str, given: str, moderated: str) -> str:
    """agree, higher, lower, or different (not applicable, or unknown, on one side)."""
    if moderated == given:
        return "agree"
    a, b = vocab.grade(template_id, given), vocab.grade(template_id, moderated)
    if a is None or b is None or not a.rank or not b.rank:
        return "different"
    return "higher" if b.rank > a.rank else "lower"


# --- managers and their own line --------------------------------------------------------------

MANAGERS_RULE = (
    "There is no list of managers in the database yet: the managers expected to complete a "
    "collaborative evaluation each month (seed 000 §3.2) are taken to be the auditors who "
    "made an evaluation in the twelve months to the end of the period."
)
OWN_LINE_RULE = (
    "A manager's own line (seed 000 §3.3) is inferred as the service area they evaluated most "
    "often in the twelve months to the end of the period (ties: the first by name); an "
    "evaluation in another service area counts as outside their line."
)


@dataclass(frozen=True)
class Manager:
    name: str
    role: str
    own_area: str  # inferred: see OWN_LINE_RULE
    own_team: str  # the team they evaluated most in (the same rule), for a report on one team
    last_evaluation: dt.date | None


def own_line(counts: dict[str, int]) -> str:
    """The rule for a manager's own line, from how many evaluations they made in each service
    area (or team): the one of most (ties: the first by name)."""
    if not counts:
        return ""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def managers(session: Session, query: ReportQuery, as_of: dt.date) -> list[Manager]:
    """The managers expected to evaluate (auditors seen in the twelve months to ``as_of``),
    each with their inferred own line; with a service area or team asked for, only those
    whose own line is there."""
    since = as_of - dt.timedelta(days=365)
    window = [~E.deleted, E.evaluation_date > since, E.evaluation_date <= as_of, E.auditor != ""]
    rows = session.execute(
        select(E.auditor, E.service_area, E.team, func.count(), func.max(E.evaluation_date))
        .where(*window)
        .group_by(E.auditor, E.service_area, E.team)
    ).all()
    roles = dict(
        session.execute(
            select(E.auditor, func.max(E.auditor_role)).where(*window).group_by(E.auditor)
        ).all()
    )
    areas: dict[str, Counter[str]] = defaultdict(Counter)
    teams: dict[str, Counter[str]] = defaultdict(Counter)
    last: dict[str, dt.date] = {}
    for name, area, team, n, latest in rows:
        areas[name][area] += int(n)
        teams[name][team] += int(n)
        latest = as_date(latest)
        if latest and (name not in last or latest > last[name]):
            last[name] = latest
    out = []
    for name in sorted(areas):
        area, team = own_line(dict(areas[name])), own_line(dict(teams[name]))
        if query.service_area and area != query.service_area:
            continue
        if query.team and team != query.team:
            continue
        out.append(Manager(name, str(roles.get(name) or ""), area, team, last.get(name)))
    return out


def as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
