"""The home list read a window at a time: filtered, sorted and counted by the database.

At the QA desk the central database holds 100,000 evaluations: the home list never reads them
all. Each function here builds one SQL statement (SQLite and PostgreSQL alike, named ``:p``
parameters) and runs it through a :data:`Runner` — the standard library's ``sqlite3`` before
the workspace is open (:func:`sqlite_runner`, no SQLAlchemy to import), a session after
(:func:`session_runner`). Only the rows of one page are read; the counts an evaluation shows
(open actions, conflicts, the concern's stage) are correlated sub-queries for those rows only.

The filter matches what the list shows, as :func:`qa_tui.tui.screens.home_rows.matching`
does in memory: every word must be found in one of the row's fields — the text columns by
``LIKE`` (SQLite's case folding covers ASCII letters only), the words the row is shown with
(status, grade, concern stage, "conflict", "demo") by the codes whose words contain it.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_tui.store.rows import EvaluationRow
from qa_tui.vocab import CONCERN_RECIPIENTS, OPEN_ACTION_STATUSES, STATUSES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

IN_MEMORY_UP_TO = 5_000  # more evaluations than this and the list is windowed
PAGE = 200  # rows read at a time
WALK_FIRST, WALK_MOST = 1_000, 4_000  # rows in a filter's first step, in its longest
TELL_EVERY = 0.25  # seconds between the walk's tellings of the rows found so far
DATE_ROWS = "evaluation_date rows"  # HomeQuery.known's (date, rows with it) pairs

Params = dict[str, Any]
Runner = Callable[[str, Params], Sequence[Sequence[Any]]]

TEXT_COLUMNS = ("case_reference", "service_area", "team", "practitioner", "auditor")
FEW_VALUED = ("service_area", "team", "practitioner", "auditor")  # tens of values, not rows
DATE_CHARACTERS = frozenset("0123456789-")  # all a date shown as YYYY-MM-DD holds
CONCERN = "⚠ Concern"
# The concern's stage as the list words it (home_rows.concern_words), by the code SQL gives.
CONCERN_STAGES = {
    "closed": "Concern closed",
    "ack": "⚠ Acknowledged",
    "s4": "⚠ Shared",
    "s3": "⚠ Shared 3/4",
    "s2": "⚠ Shared 2/4",
    "s1": "⚠ Shared 1/4",
    "s0": "⚠ Not shared",
}


@dataclass(frozen=True)
class HomeQuery:
    """What the list shows: the filter's words, the sort column and direction."""

    words: tuple[str, ...] = ()
    sort: str = "date"
    reverse: bool = True
    dialect: str = "sqlite"
    # Grade code -> the words it is shown with (the templates' scale labels).
    grade_labels: Mapping[str, str] = field(default_factory=dict)
    # Every value of the few-valued text columns (:func:`text_values`), when read: a word in
    # none of a column's values is not looked for in it (a word only a case reference can
    # hold is then found through its trigram index on PostgreSQL, not by reading every row).
    known: Mapping[str, frozenset[Any]] | None = field(default=None, compare=False)

    @staticmethod
    def of(text: str, sort: str, reverse: bool, **extra: Any) -> HomeQuery:
        """The query for a filter as typed (split into lower-case words)."""
        return HomeQuery(tuple(text.lower().split()), sort, reverse, **extra)


