"""The follow-through lists, computed in the database a page at a time: here the actions
tracker; the open immediate concerns and the completed evaluations whose summary is not yet
shared in :mod:`qa_tui.store.followup_concerns`.

Never every row: each list is an ordered, filtered ``LIMIT`` query continued from the last row
shown (keyset paging), and its size is counted up to a cap. The same queries run on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, false, func, literal, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from qa_tui.errors import QaError
from qa_tui.store import followup_search, models
from qa_tui.vocab import OPEN_ACTION_STATUSES

PAGE = 100
COUNT_CAP = 10_000
FAR_FUTURE = dt.date(9999, 12, 31)  # where actions without a due date sort


# --- the actions tracker ---------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilter:
    """Which actions to list. Text filters match anywhere, ignoring case; ``words`` must each
    match the owner, team, service area, case reference or the action itself."""

    owner: str = ""
    team: str = ""
    service_area: str = ""
    statuses: tuple[str, ...] = ()  # empty: every status
    overdue: bool = False
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    evaluation: str = ""  # an evaluation id, or part of a case reference
    words: tuple[str, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class TrackedAction:
    """One row of the tracker."""

    id: str
    evaluation_id: str
    case_reference: str
    team: str
    service_area: str
    evaluation_status: str
    description: str
    owner: str
    due_date: dt.date | None
    status: str
    status_on: dt.date | None
    status_note: str
    overdue: bool

    @property
    def sort_key(self) -> tuple[dt.date, str]:
        return (self.due_date or FAR_FUTURE, self.id)


class _Contains(ColumnElement[bool]):
    """``column`` contains ``pattern``'s text, ignoring case: ``LIKE`` on SQLite (which
    ignores the case of ASCII letters itself, as its ``lower()`` folds only those: the same
    matches, three times faster than ``lower(column) LIKE``), ``ILIKE`` on PostgreSQL."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column: Any, pattern: str) -> None:
        self.column = column
        self.pattern = literal(pattern)


def _sides(element: _Contains, compiler: Any, kw: Any) -> tuple[str, str]:
    return compiler.process(element.column, **kw), compiler.process(element.pattern, **kw)


@compiles(_Contains)
def _contains_default(element: _Contains, compiler: Any, **kw: Any) -> str:
    column, pattern = _sides(element, compiler, kw)
    return f"lower({column}) LIKE lower({pattern}) ESCAPE '\\'"


@compiles(_Contains, "sqlite")
def _contains_sqlite(element: _Contains, compiler: Any, **kw: Any) -> str:
    column, pattern = _sides(element, compiler, kw)  # SQLite's LIKE is case-blind already
    return f"{column} LIKE {pattern} ESCAPE '\\'"


@compiles(_Contains, "postgresql")
def _contains_postgresql(element: _Contains, compiler: Any, **kw: Any) -> str:
    column, pattern = _sides(element, compiler, kw)
    return f"{column} ILIKE {pattern} ESCAPE '\\'"


def like(column: Any, text: str) -> Any:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _Contains(column, f"%{escaped}%")


def _evaluation_column(column: Any) -> Any:
    """One column of the action's evaluation, looked up for the rows returned only."""
    e, a = models.Evaluation, models.Action
    return select(column).where(e.id == a.evaluation_id).correlate(a).scalar_subquery()


def _evaluation_is(condition: Any) -> Any:
    """The action's evaluation meets ``condition``: a primary-key lookup per action walked
    (walking the actions in due order stops after a page). A scalar subquery, not EXISTS:
    PostgreSQL turns an EXISTS into a join that first scans every evaluation."""
    return _evaluation_column(condition).is_(True)


# Through the search index: actions or evaluations a word matches, beyond which the actions
# are walked instead (a page of a word that matches more than 2,000 of them is found in a
# short walk; fewer are fetched by key and sorted). On PostgreSQL reading 5,000 matches to
# learn that a word is common cost 80-115 ms at 100,000 evaluations; 2,000, 25 ms.
INDEXED_FEW = 2_000


def _word_matches(session: Session, word: str) -> tuple[Any, bool]:
    """The condition that an action matches ``word``: by its owner or description, or its
    evaluation's team, service area or case reference; and whether the search index answered
    it (the matching actions and evaluations by key: a word that matches few or none costs a
    few lookups, not a walk of every action). Otherwise it is tested per action walked."""
    a, e = models.Action, models.Evaluation
    found = followup_search.find(session, word, like, INDEXED_FEW)
    by_action = or_(like(a.owner, word), like(a.description, word))
    # The action's evaluation looked up by its key for each action walked: no scan of every
    # evaluation first (a word of one or two letters that few evaluations match would be one
    # on each keystroke, and on each step of a walk).
    by_evaluation = _evaluation_is(
        or_(like(e.team, word), like(e.service_area, word), like(e.case_reference, word))
    )
    if found is None:
        return or_(by_action, by_evaluation), False
    parts = []
    if found.action_ids is None:
        parts.append(by_action)
    elif found.action_ids:
        parts.append(a.id.in_(found.action_ids))
    if found.evaluation_ids is None:
        parts.append(by_evaluation)
    elif found.evaluation_ids:
        parts.append(a.evaluation_id.in_(found.evaluation_ids))
    looked_up = found.action_ids is not None and found.evaluation_ids is not None
    return (or_(*parts) if parts else false()), looked_up


