"""The judgements agreement is measured on, read from the database once, then grouped.

One *unit* is one item of one evaluation in one moderation: the auditor's grade, the group's
agreed grade and each moderator's blind grade. Two queries do the joins, the filters and the
grouping of blind grades by unit in the database (``group_concat`` / ``string_agg``); the
units are the report's pairs table, so every figure can be recomputed from what the report
publishes. The statistics (:mod:`qa_tui.domain.agreement`) need each evaluation's judgements —
the bootstrap resamples evaluations — so they are computed here from the units, grouped by
month, team, service area, item and session with numpy.

Grades are compared by their position on the template's scale (ranks in order); "not
applicable" is counted apart, never as a grade. Templates are found by their content hash in
the database's template snapshots (every evaluation keeps its template's text there).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, String, and_, cast, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from qa_tui.domain.agreement import Direction, Estimate, alpha_of, kappa_of
from qa_tui.domain.moderation import OVERALL
from qa_tui.framework.model import NOT_APPLICABLE, Template
from qa_tui.store import models

IntArray = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float64]
NONE = -1  # position of a grade that is missing, not applicable or not on the scale
_SEP = "\x1f"  # between blind grades in a concatenation (never in an id or a grade id)


@dataclass(frozen=True)
class AgreementFilter:
    """Which judgements: made from ``start`` to ``end`` (both included), optionally of one
    team, service area, session, or item (``template_id/item_id``)."""

    start: dt.date
    end: dt.date
    team: str = ""
    service_area: str = ""
    session_id: str = ""
    item: str = ""


@dataclass
class Units:
    """Column-wise: one entry per unit (moderation × item)."""

    moderation: list[str] = field(default_factory=list)
    session: list[str] = field(default_factory=list)
    day: list[str] = field(default_factory=list)  # ISO date of the moderation ("": none)
    evaluation: list[str] = field(default_factory=list)
    team: list[str] = field(default_factory=list)
    area: list[str] = field(default_factory=list)
    template: list[str] = field(default_factory=list)
    template_hash: list[str] = field(default_factory=list)
    item: list[str] = field(default_factory=list)
    auditor: list[str] = field(default_factory=list)
    agreed: list[str] = field(default_factory=list)
    blind: list[tuple[tuple[str, str], ...]] = field(default_factory=list)  # (name, grade)

    def __len__(self) -> int:
        return len(self.moderation)


# --- reading --------------------------------------------------------------------------------


def _concat(session: Session, expression: ColumnElement[str]) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(expression, literal(_SEP), type_=String)
    return func.group_concat(expression, _SEP, type_=String)


AnySelect = Select[*tuple[Any, ...]]  # a select of any columns
_Query = TypeVar("_Query", bound=AnySelect)  # … returned as the same kind


def _filtered(
    query: _Query,
    flt: AgreementFilter,
    day_column: InstrumentedAttribute[dt.date | None],
) -> _Query:
    e = models.Evaluation
    query = query.where(day_column >= flt.start, day_column <= flt.end)
    if flt.team:
        query = query.where(e.team == flt.team)
    if flt.service_area:
        query = query.where(e.service_area == flt.service_area)
    return query


def _judgements(session: Session, flt: AgreementFilter) -> AnySelect:
    e, m, j = models.Evaluation, models.Moderation, models.ModerationJudgement
    query = (
        select(
            m.id,
            m.session_id,
            _day(m.moderated_on),
            e.id,
            e.team,
            e.service_area,
            e.template_id,
            e.template_hash,
            j.item_id,
            j.auditor_grade,
            j.moderated_grade,
        )
        .select_from(j)
        .join(m, m.id == j.moderation_id)
        .join(e, e.id == j.evaluation_id)
        .where(~j.deleted, ~m.deleted, ~e.deleted, j.moderated_grade != "")
        .order_by(m.moderated_on, m.session_id, e.id, j.item_id, m.id)
    )
    if flt.session_id:
        query = query.where(m.session_id == flt.session_id)
    if flt.item:
        template_id, _slash, item_id = flt.item.partition("/")
        query = query.where(e.template_id == template_id, j.item_id == item_id)
    return _filtered(query, flt, m.moderated_on)


def _blind(session: Session, flt: AgreementFilter) -> AnySelect:
    e, m, b = models.Evaluation, models.Moderation, models.BlindGrade
    s, who = models.ModerationSession, models.SessionModerator
    grades = _concat(session, b.moderator_id + literal(":", String) + b.grade)
    query = (
        select(
            m.id,
            b.session_id,
            _day(s.held_on),
            e.id,
            e.team,
            e.service_area,
            e.template_id,
            e.template_hash,
            b.item_id,
            grades,
        )
        .select_from(b)
        .join(s, s.id == b.session_id)
        .join(who, who.id == b.moderator_id)
        .join(e, e.id == b.target_evaluation_id)
        .join(m, and_(m.session_id == b.session_id, m.evaluation_id == b.target_evaluation_id))
        .where(~b.deleted, ~s.deleted, ~who.deleted, ~m.deleted, ~e.deleted, b.grade != "")
        .group_by(
            m.id,
            b.session_id,
            s.held_on,
            e.id,
            e.team,
            e.service_area,
            e.template_id,
            e.template_hash,
            b.item_id,
        )
        .order_by(s.held_on, b.session_id, e.id, b.item_id)
    )
    if flt.session_id:
        query = query.where(b.session_id == flt.session_id)
    if flt.item:
        template_id, _slash, item_id = flt.item.partition("/")
        query = query.where(e.template_id == template_id, b.item_id == item_id)
    return _filtered(query, flt, s.held_on)


def _names(session: Session) -> dict[str, str]:
    rows = session.execute(select(models.SessionModerator.id, models.SessionModerator.name))
    return {k: v for k, v in rows}


def _day(column: InstrumentedAttribute[dt.date | None]) -> ColumnElement[str]:
    """A date as ISO text (both databases store or print it so): no date objects per row."""
    return cast(column, String)


def read_units(session: Session, flt: AgreementFilter) -> tuple[Units, dict[str, Template]]:
    """Every unit the filter selects and the templates they use (by hash); judged units
    first, in order of date, session, evaluation and item, then units graded blind only."""
    connection = session.connection()
    judged = connection.execute(_judgements(session, flt)).all()
    units = Units()
    if judged:
        columns = list(zip(*judged, strict=True))
        for name, values in zip(_JUDGED, columns, strict=True):
            setattr(units, name, list(values))
        units.blind = [()] * len(judged)
    where = {
        (mid, item): i
        for i, (mid, item) in enumerate(zip(units.moderation, units.item, strict=True))
    }
    names = _names(session)
    extra: list[tuple[object, ...]] = []
    for row in connection.execute(_blind(session, flt)):
        mid, sid, day, eid, team, area, tid, thash, item, joined = row
        found = where.get((mid, item))
        if found is not None:
            units.blind[found] = _split(joined, names)
        else:
            extra.append(
                (mid, sid, day, eid, team, area, tid, thash, item, "", "", _split(joined, names))
            )
    for unit in extra:
        for name, value in zip((*_JUDGED, "blind"), unit, strict=True):
            getattr(units, name).append(value)
    units.day = [d or "" for d in units.day]
    return units, _templates(session, set(units.template_hash))


# The columns of a judged unit, in the order _judgements selects them.
_JUDGED = (
    "moderation",
    "session",
    "day",
    "evaluation",
    "team",
    "area",
    "template",
    "template_hash",
    "item",
    "auditor",
    "agreed",
)


def _split(joined: str | None, names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out = []
    for part in (joined or "").split(_SEP):
        who, _colon, grade = part.partition(":")
        if grade:
            out.append((names.get(who, who), grade))
    return tuple(sorted(out))


def _templates(session: Session, hashes: set[str]) -> dict[str, Template]:
    from qa_tui.errors import TemplateError
    from qa_tui.framework.loader import builtin_templates, load_template_text

    found = {t.content_hash: t for t in builtin_templates() if t.content_hash in hashes}
    missing = hashes - set(found)
    if missing:
        rows = session.execute(
            select(models.TemplateSnapshot.content_hash, models.TemplateSnapshot.source_text).where(
                models.TemplateSnapshot.content_hash.in_(missing)
            )
        )
        for content_hash, text in rows:
            try:
                found[content_hash] = load_template_text(text, f"<template {content_hash[:8]}>")
            except TemplateError:
                continue  # a template this qa-tui cannot read: its grades count as off-scale
    return found


# --- positions on the scale -------------------------------------------------------------------


def _signature(template: Template) -> tuple[str, ...]:
    """The scale's grade ids from the lowest to the highest."""
    return tuple(g.id for g in sorted(template.scale.grades, key=lambda g: g.rank))