class _Sql:
    """One statement's parameters, named as they are added."""

    def __init__(self) -> None:
        self.params: Params = {}

    def p(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def many(self, values: Sequence[Any]) -> str:
        return "(" + ", ".join(self.p(v) for v in values) + ")" if values else "(NULL)"


def _truth(dialect: str, column: str) -> str:
    # SQLite matches the partial index's condition ("conflict" = 1) only when said alike.
    return f"{column} = 1" if dialect == "sqlite" else column


def _counts(q: HomeQuery, sql: _Sql, e: str) -> dict[str, str]:
    """Correlated sub-queries of one evaluation's counts (``e`` is the table's alias)."""
    live = f"NOT x.deleted AND x.evaluation_id = {e}.id"
    return {
        "open": f"(SELECT COUNT(*) FROM actions AS x WHERE x.evaluation_id = {e}.id "
        f"AND NOT x.deleted AND x.current_status IN {sql.many(OPEN_ACTION_STATUSES)})",
        "conflicts": f"(SELECT COUNT(*) FROM field_states AS x WHERE x.evaluation_id = {e}.id "
        f"AND {_truth(q.dialect, 'x.conflict')})",
        "shared": f"(SELECT COUNT(DISTINCT x.recipient_role) FROM concern_shares AS x "
        f"WHERE {live} AND x.recipient_role IN {sql.many(list(CONCERN_RECIPIENTS))})",
        "ack": f"(SELECT COUNT(*) FROM concern_events AS x WHERE {live} "
        "AND x.kind = 'acknowledged')",
        "closed": f"(SELECT COUNT(*) FROM concern_events AS x WHERE {live} AND x.kind = 'closed')",
    }


def _stages(q: HomeQuery, sql: _Sql, stages: list[str], e: str) -> str:
    """The condition that the concern of ``e`` is at one of ``stages``.

    Asked of each row with a concern, by its own shares and events (found by their index on
    the evaluation), not by sets of every concern's shares and events built first: a page of
    200 reads only the rows up to its 200th match, and the count only the concerns (a word
    such as "sh" built those sets on every keystroke: 0.27 s at 100,000 evaluations)."""
    n = _counts(q, sql, e)
    closed, ack, shared = f"{n['closed']} > 0", f"{n['ack']} > 0", n["shared"]
    found = []
    if "closed" in stages:
        found.append(closed)
    if "ack" in stages:
        found.append(f"(NOT {closed} AND {ack})")
    for stage in stages:
        if stage.startswith("s"):
            k = int(stage[1])
            at = f"{shared} {'>=' if k == 4 else '='} {sql.p(k)}"
            found.append(f"(NOT {closed} AND NOT {ack} AND {at})")
    return f"({e}.immediate_concern AND ({' OR '.join(found)}))"


def _word_matches(q: HomeQuery, sql: _Sql, word: str, e: str) -> str:
    """The condition that ``word`` is in one of the row's fields."""
    like = "ILIKE" if q.dialect == "postgresql" else "LIKE"
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = sql.p(f"%{escaped}%")
    found = [f"{e}.{c} {like} {pattern} ESCAPE '\\'" for c in TEXT_COLUMNS if _may_hold(q, c, word)]
    if set(word) <= DATE_CHARACTERS:  # else no date holds it
        found.extend(_date_matches(q, sql, word, pattern, e))
    statuses = [code for code, label in STATUSES.items() if word in label.lower()]
    if statuses:
        found.append(f"{e}.status IN {sql.many(statuses)}")
    grades = [code for code, label in q.grade_labels.items() if word in label.lower()]
    if grades:
        found.append(f"{e}.overall_grade IN {sql.many(grades)}")
    if word in " · conflict":
        conflicts = (
            f"SELECT x.evaluation_id FROM field_states AS x WHERE {_truth(q.dialect, 'x.conflict')}"
        )
        found.append(f"{e}.id IN ({conflicts})")
    if word in " · demo":
        found.append(f"{e}.demo")
    stages = [s for s, words in CONCERN_STAGES.items() if word in f"{CONCERN} {words}".lower()]
    if len(stages) == len(CONCERN_STAGES):
        found.append(f"{e}.immediate_concern")
    elif stages:
        found.append(_stages(q, sql, stages, e))
    return "(" + " OR ".join(found) + ")" if found else "(1 = 0)"


def _date_matches(q: HomeQuery, sql: _Sql, word: str, pattern: str, e: str) -> list[str]:
    """The condition that the row's date, as shown (YYYY-MM-DD), holds ``word``: by the dates
    that do when the dates are known (so the planner sees which, and how many, rows match),
    else as text."""
    dates = q.known.get("evaluation_date") if q.known is not None else None
    if dates is None:
        return [f"COALESCE(CAST({e}.evaluation_date AS VARCHAR(10)), '') LIKE {pattern}"]
    hits = sorted(d for d in dates if d is not None and word in str(d))
    if not hits:
        return []
    if len(hits) == len(dates - {None}):
        return [f"{e}.evaluation_date IS NOT NULL"]
    return [f"{e}.evaluation_date IN {sql.many(hits)}"]


def _may_hold(q: HomeQuery, column: str, word: str) -> bool:
    """Whether some row's ``column`` may hold ``word`` (always, for a column whose values
    are not known). Python's ``lower`` folds at least what ``LIKE`` (ASCII) and ``ILIKE``
    fold, so a value either would match is never ruled out."""
    if q.known is None or column not in q.known:
        return True
    return any(word in value.lower() or word in value.casefold() for value in q.known[column])


def text_values(run: Runner) -> dict[str, frozenset[Any]]:
    """Every value of the few-valued text columns the filter looks in, and every date (read
    once per whole read of the list)."""
    found = run(
        f"SELECT DISTINCT {', '.join(f'e.{c}' for c in FEW_VALUED)} "
        "FROM evaluations AS e WHERE NOT e.deleted",
        {},
    )
    values: dict[str, frozenset[Any]] = {
        c: frozenset(str(r[i] or "") for r in found) for i, c in enumerate(FEW_VALUED)
    }
    # The dates as the driver gives them (text on SQLite, dates on PostgreSQL): given back as
    # they came, compared with the column as it is.
    days = run(
        "SELECT e.evaluation_date, COUNT(*) FROM evaluations AS e WHERE NOT e.deleted "
        "GROUP BY e.evaluation_date",
        {},
    )
    values["evaluation_date"] = frozenset(r[0] for r in days)
    # How many rows each date holds: the walk's steps (:func:`walk_page`).
    values[DATE_ROWS] = frozenset((r[0], int(r[1])) for r in days)
    return values


def _where(q: HomeQuery, sql: _Sql, e: str = "e") -> str:
    return " AND ".join([f"NOT {e}.deleted", *(_word_matches(q, sql, w, e) for w in q.words)])


def _sort_expr(q: HomeQuery, sql: _Sql, e: str) -> str:
    if q.sort in ("case", "service", "team", "practitioner"):
        column = {"case": "case_reference", "service": "service_area"}.get(q.sort, q.sort)
        return f"lower({e}.{column})"
    if q.sort == "grade":
        cases = " ".join(
            f"WHEN {sql.p(code)} THEN {sql.p(label.lower())}"
            for code, label in q.grade_labels.items()
        )
        return f"CASE {e}.overall_grade {cases} ELSE '' END" if cases else "''"
    if q.sort == "actions":
        return _counts(q, sql, e)["open"]
    if q.sort == "concern":
        return f"CASE WHEN {e}.immediate_concern THEN 1 ELSE 0 END"
    if q.sort == "status":
        return f"{e}.status"
    return f"{e}.evaluation_date"


def page(
    run: Runner, q: HomeQuery, offset: int, limit: int, days: Sequence[Any] | None = None
) -> list[EvaluationRow]:
    """Rows ``offset`` to ``offset + limit`` of the filtered, sorted list (``days``: of the
    rows dated from the first to the last of them, or undated if they are ``[None]``).

    The page's ids first, from the home index alone (the columns the filter and the sort
    read), then their rows and counts."""
    sql = _Sql()
    where, direction = _where(q, sql, "w"), "DESC" if q.reverse else "ASC"
    if days == [None]:
        where += " AND w.evaluation_date IS NULL"
    elif days:
        where += f" AND w.evaluation_date BETWEEN {sql.p(min(days))} AND {sql.p(max(days))}"
    ids = (
        f"SELECT w.id AS id, {_sort_expr(q, sql, 'w')} AS k FROM evaluations AS w "
        f"WHERE {where} ORDER BY k {direction}, w.id {direction} "
        f"LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    n = _counts(q, sql, "e")
    statement = (
        "SELECT e.id, e.case_reference, e.service_area, e.team, e.practitioner, e.auditor, "
        "e.evaluation_type, e.template_id, e.template_version, e.status, e.overall_grade, "
        f"{n['open']}, e.immediate_concern, e.evaluation_date, e.created_at, e.completed_at, "
        f"{n['conflicts']}, "
        f"CASE WHEN e.immediate_concern THEN {n['shared']} ELSE 0 END, "
        f"CASE WHEN e.immediate_concern THEN {n['ack']} ELSE 0 END, "
        f"CASE WHEN e.immediate_concern THEN {n['closed']} ELSE 0 END, e.demo "
        f"FROM ({ids}) AS page JOIN evaluations AS e ON e.id = page.id "
        f"ORDER BY page.k {direction}, page.id {direction}"
    )
    return [_row(r) for r in run(statement, sql.params)]


def walk_steps(q: HomeQuery) -> list[list[Any]] | None:
    """The dates in the list's order (the date sort's), in steps of about :data:`WALK_FIRST`
    rows growing to :data:`WALK_MOST` (undated rows a step of their own, ``[None]``); None
    when the list is not sorted by date or the dates' rows are not known."""
    rows = q.known.get(DATE_ROWS) if q.known is not None else None
    if rows is None or q.sort != "date":
        return None
    dated = sorted(((d, n) for d, n in rows if d is not None), reverse=q.reverse)
    steps: list[list[Any]] = []
    size, step, held = WALK_FIRST, [], 0
    for day, n in dated:
        step.append(day)
        held += n
        if held >= size:
            steps.append(step)
            size, step, held = min(size * 2, WALK_MOST), [], 0
    if step:
        steps.append(step)
    if any(d is None for d, _ in rows):
        # Where the drafts without a date sort: NULL is the least value to SQLite, the
        # greatest to PostgreSQL (as :func:`page`'s ORDER BY places them).
        first = (q.dialect == "postgresql") == q.reverse
        steps.insert(0 if first else len(steps), [None])
    return steps


def walk_page(
    run: Runner,
    q: HomeQuery,
    limit: int,
    stopped: Callable[[], bool] = lambda: False,
    so_far: Callable[[list[EvaluationRow]], None] = lambda rows: None,
) -> list[EvaluationRow] | None:
    """The first ``limit`` rows of the list, as :func:`page` reads them, but read a step of
    dates at a time in the list's order (:func:`walk_steps`) when the filter has words: a
    word in few rows or none (which no index narrows: "qw") is a walk of every row, and
    each step is a few milliseconds. ``so_far`` is given the rows found after each step
    while the page is not full (the list says it is still looking); None if ``stopped``
    (checked before each step: a key typed since)."""
    # On PostgreSQL a word of three letters or more is found through the trigram index
    # (migration 0014) faster than by walking; fewer than three, no index narrows it.
    short = q.dialect != "postgresql" or any(len(w) < 3 for w in q.words)
    steps = walk_steps(q) if q.words and short else None
    if steps is None:
        return page(run, q, 0, limit)
    found: list[EvaluationRow] = []
    # Told after the first step, then when more are found, at most every TELL_EVERY seconds:
    # each telling redraws the list, time the walk (sharing the interpreter) would wait for.
    told, told_at = -1, 0.0
    for n, days in enumerate(steps):
        if stopped():
            return None
        found.extend(page(run, q, 0, limit - len(found), days))
        if len(found) >= limit:
            break
        now = time.monotonic()
        if n < len(steps) - 1 and len(found) > told and (n == 0 or now - told_at > TELL_EVERY):
            told, told_at = len(found), now
            so_far(list(found))
    return found


def _row(r: Sequence[Any]) -> EvaluationRow:
    return EvaluationRow(
        id=r[0],
        case_reference=r[1],
        service_area=r[2],
        team=r[3],
        practitioner=r[4],
        auditor=r[5],
        evaluation_type=r[6],
        template_id=r[7],
        template_version=r[8],
        status=r[9],
        overall_grade=r[10],
        open_actions=int(r[11]),
        immediate_concern=bool(r[12]),
        evaluation_date=str(r[13] or ""),
        created_at=r[14],
        completed_at=r[15],
        conflicts=int(r[16]),
        concern_shared=int(r[17]),
        concern_acknowledged=bool(r[18]),
        concern_closed=bool(r[19]),
        demo=bool(r[20]),
    )


def count(run: Runner, q: HomeQuery) -> int:
    """How many evaluations the filter matches."""
    sql = _Sql()
    where = _where(q, sql)
    return int(run(f"SELECT COUNT(*) FROM evaluations AS e WHERE {where}", sql.params)[0][0])


def totals(run: Runner) -> tuple[int, int]:
    """Every evaluation (not deleted), and how many of them are demo data."""
    found = run(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN e.demo THEN 1 ELSE 0 END), 0) "
        "FROM evaluations AS e WHERE NOT e.deleted",
        {},
    )
    return int(found[0][0]), int(found[0][1])