def _action_query(session: Session, flt: ActionFilter) -> tuple[Any, bool]:
    """Actions matching ``flt``, with their evaluation's case reference, team, service area
    and status; and whether a word must be tested action by action (then the walk in due
    order stops after a page, but only once a page is found: see :func:`walk_actions`). No
    join: SQLite would first scan every evaluation to build a Bloom filter; conditions on the
    evaluation are looked up per action."""
    a, e = models.Action, models.Evaluation
    query = select(
        a,
        _evaluation_column(e.case_reference),
        _evaluation_column(e.team),
        _evaluation_column(e.service_area),
        _evaluation_column(e.status),
    )
    where: list[Any] = [~a.deleted]
    if flt.statuses:
        where.append(a.current_status.in_(flt.statuses))
    if flt.overdue:
        where += [a.current_status.in_(OPEN_ACTION_STATUSES), a.due_key < flt.today]
    if flt.due_before is not None:
        where.append(a.due_key <= flt.due_before)
    if flt.due_after is not None:
        where.append(a.due_key >= flt.due_after)
    if flt.owner:
        where.append(like(a.owner, flt.owner))
    if flt.team:
        where.append(_evaluation_is(like(e.team, flt.team)))
    if flt.service_area:
        where.append(_evaluation_is(like(e.service_area, flt.service_area)))
    if flt.evaluation:
        found = or_(e.id == flt.evaluation, like(e.case_reference, flt.evaluation))
        where.append(_evaluation_is(found))
    walked = False
    for word in flt.words:
        condition, looked_up = _word_matches(session, word)
        where.append(condition)
        walked = walked or not looked_up
    # Last, so SQLite tests it only for actions that passed everything else.
    where.append(_evaluation_column(e.deleted).is_not(True))
    return query.where(*where), walked


# SQLite asks ``stop()`` every this many virtual-machine steps (well under a millisecond):
# each ask takes the GIL, and asking every 2,000 slowed the screen's drawing while a walk went on.
STOP_EVERY = 20_000


class Superseded(QaError):
    """A list query stopped because a newer one replaced it (the user typed on)."""


@contextlib.contextmanager
def stoppable(session: Session, stop: Callable[[], bool] | None) -> Iterator[None]:
    """Abort the session's SQLite query as soon as ``stop()`` says so (a filter keystroke
    superseded it), so abandoned scans never pile up; :class:`Superseded` is raised."""
    if stop is None or session.get_bind().dialect.name != "sqlite":
        yield
        return
    raw: Any = session.connection().connection.dbapi_connection
    raw.set_progress_handler(lambda: 1 if stop() else 0, STOP_EVERY)
    try:
        yield
    except OperationalError as err:
        if "interrupt" in str(err).lower():
            raise Superseded("superseded by a newer filter") from None
        raise
    finally:
        raw.set_progress_handler(None, 0)


def list_actions(
    session: Session,
    flt: ActionFilter,
    after: tuple[dt.date, str] | None = None,
    limit: int | None = PAGE,
    stop: Callable[[], bool] | None = None,
) -> list[TrackedAction]:
    """Actions matching ``flt`` by due date (undated last), ``limit`` of them after the row
    whose :attr:`TrackedAction.sort_key` is ``after`` (None: all, for the CLI). ``stop``:
    see :func:`stoppable`."""
    with stoppable(session, stop):
        return _list_actions(session, flt, after, limit)


def _list_actions(
    session: Session,
    flt: ActionFilter,
    after: tuple[dt.date, str] | None,
    limit: int | None,
    until: tuple[dt.date, str] | None = None,
    query: Any = None,
) -> list[TrackedAction]:
    a = models.Action
    # The index (due_key, id) gives this order at once: a page stops after ``limit`` rows.
    if query is None:
        query = _action_query(session, flt)[0]
    query = query.order_by(a.due_key, a.id)
    if after is not None:
        query = query.where(_beyond(after))
    if until is not None:
        query = query.where(_up_to(until))
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for action, ref, team, area, ev_status in session.execute(query):
        status = action.current_status
        rows.append(
            TrackedAction(
                id=action.id,
                evaluation_id=action.evaluation_id,
                case_reference=ref,
                team=team,
                service_area=area,
                evaluation_status=ev_status,
                description=action.description,
                owner=action.owner,
                due_date=action.due_date,
                status=status,
                status_on=action.status_on,
                status_note=action.status_note,
                overdue=is_overdue(status, action.due_date, flt.today),
            )
        )
    return rows


def _beyond(key: tuple[dt.date, str]) -> Any:
    """The actions after ``key`` in the tracker's order (due date, then id). The plain
    bound on the due date is what lets both planners start the index scan there."""
    a = models.Action
    return and_(a.due_key >= key[0], or_(a.due_key > key[0], a.id > key[1]))