@dataclass
class Scale:
    """The one scale the statistics are computed on, and how each unit's grades sit on it."""

    grades: tuple[str, ...]  # lowest first
    labels: dict[str, str]
    auditor: IntArray  # position of each unit's auditor grade (NONE: none, N/A or off scale)
    agreed: IntArray
    counts: Matrix  # per unit, how many blind grades at each position
    not_applicable: npt.NDArray[np.bool_]  # the auditor or the group said "not applicable"
    on_scale: npt.NDArray[np.bool_]  # False: a unit on a template with another scale

    @property
    def other_scale(self) -> int:
        """Units on a template with a different scale (left out of the figures)."""
        return int((~self.on_scale).sum())

    def take(self, rows: IntArray) -> Scale:
        return Scale(
            self.grades,
            self.labels,
            self.auditor[rows],
            self.agreed[rows],
            self.counts[rows],
            self.not_applicable[rows],
            self.on_scale[rows],
        )


def positions(units: Units, templates: dict[str, Template]) -> Scale:
    """Place every unit's grades on the scale most of the units use."""
    signatures = Counter(_signature(templates[h]) for h in units.template_hash if h in templates)
    grades = signatures.most_common(1)[0][0] if signatures else ()
    position = {grade: i for i, grade in enumerate(grades)}
    same = {h for h, t in templates.items() if _signature(t) == grades}
    labels = {}
    for template in templates.values():
        if template.content_hash in same:
            labels.update({g.id: g.label for g in template.scale.grades})
            labels[NOT_APPLICABLE] = template.scale.not_applicable_label
    n, k = len(units), len(grades)
    on_scale = np.array([h in same for h in units.template_hash], dtype=bool)

    def place(values: list[str]) -> IntArray:
        found = [position.get(v, NONE) for v in values]
        return np.where(on_scale, np.array(found, dtype=np.int64), NONE)

    counts = np.zeros((n, max(k, 1)))
    for row, blind in enumerate(units.blind):
        if on_scale[row]:
            for _name, grade in blind:
                if grade in position:
                    counts[row, position[grade]] += 1
    na = np.array(
        [
            a == NOT_APPLICABLE or g == NOT_APPLICABLE
            for a, g in zip(units.auditor, units.agreed, strict=True)
        ],
        dtype=bool,
    )
    return Scale(
        grades,
        labels,
        place(units.auditor),
        place(units.agreed),
        counts,
        na & on_scale,
        on_scale,
    )


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Agreement in one group of units (a month, a team, an item, … or all of them)."""

    label: str
    judgements: int  # agreed grades recorded, "not applicable" included
    not_applicable: int
    direction: Direction  # over the pairs with both grades on the scale
    kappa: Estimate
    alpha: Estimate

    @property
    def pairs(self) -> int:
        return self.direction.pairs

    def summary(self) -> str:
        """ "moderate agreement, 41 pairs; auditors graded one step higher than the group in 9
        of 14 disagreements"."""
        if self.kappa.value is None:
            head = self.kappa.reason
        else:
            head = f"{self.kappa.reading()}, {self.kappa.n} pairs"
        return f"{head}; {self.direction.words()}" if self.pairs else head


