"""Measures several reports and the dashboard share, each one aggregate query.

Grades per standard, the overall judgement, scaling, actions and activity: every function
takes the conditions that choose the evaluations (:mod:`qa_tui.reports.queries`) and returns
small Python values built from ``GROUP BY`` rows — a few hundred at most, whatever the size of
the database. Formatting helpers for shares and changes are here too, so every report writes
"62% (n = 140)" and "+4 points" the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from qa_tui.framework.model import NOT_APPLICABLE, PROMPT_MARKS
from qa_tui.reports import queries as q
from qa_tui.reports.model import Column, Figure, ReportQuery, Table
from qa_tui.reports.standards import Standard, Vocabulary
from qa_tui.store import models

E = models.Evaluation
R = models.Response
S = models.Scale
A = models.Action

# Marks only an example under a judgement takes (a template whose text is not here cannot say
# which items are examples; a grade "seen" still tells).
PROMPT_ONLY = frozenset(PROMPT_MARKS) - {NOT_APPLICABLE}
MIN_N_RANKED = 5  # a standard is called strongest or weakest only on at least this many grades

# --- formatting ----------------------------------------------------------------------------


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def points(now: float | None, before: float | None) -> str:
    """The change between two shares in percentage points ("+4 points", "no change")."""
    if now is None or before is None:
        return "no earlier figure"
    diff = round((now - before) * 100)
    return "no change" if diff == 0 else f"{diff:+d} points"


def change(now: float | None, before: float | None) -> float | None:
    """The change between two shares, in percentage points (one decimal)."""
    return None if now is None or before is None else round((now - before) * 100, 1)


def fit(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (an ellipsis if cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- grades ----------------------------------------------------------------------------------


@dataclass
class Grades:
    """How often each grade was given (N/A included) to one standard, or overall."""

    counts: dict[str, int] = field(default_factory=dict)
    good: int = 0  # how many of them count as good or better

    @property
    def graded(self) -> int:
        """Grades on the scale (not applicable left out): what the shares rest on."""
        return sum(n for g, n in self.counts.items() if g != NOT_APPLICABLE)

    @property
    def share_good(self) -> float | None:
        return share(self.good, self.graded)

    def add(self, grade: str, n: int, good: bool) -> None:
        self.counts[grade] = self.counts.get(grade, 0) + n
        if good:
            self.good += n


def _is_good(vocab: Vocabulary, template_id: str, grade: str) -> bool:
    info = vocab.grade(template_id, grade)
    return bool(info and info.good_or_better)


def grades_by_standard(
    session: Session, vocab: Vocabulary, conditions: Sequence[ColumnElement[bool]]
) -> dict[tuple[str, str], Grades]:
    """Grades of each standard (template id, item id) in the evaluations chosen; the marks
    of the examples under a judgement (seen, not seen) are not grades and are left out."""
    rows = session.execute(
        select(E.template_id, E.template_version, R.item_id, R.grade, func.count())
        .select_from(R)
        .join(E, E.id == R.evaluation_id)
        .where(*conditions, ~R.deleted, R.grade != "")
        .group_by(E.template_id, E.template_version, R.item_id, R.grade)
    ).all()
    out: dict[tuple[str, str], Grades] = {}
    for template_id, version, item_id, grade, n in rows:
        if vocab.is_prompt(template_id, version, item_id) or grade in PROMPT_ONLY:
            continue  # an example's mark (seen / not seen), not a grade of a standard
        found = out.setdefault((template_id, item_id), Grades())
        found.add(grade, int(n), _is_good(vocab, template_id, grade))
    return out


def overall_grades(
    session: Session, vocab: Vocabulary, conditions: Sequence[ColumnElement[bool]]
) -> Grades:
    """The overall judgements of the evaluations chosen."""
    rows = session.execute(
        select(E.template_id, E.overall_grade, func.count())
        .where(*conditions, E.overall_grade != "")
        .group_by(E.template_id, E.overall_grade)
    ).all()
    out = Grades()
    for template_id, grade, n in rows:
        out.add(grade, int(n), _is_good(vocab, template_id, grade))
    return out


def ranked_standards(
    grades: dict[tuple[str, str], Grades], minimum: int = MIN_N_RANKED
) -> list[tuple[tuple[str, str], Grades]]:
    """Standards with at least ``minimum`` grades, weakest first (share good or better, then
    the more grades first, then by id)."""
    found = [(k, g) for k, g in grades.items() if g.graded >= minimum]
    return sorted(found, key=lambda kv: (kv[1].share_good or 0.0, -kv[1].graded, kv[0]))


def ranked_table(
    name: str, title: str, vocab: Vocabulary, picks: list[tuple[tuple[str, str], Grades]]
) -> Table:
    """A table of standards picked from :func:`ranked_standards` (the strongest or the
    weakest): how many grades each rests on and the share good or better."""
    return Table(
        name,
        title,
        (
            Column("template", "Template"),
            Column("standard", "Standard"),
            Column("n_graded", "n graded", "int"),
            Column("share_good_or_better", "Good or better", "percent"),
        ),
        tuple(
            (vocab.standard(*k).template_name, vocab.standard(*k).label, g.graded, g.share_good)
            for k, g in picks
        ),
        f"Standards graded at least {MIN_N_RANKED} times.",
    )


def grade_table(
    name: str,
    title: str,
    vocab: Vocabulary,
    rows: Sequence[tuple[Standard | None, Grades, Grades | None]],
    note: str = "",
) -> Table:
    """A table of grades: one row a standard (or the overall judgement when ``Standard`` is
    None), the count of each grade, the share good or better and the change from before."""
    order = vocab.grade_order()
    columns = [
        Column("template", "Template"),
        Column("standard_id", "Standard id", reading=False),
        Column("standard", "Standard"),
        *(Column(f"n_{gid}", label, "int") for gid, label in order),
        Column("n_graded", "n graded", "int"),
        Column("share_good_or_better", "Good or better", "percent"),
        Column("previous_share", "Previous period", "percent"),
        Column("change_points", "Change", "points"),
    ]
    out = []
    for standard, now, before in rows:
        before_share = before.share_good if before else None
        out.append(
            (
                standard.template_name if standard else "",
                standard.item_id if standard else "overall",
                standard.label if standard else "Overall judgement",
                *(now.counts.get(gid, 0) for gid, _ in order),
                now.graded,
                now.share_good,
                before_share,
                change(now.share_good, before_share),
            )
        )
    return Table(name, title, tuple(columns), tuple(out), note)


# --- scaling ---------------------------------------------------------------------------------


@dataclass
class ScaleStats:
    """Scores (0–10) of one scaling item, or of all: n, mean, spread, quartiles."""

    histogram: dict[int, int] = field(default_factory=dict)  # score -> how many
    total: int = 0
    squares: int = 0

    @property
    def n(self) -> int:
        return sum(self.histogram.values())

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def sd(self) -> float | None:
        """The standard deviation of the scores (population form)."""
        if not self.n or self.mean is None:
            return None
        return math.sqrt(max(self.squares / self.n - self.mean**2, 0.0))

    def quantile(self, fraction: float) -> float | None:
        """The score below which ``fraction`` of the scores lie (nearest rank)."""
        if not self.n:
            return None
        rank = max(1, math.ceil(fraction * self.n))
        seen = 0
        for score in sorted(self.histogram):
            seen += self.histogram[score]
            if seen >= rank:
                return float(score)
        return None

    def add(self, score: int, n: int) -> None:
        self.histogram[score] = self.histogram.get(score, 0) + n
        self.total += score * n
        self.squares += score * score * n


def scaling(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    by: q.Expr | None = None,
) -> dict[tuple[str, str, str], ScaleStats]:
    """Scores by (group, template id, item id): the group is ``by`` (a period label, a team…)
    or "" — one histogram query, so the median and quartiles come from counts, not rows."""
    keys = [by] if by is not None else []
    rows = session.execute(
        select(*keys, E.template_id, S.item_id, S.score, func.count())
        .select_from(S)
        .join(E, E.id == S.evaluation_id)
        .where(*conditions, ~S.deleted, S.score.is_not(None))
        .group_by(*keys, E.template_id, S.item_id, S.score)
    ).all()
    out: dict[tuple[str, str, str], ScaleStats] = {}
    for row in rows:
        values = tuple(row)
        key = values[0] if keys else ""
        template_id, item_id, score, n = values[1:] if keys else values
        if key is None:
            continue
        out.setdefault((str(key), template_id, item_id), ScaleStats()).add(int(score), int(n))
    return out


def merged(stats: dict[tuple[str, str, str], ScaleStats], group: str = "") -> ScaleStats:
    """Every scaling item of one group together."""
    out = ScaleStats()
    for (key, _t, _i), found in stats.items():
        if key == group:
            for score, n in found.histogram.items():
                out.add(score, n)
    return out


def round_or_none(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# --- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionCounts:
    opened: int  # agreed in the period
    completed: int  # done in the period
    open_now: int  # open or in progress today
    overdue: int  # open today after the due date


def action_counts(
    session: Session,
    query: ReportQuery,
    group: q.Expr | None = None,
) -> dict[str, ActionCounts]:
    """Actions of the evaluations in the area or team asked for, by ``group`` (or "")."""
    start, end = query.period.start.isoformat(), query.period.end.isoformat()
    keys = [group] if group is not None else []
    rows = session.execute(
        select(
            *keys,
            func.count().filter(q.action_opened_on().between(start, end)),
            func.count().filter(
                q.action_is_done(),
                q.action_done_on() >= query.period.start,
                q.action_done_on() <= query.period.end,
            ),
            func.count().filter(q.action_is_open()),
            func.count().filter(q.action_overdue(query.today)),
        )
        .select_from(A)
        .join(E, E.id == A.evaluation_id)
        .where(*q.actions_where(query))
        .group_by(*keys)
    ).all()
    out = {}
    for row in rows:
        key, counts = (row[0], row[1:]) if keys else ("", row)
        if key is not None:
            out[str(key)] = ActionCounts(*(int(n) for n in counts))
    return out


def figure_share(label: str, found: Grades, before: Grades | None = None) -> Figure:
    """A "share good or better" figure with its n and, given one, the change from before."""
    note = ""
    if before is not None:
        moved = points(found.share_good, before.share_good)
        note = f"previous period {pct(before.share_good)}: {moved}"
    return Figure(
        label, pct(found.share_good), round_or_none(found.share_good, 4), found.graded, note
    )


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