def _up_to(key: tuple[dt.date, str]) -> Any:
    """The actions up to ``key`` (included): the plain bound ends the index scan there."""
    a = models.Action
    return and_(a.due_key <= key[0], or_(a.due_key < key[0], a.id <= key[1]))


# Actions a step of a walk examines at most: 4,000 take ~40 ms on SQLite and ~60 ms on
# PostgreSQL at 100,000 evaluations (a word matching nothing); a PostgreSQL query cannot be
# stopped, so a step a keystroke supersedes still runs that long. A walk starts with a
# smaller step, so a keystroke's first rows (or its "still looking") come soon.
WALK = 4_000
FIRST_WALK = 1_000


def walk_sizes() -> Iterator[int]:
    """The sizes of a walk's steps: :data:`FIRST_WALK`, doubled each step up to :data:`WALK`."""
    size = min(FIRST_WALK, WALK)
    while True:
        yield size
        size = min(size * 2, WALK)


@dataclass(frozen=True)
class Step:
    """What one step of a walk found after its starting point: ``rows`` (at most the limit
    asked for) and ``walked_to``, the last action it examined — None when nothing is left
    to examine (the limit reached, or the end of the actions)."""

    rows: list[TrackedAction]
    walked_to: tuple[dt.date, str] | None


def _edge(session: Session, after: tuple[dt.date, str] | None, walk: int) -> Any:
    """The ``walk``-th action after ``after`` in the tracker's order (None: fewer are left),
    read from the (due_key, id) index alone."""
    a = models.Action
    query = select(a.due_key, a.id).order_by(a.due_key, a.id).offset(walk - 1).limit(1)
    if after is not None:
        query = query.where(_beyond(after))
    found = session.execute(query).first()
    return None if found is None else (found[0], found[1])


@dataclass(frozen=True)
class Prepared:
    """A filter's query, with its words looked up in the search index once for all the
    steps of a walk (on PostgreSQL a lookup of a common word costs ~25 ms)."""

    query: Any
    walked: bool  # a word is tested action by action: walk in bounded steps


def prepare(session: Session, flt: ActionFilter) -> Prepared:
    """``flt`` ready for :func:`walk_actions`."""
    return Prepared(*_action_query(session, flt))


def walk_actions(
    session: Session,
    flt: ActionFilter,
    after: tuple[dt.date, str] | None,
    limit: int,
    stop: Callable[[], bool] | None = None,
    walk: int | None = None,
    prepared: Prepared | None = None,
) -> Step:
    """Up to ``limit`` actions matching ``flt`` after ``after``, as :func:`list_actions`, in
    bounded steps: when a filter word must be tested action by action (one or two letters,
    which no trigram index answers, or a word the index finds too common), a step examines
    at most ``walk`` actions, so a word that matches few or none never makes one read walk
    every action. The caller shows what a step found and goes on from ``walked_to``; the
    steps together give exactly the rows one plain query would."""
    with stoppable(session, stop):
        prepared = prepared or prepare(session, flt)
        query, walked = prepared.query, prepared.walked
        if not walked:  # an index (or no word at all) bounds the read already
            return Step(_list_actions(session, flt, after, limit, None, query), None)
        edge = _edge(session, after, walk or WALK)
        rows = _list_actions(session, flt, after, limit, edge, query)
        return Step(rows, None if len(rows) >= limit else edge)


def is_overdue(status: str, due: dt.date | None, today: dt.date) -> bool:
    """Still to do and past its due date."""
    return status in OPEN_ACTION_STATUSES and due is not None and due < today


def count_actions(
    session: Session,
    flt: ActionFilter,
    cap: int = COUNT_CAP,
    stop: Callable[[], bool] | None = None,
) -> int:
    """How many actions match, counted up to ``cap`` (``cap + 1`` means more than ``cap``)."""
    return count_step(session, flt, cap, None, stop, 0)[0]


def count_step(
    session: Session,
    flt: ActionFilter,
    cap: int = COUNT_CAP,
    after: tuple[dt.date, str] | None = None,
    stop: Callable[[], bool] | None = None,
    walk: int | None = None,
    prepared: Prepared | None = None,
) -> tuple[int, tuple[dt.date, str] | None]:
    """How many actions after ``after`` match, counted up to ``cap`` (``cap + 1``: more),
    examining at most ``walk`` actions (default: :data:`WALK`) when a word is tested
    action by action (0: all); and the last action examined when more are left to examine
    (None: the count is whole)."""
    walk = WALK if walk is None else walk
    with stoppable(session, stop):
        prepared = prepared or prepare(session, flt)
        query = prepared.query.with_only_columns(models.Action.id)
        walked = prepared.walked
        edge = _edge(session, after, walk) if walked and walk else None
        if after is not None:
            query = query.where(_beyond(after))
        if edge is not None:
            query = query.where(_up_to(edge))
        inner = query.limit(cap + 1).subquery()
        found = int(session.scalar(select(func.count()).select_from(inner)) or 0)
        return found, (edge if found <= cap else None)