def figures(
    label: str, rows: IntArray, scale: Scale, clusters: IntArray, agreed: npt.NDArray[np.bool_]
) -> Figures:
    """The figures of the units ``rows`` (indices)."""
    a, g = scale.auditor[rows], scale.agreed[rows]
    judged = agreed[rows]
    both = (a != NONE) & (g != NONE) & judged
    diff = a[both] - g[both]
    higher = Counter(
        {
            int(s): int(c)
            for s, c in zip(*np.unique(diff[diff > 0], return_counts=True), strict=True)
        }
    )
    lower = Counter(
        {
            int(-s): int(c)
            for s, c in zip(*np.unique(diff[diff < 0], return_counts=True), strict=True)
        }
    )
    direction = Direction(int(both.sum()), int((diff == 0).sum()), higher, lower)
    k = max(len(scale.grades), 1)
    kappa = kappa_of(clusters[rows][both], a[both], g[both], k)
    alpha = alpha_of(clusters[rows], scale.counts[rows])
    na = int((scale.not_applicable[rows] & judged).sum())
    return Figures(label, int(judged.sum()), na, direction, kappa, alpha)


@dataclass
class Agreement:
    """Everything the report and the moderation screen show, from one read."""

    filter: AgreementFilter
    units: Units
    scale: Scale
    overall: Figures
    by: dict[str, list[Figures]]  # "month", "team", "service_area", "item", "session"

    @property
    def blind_width(self) -> int:
        """The most blind grades any unit has (the pairs table's blind columns)."""
        return max((len(b) for b in self.units.blind), default=0)


