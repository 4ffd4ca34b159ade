"""Agreement figures from the judgements: placed on the grading scale, grouped, computed.

The units (:mod:`qa_tui.reports.moderation_units`) are placed on the scale most of them use
(positions in rank order; "not applicable" is counted apart, never as a grade), then every
figure is computed with numpy: the whole selection, and each month, team, service area, item
and session, every group of a breakdown at once (:func:`qa_tui.domain.agreement.kappa_groups`).
The statistics need each evaluation's judgements — the intervals resample evaluations — so
they are computed here from the units rather than from counts made by the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select

from qa_tui.domain.agreement import (
    Direction,
    Estimate,
    alpha_features,
    alpha_groups,
    feature_columns,
    kappa_features,
    kappa_groups,
)
from qa_tui.framework.model import NOT_APPLICABLE, Template
from qa_tui.reports.collector import collector_paused
from qa_tui.reports.moderation_units import AgreementFilter, Units, connection_of, read_units
from qa_tui.store import tables
from qa_tui.vocab import OVERALL

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

IntArray = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float64]
NONE = -1  # position of a grade that is missing, not applicable or not on the scale

__all__ = ["NONE", "AgreementFilter", "Units", "collector_paused", "read_units"]


# --- positions on the scale -------------------------------------------------------------------


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
    """Place every unit's grades on the scale most of the units use (``units.grades``)."""
    grades = units.grades
    position = {grade: i for i, grade in enumerate(grades)}
    same = {h for h, t in templates.items() if _ranked(t) == grades}
    labels = {}
    for template in templates.values():
        if template.content_hash in same:
            labels.update({g.id: g.label for g in template.scale.grades})
            labels[NOT_APPLICABLE] = template.scale.not_applicable_label
    hashes = units.template_hash
    on_scale = _lookup(hashes, {h: h in same for h in set(hashes)}).astype(bool)
    auditor, agreed = (
        _lookup(values, {v: position.get(v, NONE) for v in set(values)})
        for values in (units.auditor, units.agreed)
    )
    counts = np.zeros((len(units), max(len(grades), 1)))
    if grades:
        counts[on_scale] = units.blind_counts[on_scale]
    na = _lookup(units.auditor, {v: v == NOT_APPLICABLE for v in set(units.auditor)}) | _lookup(
        units.agreed, {v: v == NOT_APPLICABLE for v in set(units.agreed)}
    )
    return Scale(
        grades,
        labels,
        np.where(on_scale, auditor, NONE),
        np.where(on_scale, agreed, NONE),
        counts,
        (na != 0) & on_scale,
        on_scale,
    )


def _lookup(values: list[str], found: dict[str, int]) -> IntArray:
    """Each value's number in ``found`` (made once per distinct value: a year is hundreds of
    thousands of units, a few grades and templates), the loop in C."""
    return np.fromiter(map(found.__getitem__, values), dtype=np.int64, count=len(values))


def _ranked(template: Template) -> tuple[str, ...]:
    return tuple(g.id for g in sorted(template.scale.grades, key=lambda g: g.rank))


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
    one = np.zeros(len(rows), dtype=np.int64)
    sub = scale.take(rows)
    return figures_by([label], one, sub, clusters[rows], agreed[rows])[0]


@dataclass(frozen=True)
class Prepared:
    """What every breakdown of one selection is computed from, made once: the units whose
    auditor's and agreed grades are both on the scale (``both``), those pairs' kappa features
    and the alpha features of the units graded blind two or more times, each as one row per
    feature (:func:`feature_columns`; a copy of megabytes per breakdown otherwise)."""

    both: npt.NDArray[np.bool_]
    kappa: Matrix
    alpha: Matrix


def prepare(scale: Scale, agreed: npt.NDArray[np.bool_]) -> Prepared:
    """The :class:`Prepared` features of the units on ``scale`` (``agreed``: with an agreed
    grade)."""
    a, g = scale.auditor, scale.agreed
    both = (a != NONE) & (g != NONE) & agreed
    k = max(len(scale.grades), 1)
    kappa = feature_columns(kappa_features(a[both], g[both], k))
    keep = scale.counts.sum(axis=1) >= 2
    return Prepared(both, kappa, feature_columns(alpha_features(scale.counts)[keep]))


def figures_by(
    labels: list[str],
    groups: IntArray,
    scale: Scale,
    clusters: IntArray,
    agreed: npt.NDArray[np.bool_],
    prepared: Prepared | None = None,
) -> list[Figures]:
    """The figures of each group of units (``groups``: each unit's group, 0..len(labels)-1),
    every group at once (``prepared``: the units' features, if already made)."""
    count = len(labels)
    if prepared is None:
        prepared = prepare(scale, agreed)
    a, g, both = scale.auditor, scale.agreed, prepared.both
    k = max(len(scale.grades), 1)
    steps = 2 * k - 1  # differences -(k-1)..k-1
    diff = np.bincount(
        groups[both] * steps + (a[both] - g[both]) + (k - 1), minlength=count * steps
    ).reshape(count, steps)
    kappas = kappa_groups(
        groups[both], clusters[both], a[both], g[both], k, count, columns=prepared.kappa
    )
    alphas = alpha_groups(groups, clusters, scale.counts, count, columns=prepared.alpha)
    judged = np.bincount(groups, weights=agreed, minlength=count).astype(np.int64)
    na = np.bincount(groups, weights=scale.not_applicable & agreed, minlength=count)
    out = []
    for i, label in enumerate(labels):
        row = diff[i]
        higher = Counter({d: int(row[k - 1 + d]) for d in range(1, k) if row[k - 1 + d]})
        lower = Counter({d: int(row[k - 1 - d]) for d in range(1, k) if row[k - 1 - d]})
        direction = Direction(int(row.sum()), int(row[k - 1]), higher, lower)
        out.append(Figures(label, int(judged[i]), int(na[i]), direction, kappas[i], alphas[i]))
    return out


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
        return max(self.units.blind_given, default=0)


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


