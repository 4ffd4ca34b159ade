"""The judgements agreement is measured on, read from the database in three queries.

One *unit* is one item of one evaluation in one moderation: the auditor's grade, the group's
agreed grade and each moderator's blind grade. The units are the report's pairs table, so
every figure can be recomputed from what the report publishes.

The queries are shaped for a year of a central database (tens of thousands of units, three
blind grades each): the judgements with their evaluation; the moderations of the period's
sessions with their evaluation (a few thousand rows); and the blind grades as the database
keeps them grouped by unit (``blind_units``: each unit's grades joined, and who gave each, read
only when the pairs' rows will be written: ``who``), counted per grade of the scale once per
distinct text of grades. Rows come as the driver gives them (every column is text: nothing to
convert), and the database sorts nothing: the figures do not depend on the order, and the
pairs table is sorted when it is written.

Templates are found by their content hash in the database's template snapshots (every
evaluation keeps its template's text there).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    cast,
    func,
    literal,
    select,
)

from qa_tui.framework.model import Template
from qa_tui.store import tables as t
from qa_tui.store.blind_units import SEP

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Matrix = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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
    # The blind grades as read: "moderator id:grade" joined by SEP ("": none); the pairs
    # table names the moderators (qa_tui.reports.moderation). Read without (``who`` False:
    # every one ""), the figures are the same and the pairs table cannot be written.
    blind: list[str] = field(default_factory=list)
    blind_given: list[int] = field(default_factory=list)  # how many blind grades are joined
    # The scale the blind grades were counted on (lowest first), and the counts per unit.
    grades: tuple[str, ...] = ()
    blind_counts: Matrix = field(default_factory=lambda: np.zeros((0, 1)))
    who: bool = True  # ``blind`` says who gave each blind grade (:func:`read_units`)

    def __len__(self) -> int:
        return len(self.moderation)

    def take(self, rows: list[int]) -> Units:
        """Only the units ``rows`` (indices), in that order."""
        columns = {name: list(map(getattr(self, name).__getitem__, rows)) for name in _TAKEN}
        counts = self.blind_counts[rows]
        return Units(**columns, grades=self.grades, blind_counts=counts, who=self.who)


# The columns of a unit, in the order the judgements query selects them, then the blind grades.
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
_MODERATED = _JUDGED[:8]  # what the moderations query gives (:func:`_moderated`)
_COLUMNS = (*_JUDGED, "blind")
_TAKEN = (*_COLUMNS, "blind_given")


# --- the queries ----------------------------------------------------------------------------


def _concat(connection: Connection, expression: ColumnElement[str]) -> ColumnElement[str]:
    if connection.dialect.name == "postgresql":
        return func.string_agg(expression, literal(SEP), type_=String)
    return func.group_concat(expression, SEP, type_=String)


def _day(column: ColumnElement[dt.date | None]) -> ColumnElement[str]:
    """A date as ISO text (both databases store or print it so): no date objects per row."""
    return cast(column, String)


def _where_evaluation(query: Any, flt: AgreementFilter) -> Any:
    e = t.evaluations.c
    if flt.team:
        query = query.where(e.team == flt.team)
    if flt.service_area:
        query = query.where(e.service_area == flt.service_area)
    if flt.item:
        query = query.where(e.template_id == flt.item.partition("/")[0])
    return query


def _moderated(flt: AgreementFilter) -> Any:
    """The moderations made in the period, each with its evaluation (a few thousand rows: the
    judgements name their moderation only)."""
    e, m = t.evaluations.c, t.moderations.c
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
        )
        .select_from(t.moderations)
        .join(t.evaluations, e.id == m.evaluation_id)
        .where(~m.deleted, ~e.deleted, m.moderated_on >= flt.start, m.moderated_on <= flt.end)
    )
    if flt.session_id:
        query = query.where(m.session_id == flt.session_id)
    return _where_evaluation(query, flt)


def _judgements(flt: AgreementFilter) -> Any:
    """The agreed grades of the period: moderation, item, the auditor's and the agreed."""
    m, j = t.moderations.c, t.moderation_judgements.c
    query = (
        select(j.moderation_id, j.item_id, j.auditor_grade, j.moderated_grade)
        .select_from(t.moderation_judgements)
        .join(t.moderations, m.id == j.moderation_id)
        .where(~j.deleted, ~m.deleted, j.moderated_grade != "")
        .where(m.moderated_on >= flt.start, m.moderated_on <= flt.end)
    )
    if flt.session_id:
        query = query.where(m.session_id == flt.session_id)
    if flt.item:
        query = query.where(j.item_id == flt.item.partition("/")[2])
    return query