DIMENSIONS = ("month", "team", "service_area", "item", "session")


@dataclass
class Selection:
    """The units read for a filter, placed on the scale: what figures are computed from.

    The moderation screen keeps one per period and narrows it to a team or service area in
    memory (:func:`narrow`), so a filter change needs no query."""

    filter: AgreementFilter
    units: Units
    scale: Scale
    clusters: IntArray  # each unit's evaluation, as a code
    agreed: npt.NDArray[np.bool_]  # the unit has an agreed grade
    prompts: dict[str, str]  # "template_id/item_id" -> the item's prompt
    titles: dict[str, str]  # session id -> "date title"


def read_selection(session: Session, flt: AgreementFilter) -> Selection:
    """Read the units the filter selects and place them on the scale."""
    units, templates = read_units(session, flt)
    scale = positions(units, templates)
    codes: dict[str, int] = {}
    clusters = np.array([codes.setdefault(e, len(codes)) for e in units.evaluation], dtype=np.int64)
    agreed = np.array([bool(g) for g in units.agreed], dtype=bool)
    prompts: dict[str, str] = {}
    for template in templates.values():
        for item in template.items():
            prompts[f"{template.id}/{item.id}"] = item.prompt
        prompts[f"{template.id}/{OVERALL}"] = f"Overall judgement ({template.name})"
    return Selection(flt, units, scale, clusters, agreed, prompts, _titles(session, units))


def _titles(session: Session, units: Units) -> dict[str, str]:
    s = models.ModerationSession
    ids = set(units.session) - {""}
    if not ids:
        return {}
    rows = session.execute(select(s.id, s.held_on, s.title).where(s.id.in_(ids)))
    return {sid: f"{day.isoformat() if day else '—'} {title}" for sid, day, title in rows}


def narrow(selection: Selection, team: str = "", service_area: str = "") -> Selection:
    """Only the units of one team and/or service area (in memory)."""
    if not team and not service_area:
        return selection
    units = selection.units
    rows = [
        i
        for i in range(len(units))
        if (not team or units.team[i] == team)
        and (not service_area or units.area[i] == service_area)
    ]
    index = np.array(rows, dtype=np.int64)
    taken = Units(
        **{name: [getattr(units, name)[i] for i in rows] for name in Units.__dataclass_fields__}
    )
    flt = replace(selection.filter, team=team, service_area=service_area)
    return replace(
        selection,
        filter=flt,
        units=taken,
        scale=selection.scale.take(index),
        clusters=selection.clusters[index],
        agreed=selection.agreed[index],
    )


def _groups(keys: list[str]) -> dict[str, IntArray]:
    found: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        found.setdefault(key, []).append(index)
    return {key: np.array(rows, dtype=np.int64) for key, rows in sorted(found.items())}


def _keys(units: Units, dimension: str) -> list[str]:
    if dimension == "month":
        return [d[:7] or "no date" for d in units.day]
    if dimension == "team":
        return [t or "no team" for t in units.team]
    if dimension == "service_area":
        return [a or "no service area" for a in units.area]
    if dimension == "item":
        return [f"{t}/{i}" for t, i in zip(units.template, units.item, strict=True)]
    return list(units.session)


def compute(selection: Selection, dimensions: tuple[str, ...] = DIMENSIONS) -> Agreement:
    """Every figure of the selection: the whole of it, and by each of ``dimensions``."""
    sel = selection
    everything = np.arange(len(sel.units), dtype=np.int64)
    overall = figures("All", everything, sel.scale, sel.clusters, sel.agreed)
    label = {"item": sel.prompts, "session": sel.titles}
    by: dict[str, list[Figures]] = {}
    for name in dimensions:
        names = label.get(name, {})
        found = [
            figures(names.get(key, key), rows, sel.scale, sel.clusters, sel.agreed)
            for key, rows in _groups(_keys(sel.units, name)).items()
            if not (name == "session" and key == "")
        ]
        by[name] = sorted(found, key=lambda f: f.label.casefold())
    return Agreement(sel.filter, sel.units, sel.scale, overall, by)


def agreement(
    session: Session, flt: AgreementFilter, dimensions: tuple[str, ...] = DIMENSIONS
) -> Agreement:
    """Read the units the filter selects and compute every figure."""
    return compute(read_selection(session, flt), dimensions)