def read_selection(
    reads: Session | Connection, flt: AgreementFilter, who: bool = True
) -> Selection:
    """Read the units the filter selects and place them on the scale (``who``: also who gave
    each blind grade, for the pairs table: :func:`read_units`)."""
    connection = connection_of(reads)
    units, templates = read_units(connection, flt, who)
    scale = positions(units, templates)
    # Evaluation codes in order of id: the same on every database (the bootstrap's resamples
    # follow them), whatever order the rows came in.
    clusters = _codes(units.evaluation)[1]
    agreed = np.array([bool(g) for g in units.agreed], dtype=bool)
    prompts: dict[str, str] = {}
    for template in templates.values():
        for item in template.items():
            prompts[f"{template.id}/{item.id}"] = item.prompt
        prompts[f"{template.id}/{OVERALL}"] = f"Overall judgement ({template.name})"
    return Selection(flt, units, scale, clusters, agreed, prompts, _titles(connection, units))


def _titles(connection: Connection, units: Units) -> dict[str, str]:
    s = tables.moderation_sessions.c
    ids = set(units.session) - {""}
    if not ids:
        return {}
    rows = connection.execute(select(s.id, s.held_on, s.title).where(s.id.in_(ids)))
    return {sid: f"{day.isoformat() if day else '—'} {title}" for sid, day, title in rows}


def narrow(selection: Selection, team: str = "", service_area: str = "") -> Selection:
    """Only the units of one team and/or service area (in memory)."""
    if not team and not service_area:
        return selection
    units = selection.units
    keep = np.ones(len(units), dtype=bool)
    for wanted, column in ((team, units.team), (service_area, units.area)):
        if wanted:  # compared in C, one distinct value at a time
            keep &= _lookup(column, {v: v == wanted for v in set(column)}).astype(bool)
    index = np.flatnonzero(keep)
    taken = units.take(index.tolist())
    flt = replace(selection.filter, team=team, service_area=service_area)
    return replace(
        selection,
        filter=flt,
        units=taken,
        scale=selection.scale.take(index),
        clusters=selection.clusters[index],
        agreed=selection.agreed[index],
    )


Key = TypeVar("Key", str, tuple[str, str])


def _codes(keys: Iterable[Key]) -> tuple[list[Key], IntArray]:
    """The distinct keys, sorted, and each unit's index among them (the loops in C: a year is
    tens of thousands of units, grouped five ways)."""
    keys = list(keys)
    first = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    ordered = sorted(first)
    rank = np.empty(len(ordered), dtype=np.int64)
    rank[[first[key] for key in ordered]] = np.arange(len(ordered))
    found = np.fromiter(map(first.__getitem__, keys), dtype=np.int64, count=len(keys))
    return ordered, rank[found]


def _grouping(units: Units, dimension: str) -> tuple[list[str], IntArray]:
    """The groups of a breakdown (sorted keys) and each unit's group."""
    if dimension == "month":
        days, codes = _codes(units.day)
        months, of_day = _codes(d[:7] or "no date" for d in days)
        return months, of_day[codes]
    if dimension == "item":
        pairs, codes = _codes(zip(units.template, units.item, strict=True))
        return [f"{t}/{i}" for t, i in pairs], codes
    column = {"team": units.team, "service_area": units.area, "session": units.session}
    keys, codes = _codes(column[dimension])
    blank = {"team": "no team", "service_area": "no service area"}.get(dimension)
    if blank is not None and "" in keys:  # named (the breakdown is sorted by name)
        keys[keys.index("")] = blank
    return keys, codes


def compute(selection: Selection, dimensions: tuple[str, ...] = DIMENSIONS) -> Agreement:
    """Every figure of the selection: the whole of it, and by each of ``dimensions``."""
    sel = selection
    everything = np.zeros(len(sel.units), dtype=np.int64)
    args = (sel.scale, sel.clusters, sel.agreed, prepare(sel.scale, sel.agreed))
    overall = figures_by(["All"], everything, *args)[0]
    label = {"item": sel.prompts, "session": sel.titles}
    by: dict[str, list[Figures]] = {}
    for name in dimensions:
        names = label.get(name, {})
        keys, groups = _grouping(sel.units, name)
        found = figures_by([names.get(key, key) for key in keys], groups, *args)
        if name == "session":  # units graded outside a session have no session to show
            found = [f for key, f in zip(keys, found, strict=True) if key != ""]
        by[name] = sorted(found, key=lambda f: f.label.casefold())
    return Agreement(sel.filter, sel.units, sel.scale, overall, by)


def agreement(
    reads: Session | Connection,
    flt: AgreementFilter,
    dimensions: tuple[str, ...] = DIMENSIONS,
    who: bool = True,
) -> Agreement:
    """Read the units the filter selects and compute every figure (``who``: also who gave
    each blind grade, for the pairs table)."""
    with collector_paused():
        return compute(read_selection(reads, flt, who), dimensions)