def _held(flt: AgreementFilter) -> list[Any]:
    s = t.moderation_sessions.c
    found = [~s.deleted, s.held_on >= flt.start, s.held_on <= flt.end]
    return [*found, s.id == flt.session_id] if flt.session_id else found


def _moderations(flt: AgreementFilter) -> Any:
    """The moderations of the period's sessions: session, evaluation, id and the day it was
    held. Not joined to their evaluations: nearly all of them are among the moderations of
    the period already read with theirs (:func:`_about`)."""
    m, s = t.moderations.c, t.moderation_sessions.c
    return (
        select(m.session_id, m.evaluation_id, m.id, _day(s.held_on))
        .select_from(t.moderations)
        .join(t.moderation_sessions, s.id == m.session_id)
        .where(~m.deleted, *_held(flt))
    )


def _evaluations_of(flt: AgreementFilter, ids: list[str]) -> Any:
    """Moderations ``ids`` with their evaluation (those the filter keeps)."""
    e, m = t.evaluations.c, t.moderations.c
    query = (
        select(m.id, e.team, e.service_area, e.template_id, e.template_hash)
        .select_from(t.moderations)
        .join(t.evaluations, e.id == m.evaluation_id)
        .where(~e.deleted, m.id.in_(ids))
    )
    return _where_evaluation(query, flt)