def counted_up_to(run: Runner, limit: int) -> int:
    """How many evaluations there are (not deleted), counting no further than ``limit``: a
    look at the first ``limit`` rows, not a scan of every one (is the list small enough to
    keep in memory?)."""
    found = run(
        "SELECT COUNT(*) FROM (SELECT 1 FROM evaluations AS e WHERE NOT e.deleted "
        f"LIMIT {int(limit)}) AS first_rows",
        {},
    )
    return int(found[0][0])


def longest(run: Runner) -> dict[str, int]:
    """The longest value of each text column the list shows (its columns' widths)."""
    columns = ("case_reference", "service_area", "team", "practitioner")
    found = run(
        "SELECT "
        + ", ".join(f"COALESCE(MAX(LENGTH(e.{c})), 0)" for c in columns)
        + " FROM evaluations AS e WHERE NOT e.deleted",
        {},
    )
    return {c: int(v) for c, v in zip(columns, found[0], strict=True)}


def position(
    run: Runner, q: HomeQuery, evaluation_id: str, within: int | None = None
) -> int | None:
    """Where ``evaluation_id`` stands in the filtered, sorted list (None if not in it, or
    not among its first ``within`` rows: the rows before it counted no further).

    Two statements: the kept row's sort key (by its id, None if the filter leaves it out),
    then the rows before it, compared with that key as a value. Asked as one statement (the
    key a correlated sub-query, the date made text for drafts without one), PostgreSQL
    counted every row of the list even for a row the filter leaves out: 0.6–0.9 s a key at
    100,000 evaluations; a date compared as a date reads only the rows newer than it."""
    sql = _Sql()
    kid = sql.p(evaluation_id)
    found = run(
        f"SELECT {_sort_expr(q, sql, 'k')} FROM evaluations AS k "
        f"WHERE k.id = {kid} AND {_where(q, sql, 'k')}",
        sql.params,
    )
    if not found:
        return None
    sql = _Sql()
    where, before = _where(q, sql), _before(q, sql, found[0][0], evaluation_id)
    rows = f"SELECT 1 FROM evaluations AS e WHERE {where} AND {before}"
    if within is not None:
        rows += f" LIMIT {int(within)}"
    counted = int(run(f"SELECT COUNT(*) FROM ({rows}) AS before_it", sql.params)[0][0])
    return None if within is not None and counted >= within else counted