def _about(
    connection: Connection, flt: AgreementFilter, moderated: dict[str, tuple[Any, ...]]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The moderations of the period's sessions by (session, evaluation): the moderation, the
    day the session was held, and its evaluation's team, service area, template and hash —
    only those whose evaluation is kept (not deleted, and in the filter)."""
    rows = _rows(connection, _moderations(flt))
    evaluation = {mid: row[4:8] for mid, row in moderated.items()}  # kept by the same filter
    others = [row[2] for row in rows if row[2] not in evaluation]
    for start in range(0, len(others), 500):  # usually none: moderated in another period
        found = _rows(connection, _evaluations_of(flt, others[start : start + 500]))
        evaluation.update((mid, tuple(rest)) for mid, *rest in found)
    return {
        (sid, eid): (mid, day, *evaluation[mid]) for sid, eid, mid, day in rows if mid in evaluation
    }


def _blind(connection: Connection, flt: AgreementFilter, who: bool = True) -> Any:
    """Per unit graded blind in the period's sessions: its session and evaluation as one text
    (``session SEP evaluation``: one text for the driver to make, not two), its item, its
    grades joined by SEP and, with ``who``, the same grades as "moderator id:grade" (only the
    pairs table shows who gave them).

    The database keeps the blind grades grouped by unit (``blind_units``, migration 0023,
    :mod:`qa_tui.store.blind_units`): a year's units are read from there
    (:func:`_blind_units`), not grouped at each report. A database of a qa-tui before it,
    read without upgrading, has them grouped here (:func:`_blind_grouped`)."""
    if connection.dialect.has_table(connection, "blind_units"):
        return _blind_units(flt, who)
    return _blind_grouped(connection, flt, who)


def _blind_units(flt: AgreementFilter, who: bool) -> Any:
    """:func:`_blind` from ``blind_units``. The sessions are a list the units are looked up in
    (``IN``), not a join: the database reads each session's units by the first column of the
    table's key, in its order."""
    u = t.blind_units.c
    held = select(t.moderation_sessions.c.id).where(*_held(flt))
    columns = [_pair(u.session_id, u.target_evaluation_id), u.item_id, u.grades]
    query = select(*columns, *([u.graders] if who else [])).where(u.session_id.in_(held))
    return query.where(u.item_id == flt.item.partition("/")[2]) if flt.item else query


def _blind_grouped(connection: Connection, flt: AgreementFilter, who: bool) -> Any:
    """:func:`_blind` from ``blind_grades``, grouped as ``blind_units`` groups them (the
    grades that count: not deleted, not empty, their moderator not removed), from
    ``ix_blind_grades_report`` in its order."""
    b, people = t.blind_grades.c, t.session_moderators.c
    held = select(t.moderation_sessions.c.id).where(*_held(flt))
    removed = select(people.id).where(people.id == b.moderator_id, people.deleted).exists()
    grades = _concat(connection, b.grade)
    graders = _concat(connection, b.moderator_id + literal(":", String) + b.grade)
    query = (
        select(_pair(b.session_id, b.target_evaluation_id), b.item_id, grades)
        .add_columns(*([graders] if who else []))
        .where(b.session_id.in_(held), ~b.deleted, b.grade != "", ~removed)
        .group_by(b.session_id, b.target_evaluation_id, b.item_id)
    )
    return query.where(b.item_id == flt.item.partition("/")[2]) if flt.item else query


def _pair(first: ColumnElement[str], second: ColumnElement[str]) -> ColumnElement[str]:
    """Two ids as one text, ``first SEP second``."""
    return first + literal(SEP, String) + second


class _Scale:
    """Each distinct text of joined grades → how many grades, and how many at each grade of
    the scale (a year's units have a few hundred distinct ones: counted once each)."""

    def __init__(self, grades: tuple[str, ...]) -> None:
        self.position = {g: j for j, g in enumerate(grades)}
        self.index: dict[str, int] = {}
        self.given: list[int] = []
        self.counts: list[list[float]] = []

    def codes(self, texts: Sequence[str]) -> IntArray:
        for text in dict.fromkeys(texts).keys() - self.index.keys():
            self.index[text] = len(self.given)
            parts = text.split(SEP)
            row = [0.0] * len(self.position)
            for grade in parts:
                j = self.position.get(grade)
                if j is not None:
                    row[j] += 1
            self.given.append(len(parts))
            self.counts.append(row)
        return np.fromiter(map(self.index.__getitem__, texts), dtype=np.int64, count=len(texts))

    def tables(self) -> tuple[IntArray, Matrix]:
        given = np.array(self.given, dtype=np.int64)
        return given, np.array(self.counts, dtype=np.float64).reshape(len(self.given), -1)


CHUNK = 10_000  # rows fetched at a time: a year's rows are never all held as tuples at once


def connection_of(reads: Session | Connection) -> Connection:
    """The Core connection a read goes through: a session's own (in its transaction), or the
    connection itself (a report reads through one without the ORM: ``ReportKind.core``)."""
    return reads if isinstance(reads, Connection) else reads.connection()


def _chunks(connection: Connection, query: Any) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The driver's own rows, a chunk at a time (text and counts need no conversion: a result
    row per unit would cost more than the query)."""
    cursor = connection.execute(query).cursor
    while chunk := cursor.fetchmany(CHUNK):
        yield chunk


def _rows(connection: Connection, query: Any) -> list[tuple[Any, ...]]:
    return [row for chunk in _chunks(connection, query) for row in chunk]


def read_units(
    reads: Session | Connection, flt: AgreementFilter, who: bool = True
) -> tuple[Units, dict[str, Template]]:
    """Every unit the filter selects and the templates they use (by hash): the units with an
    agreed grade, then the units graded blind only. ``who``: read who gave each blind grade
    (only the pairs table shows it; the figures count the grades)."""
    connection = connection_of(reads)
    units = Units(who=who)
    same: dict[str, str] = {}  # one string per team, item id, grade…, not one per row
    rows = _rows(connection, _moderated(flt))
    moderated = {row[0]: tuple(map(same.setdefault, row, row)) for row in rows}
    columns: list[list[Any]] = [getattr(units, name) for name in _JUDGED]
    about_columns, own_columns = columns[: len(_MODERATED)], columns[len(_MODERATED) :]
    for chunk in _chunks(connection, _judgements(flt)):
        judged = [row for row in chunk if row[0] in moderated]
        if not judged:
            continue
        mids, *mine = zip(*judged, strict=True)
        # Each judgement's moderation and evaluation, column by column (zip runs in C).
        about = zip(*map(moderated.__getitem__, mids), strict=True)
        for column, values in zip(about_columns, about, strict=True):
            column.extend(values)  # made one per moderation above
        for column, values in zip(own_columns, mine, strict=True):
            column.extend(map(same.setdefault, values, values))
    moderations = _about(connection, flt, moderated)
    hashes = set(units.template_hash) | {rest[-1] for rest in moderations.values()}
    templates = _templates(connection, hashes)
    units.grades = _grades(units.template_hash or [r[-1] for r in moderations.values()], templates)
    _add_blind(units, _chunks(connection, _blind(connection, flt, who)), moderations)
    units.day = [d or "" for d in units.day]
    return units, templates


Extra = list[tuple[tuple[Any, ...], tuple[Any, ...]]]  # units graded blind only, their counts


def _add_blind(
    units: Units,
    chunks: Iterable[Sequence[tuple[Any, ...]]],
    moderations: dict[tuple[str, str], tuple[Any, ...]],
) -> None:
    """Put each blind row on its unit, or make a unit of it (graded blind only); column by
    column, the loops over the rows in C (a year is tens of thousands of units): each row's
    unit found by dicts, its counts by its text of grades (:class:`_Scale`), the values
    placed by numpy's indexing."""
    k = len(units.grades)
    judged = len(units)
    blind = np.full(judged, "", dtype=object)  # unit -> its blind grades joined ("": none)
    given = np.zeros(judged, dtype=np.int64)  # and how many
    counts = np.zeros((judged, k))
    scale = _Scale(units.grades)
    moderation_of = {f"{sid}{SEP}{eid}": about[0] for (sid, eid), about in moderations.items()}
    where: dict[tuple[str, str], int] | None = None
    extra: Extra = []
    for chunk in chunks:
        keys, items, grades, *rest = zip(*chunk, strict=True)  # keys: session SEP evaluation
        joined = rest[0] if units.who else ("",) * len(keys)
        codes = scale.codes(grades)
        how_many_of, count_of = scale.tables()
        how_many, count = how_many_of[codes], count_of[codes]
        if where is None:  # made once, when there is a blind grade to place
            keyed = zip(units.moderation, units.item, strict=True)
            where = dict(zip(keyed, range(judged), strict=False))
        row_of = typing.cast(Callable[[tuple[Any, str], int], int], where.get)  # -1: none
        found = zip(map(moderation_of.get, keys), items, strict=True)
        rows = np.fromiter(map(row_of, found, repeat(-1)), dtype=np.int64, count=len(keys))
        placed = rows >= 0
        at_rows = rows[placed]
        if units.who:
            blind[at_rows] = np.array(joined, dtype=object)[placed]
        given[at_rows] = how_many[placed]
        if k:
            counts[at_rows] = count[placed]
        for i in np.flatnonzero(~placed).tolist():  # usually none
            sid, _sep, eid = keys[i].partition(SEP)
            about = moderations.get((sid, eid))
            if about is not None:  # None: deleted, or not in the filter
                mid, day, team, area, tid, thash = about
                unit = (mid, sid, day, eid, team, area, tid, thash, items[i], "", "")
                extra.append(((*unit, joined[i], int(how_many[i])), tuple(count[i].tolist())))
    units.blind = blind.tolist()
    units.blind_given = given.tolist()
    units.blind_counts = np.concatenate([counts, _blind_only(units, extra, k)])


def _blind_only(units: Units, extra: Extra, k: int) -> Matrix:
    """Add the units graded blind only (in order of date, session, evaluation and item);
    their counts of blind grades."""
    extra.sort(key=lambda e: (e[0][2] or "", e[0][1], e[0][3], e[0][8]))
    for unit, _count in extra:
        for name, value in zip(_TAKEN, unit, strict=True):
            getattr(units, name).append(value)
    return np.array([c for _unit, c in extra], dtype=np.float64).reshape(len(extra), k)


def _signature(template: Template) -> tuple[str, ...]:
    """The scale's grade ids from the lowest to the highest."""
    return tuple(g.id for g in sorted(template.scale.grades, key=lambda g: g.rank))


def _grades(hashes: list[str], templates: dict[str, Template]) -> tuple[str, ...]:
    """The scale most of the units use (lowest grade first)."""
    signatures: Counter[tuple[str, ...]] = Counter()
    for found, times in Counter(hashes).items():
        if found in templates:
            signatures[_signature(templates[found])] += times
    return signatures.most_common(1)[0][0] if signatures else ()


def _templates(connection: Connection, hashes: set[str]) -> dict[str, Template]:
    from qa_tui.errors import TemplateError
    from qa_tui.framework.loader import load_template_text, shipped_templates

    # The built-in templates and their previous versions are parsed once per process (the
    # workspace's registry has them already), and only those the units use: a stored text
    # with the same hash is the same template, and parsing one again cost a tenth of a
    # report's reading.
    found = shipped_templates(hashes)
    missing = hashes - set(found)
    if missing:
        snapshot = t.template_snapshots.c
        rows = connection.execute(
            select(snapshot.content_hash, snapshot.source_text).where(
                snapshot.content_hash.in_(missing)
            )
        )
        for content_hash, text in rows:
            try:
                found[content_hash] = load_template_text(text, f"<template {content_hash[:8]}>")
            except TemplateError:
                continue  # a template this qa-tui cannot read: its grades count as off-scale
    return found


def moderator_names(reads: Session | Connection) -> dict[str, str]:
    """Every session moderator's id and name (the pairs table names them)."""
    connection = connection_of(reads)
    who = t.session_moderators.c
    return dict(_rows(connection, select(who.id, who.name)))  # the driver's rows: thousands