def _before(q: HomeQuery, sql: _Sql, key: Any, evaluation_id: str) -> str:
    """The condition that a row comes before the kept one (sort key ``key``, id
    ``evaluation_id``) in the list's order: by the sort key, then by id, both in the list's
    direction; a draft without a date sorts as the earliest date (as "" does in memory)."""
    op = ">" if q.reverse else "<"
    kid = sql.p(evaluation_id)
    if q.sort != "date":
        mine, kk = _sort_expr(q, sql, "e"), sql.p(key)
        return f"({mine} {op} {kk} OR ({mine} = {kk} AND e.id {op} {kid}))"
    day = "e.evaluation_date"
    if key is None:  # the kept row has no date: first ascending, last descending
        if q.reverse:
            return f"({day} IS NOT NULL OR ({day} IS NULL AND e.id > {kid}))"
        return f"({day} IS NULL AND e.id < {kid})"
    kd = sql.p(key)
    newer = f"({day} {op} {kd} OR ({day} = {kd} AND e.id {op} {kid}))"
    return newer if q.reverse else f"({day} IS NULL OR {newer})"


def sqlite_runner(path: Path) -> tuple[Runner, Callable[[], None]]:
    """A runner on the SQLite file at ``path``, opened read-only, and how to close it."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def run(statement: str, params: Params) -> Sequence[Sequence[Any]]:
        return connection.execute(statement, params).fetchall()

    return run, connection.close


def psycopg_runner(url: str) -> tuple[Runner, Callable[[], None]] | None:
    """A runner on the PostgreSQL database at ``url`` (read-only transactions, psycopg alone:
    no SQLAlchemy to import) and how to close it; None if it cannot connect."""
    try:
        import psycopg
    except ImportError:
        return None
    target = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        connection = psycopg.connect(
            target,
            autocommit=True,  # each statement its own (read-only) transaction
            connect_timeout=5,
            options="-c default_transaction_read_only=on",
        )
    except psycopg.Error:
        return None

    def run(statement: str, params: Params) -> Sequence[Sequence[Any]]:
        # psycopg's placeholders: %(name)s (a literal % doubled).
        text = _PARAM.sub(r"%(\1)s", statement.replace("%", "%%"))
        return connection.execute(text, params).fetchall()

    return run, connection.close


_PARAM = re.compile(r":(p\d+)\b")


def session_runner(session: Session) -> Runner:
    """A runner on an open session (the workspace's database, SQLite or PostgreSQL)."""
    from sqlalchemy import text

    def run(statement: str, params: Params) -> Sequence[Sequence[Any]]:
        return [tuple(r) for r in session.execute(text(statement), params)]

    return run
