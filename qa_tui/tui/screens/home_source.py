"""Where the home list's rows come from, and the window of them a large list keeps.

A laptop's few hundred evaluations are read whole and filtered in memory as you type (the
list answers in the same frame as the key). Beyond :data:`IN_MEMORY_UP_TO` — the QA desk's
central database — the list is a :class:`WindowRows`: the database filters, sorts and counts
(:mod:`qa_tui.store.home_window`), and rows are read a page at a time as they come into view.
Everything here runs in the screen's worker threads except :class:`WindowRows`' lookups.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar, overload

from rich.text import Text
from textual.message import Message

from qa_tui.store.home_window import (
    IN_MEMORY_UP_TO,
    PAGE,
    HomeQuery,
    Runner,
    count,
    counted_up_to,
    longest,
    page,
    position,
    session_runner,
    text_values,
    totals,
    walk_page,
)
from qa_tui.tui.screens.home_rows import HomeRow, column_widths, make_home_row

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from qa_tui.store.interrupt import Reading
    from qa_tui.store.quicklist import FirstRows
    from qa_tui.store.rows import EvaluationRow
    from qa_tui.workspace import Workspace

T = TypeVar("T")
AHEAD = 60  # rows from the end of a page at which the next is read
KEEP_WITHIN = 1_000  # the kept evaluation is looked for among the filter's first rows only


class RowSource:
    """The database the list reads: the SQLite file before the workspace opens, then it."""

    def __init__(self, path: Path | str | None = None, ws: Workspace | None = None) -> None:
        self.path, self.ws = path, ws  # path: a SQLite file, or a PostgreSQL URL
        self._held: Runner | None = None  # the file's runner while held (one worker's)
        self._holder = 0  # that worker's thread
        # The few-valued columns' values, once read (set on the UI thread: WindowTotals).
        self.known: dict[str, frozenset[Any]] | None = None
        if ws is not None:
            self.dialect = ws.store.dialect
            self.grade_labels = _labels(ws)
        else:
            from qa_tui.vocab import DEFAULT_GRADE_LABELS

            self.dialect = "postgresql" if isinstance(path, str) else "sqlite"
            self.grade_labels = dict(DEFAULT_GRADE_LABELS)

    def read(self, fn: Callable[[Runner], T]) -> T | None:
        """``fn(runner)``, or None when the file cannot answer (the workspace will)."""
        if self.ws is not None:
            return self.ws.read(lambda session: fn(session_runner(session)))
        if self._held is not None and self._holder == threading.get_ident():
            return fn(self._held)  # (another worker's reads open their own: not shared)
        from qa_tui.store.quicklist import quick_runner

        assert self.path is not None
        opened = quick_runner(self.path)
        if opened is None:
            return None
        run, close = opened
        try:
            return fn(run)
        finally:
            close()

    @contextmanager
    def held(self) -> Iterator[bool]:
        """The reads inside share one connection to the file (or the PostgreSQL database):
        opened and checked once. Yields False when it cannot answer (the workspace will);
        the workspace's reads are its own sessions, as ever."""
        if self.ws is not None or self._held is not None:
            yield True
            return
        from qa_tui.store.quicklist import quick_runner

        assert self.path is not None
        opened = quick_runner(self.path)
        if opened is None:
            yield False
            return
        self._held, close = opened
        self._holder = threading.get_ident()  # a sqlite3 connection is its thread's alone
        try:
            yield True
        finally:
            self._held = None
            close()

    def query(self, text: str, sort: tuple[str, bool]) -> HomeQuery:
        return HomeQuery.of(
            text,
            sort[0],
            sort[1],
            dialect=self.dialect,
            grade_labels=self.grade_labels,
            known=self.known,
        )

    def home_row(self, row: EvaluationRow) -> HomeRow:
        template = self.ws.templates.get(row.template_id, row.template_version) if self.ws else None
        if template is not None:
            grade = template.scale.label(row.overall_grade)
        else:
            grade = self.grade_labels.get(row.overall_grade, row.overall_grade)
        return make_home_row(row, grade or "")


def _labels(ws: Workspace) -> dict[str, str]:
    """Grade code -> its words, from every template (the newest versions last, so they win)."""
    from qa_tui.vocab import NOT_APPLICABLE

    labels: dict[str, str] = {}
    for template in reversed(ws.templates.all()):
        labels.update({g.id: g.label for g in template.scale.grades})
        labels[NOT_APPLICABLE] = template.scale.not_applicable_label
    return labels


@dataclass
class Window:
    """One read of a windowed list: the rows around where the cursor goes, and the counts."""

    query: HomeQuery
    count: int  # rows the filter matches (-1: not counted yet)
    total: int  # every evaluation
    demo: int
    pages: dict[int, list[HomeRow]]
    cursor: int = 0  # where the kept evaluation stands (0 if not in the list)
    widths: dict[str, int] = field(default_factory=dict)
    looking: bool = False  # the rows found so far: the first page is still being looked for


def read_all(source: RowSource) -> tuple[list[HomeRow] | None, tuple[int, int]]:
    """Every row when they are few enough to keep in memory, and how many there are and of
    them demo data; else None and (0, 0): too many, counted later (:func:`read_totals`,
    once the first page is drawn: a scan of every row); (None, (-1, -1)) when the file
    cannot answer."""

    def read(run: Runner) -> tuple[list[EvaluationRow] | None, tuple[int, int]]:
        if counted_up_to(run, IN_MEMORY_UP_TO + 1) > IN_MEMORY_UP_TO:
            return None, (0, 0)
        counted = totals(run)
        return page(run, HomeQuery(dialect=source.dialect), 0, counted[0] + 1), counted

    found = source.read(read)
    if found is None:
        return None, (-1, -1)
    rows, counted = found
    return (None if rows is None else [source.home_row(r) for r in rows]), counted


def read_totals(
    source: RowSource,
) -> tuple[tuple[int, int], dict[str, frozenset[Any]]] | None:
    """Every evaluation and the demo ones, and the few-valued columns' values (None when the
    file cannot answer)."""
    return source.read(lambda run: (totals(run), text_values(run)))


def read_window(
    source: RowSource,
    query: HomeQuery,
    keep: str,
    widths: bool = False,
    stopped: Callable[[], bool] = lambda: False,
    so_far: Callable[[Window], None] | None = None,
) -> Window | None:
    """The first page of the list (and the kept evaluation's page), counted if it is all
    (else counted later: a scan of every row; the totals too, :func:`read_totals`);
    ``widths``: fit the columns to every row (else to the rows read). The first page is
    walked to (:func:`~qa_tui.store.home_window.walk_page`): ``so_far`` is given the rows
    found while it is still looking; None if ``stopped`` before it was found."""

    def looking(rows: list[EvaluationRow]) -> None:
        if so_far is not None:
            so_far(replace(_window(source, query, -1, {0: rows}, 0, {}), looking=True))

    def read(
        run: Runner,
    ) -> tuple[int, dict[int, list[EvaluationRow]], int, dict[str, int]] | None:
        first = walk_page(run, query, PAGE, stopped, looking)
        if first is None:
            return None
        pages = {0: first}
        # Counted after the page is drawn (count_matches) if more: a scan of every row.
        n = len(first) if len(first) < PAGE else -1
        at = next((i for i, r in enumerate(first) if r.id == keep), None) if keep else None
        if keep and at is None:
            # Looked for among the first rows only: the rows before it are counted, and a
            # short word (no index narrows it) counted thousands at every key (60 ms on
            # PostgreSQL at 100,000 evaluations); further down the cursor starts at the top.
            at = position(run, query, keep, KEEP_WITHIN)
            if at is not None:
                pages[at // PAGE] = page(run, query, at // PAGE * PAGE, PAGE)
        return n, pages, at or 0, longest(run) if widths else {}

    found = source.read(read)
    if found is None:  # (the file cannot answer, or a key typed since)
        return None
    return _window(source, query, *found)


def first_read(source: RowSource, first: FirstRows) -> tuple[list[HomeRow] | None, Window | None]:
    """The rows read as the app started (:class:`~qa_tui.store.quicklist.FirstRead`): every
    row of a short list, or the window of a long one (its first page, not counted yet)."""
    if first.whole:
        return [source.home_row(r) for r in first.rows], None
    query = source.query("", ("date", True))
    n = len(first.rows) if len(first.rows) < PAGE else -1
    return None, _window(source, query, n, {0: first.rows}, 0, {})


def _window(
    source: RowSource,
    query: HomeQuery,
    n: int,
    pages: dict[int, list[EvaluationRow]],
    at: int,
    longest_text: dict[str, int],
) -> Window:
    """The window of ``pages`` read, ``n`` rows in all (-1: not counted yet), the cursor
    ``at``, its columns fitted to the rows read and to ``longest_text`` (every row's)."""
    home_pages = {k: [source.home_row(r) for r in rows] for k, rows in pages.items()}
    fitted = column_widths([r for rows in home_pages.values() for r in rows])
    for key, column in (("case", "case_reference"), ("service", "service_area")):
        fitted[key] = max(fitted[key], longest_text.get(column, 0))
    for key in ("team", "practitioner"):
        fitted[key] = max(fitted[key], longest_text.get(key, 0))
    return Window(query, n, -1, -1, home_pages, at, fitted)


def count_matches(source: RowSource, query: HomeQuery, reading: Reading | None = None) -> int:
    """How many rows the filter matches (read once the page is drawn). ``reading``: the
    count may be stopped (its filter typed on: a scan of every row no longer wanted), and
    then raises :class:`~qa_tui.errors.QaError` (the workspace's database; the file read at
    start-up is counted to the end)."""
    if reading is None or source.ws is None:
        return source.read(lambda run: count(run, query)) or 0

    def counted(session: Session) -> int:
        assert reading is not None
        reading.start(session)
        try:
            if reading.stopped:  # typed on before it began
                return -1
            return count(session_runner(session), query)
        finally:
            reading.end()

    return source.ws.read(counted)


def read_page(source: RowSource, query: HomeQuery, number: int) -> list[HomeRow]:
    """Page ``number`` of the list."""
    rows = source.read(lambda run: page(run, query, number * PAGE, PAGE))
    return [source.home_row(r) for r in rows or []]


class Pending:
    """A row not read yet: drawn blank until its page arrives."""

    def __init__(self, index: int) -> None:
        self.key = f"\0pending {index}"
        self.index = index

    def cells(self) -> dict[str, Text]:
        return _BLANK


class _Blank(dict[str, Text]):
    def __missing__(self, key: str) -> Text:
        return Text("…" if key == "case" else "")


_BLANK = _Blank()


class WindowRows(Sequence[HomeRow | Pending]):
    """The list's rows as the list widget sees them: ``count`` long, read a page at a time.

    A row whose page is not read yet is :class:`Pending`; asking for it asks ``want`` for its
    page (once).
    """

    def __init__(self, window: Window, want: Callable[[int], None]) -> None:
        self.window = window
        self._want = want
        self._asked: set[int] = set(window.pages)

    def __len__(self) -> int:
        if self.window.count >= 0:
            return self.window.count
        return self.read_so_far()

    def read_so_far(self) -> int:
        """Rows up to the end of the last page read (the length until counted)."""
        return max((n * PAGE + len(rows) for n, rows in self.window.pages.items()), default=0)

    @overload
    def __getitem__(self, index: int) -> HomeRow | Pending: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[HomeRow | Pending]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        number = index // PAGE
        if index % PAGE >= PAGE - AHEAD and (number + 1) * PAGE < len(self):
            self._ask(number + 1)  # the cursor nears the end of what is read: read on
        rows = self.window.pages.get(number)
        if rows is not None and index % PAGE < len(rows):
            return rows[index % PAGE]
        self._ask(number)
        return Pending(index)

    def _ask(self, number: int) -> None:
        if number not in self._asked:
            self._asked.add(number)
            self._want(number)

    def __iter__(self) -> Iterator[HomeRow | Pending]:
        return (self[i] for i in range(len(self)))

    def add(self, number: int, rows: list[HomeRow]) -> None:
        self.window.pages[number] = rows

    def find(self, key: str) -> int | None:
        """The index of the row ``key`` among the pages read (None if not read)."""
        for number, rows in self.window.pages.items():
            for n, row in enumerate(rows):
                if row.key == key:
                    return number * PAGE + n
        return None


@dataclass
class WindowRead(Message):
    """A window read for the filter and sort of ``generation`` (-1: a whole read; None: the
    file could not answer, the workspace will)."""

    window: Window | None
    generation: int
    source: RowSource
    last_id: str = ""


@dataclass
class PageRead(Message):
    """Page ``number`` of the window of ``generation``."""

    number: int
    rows: list[HomeRow]
    generation: int


@dataclass
class WindowTotals(Message):
    """Every evaluation and the demo ones, counted after a whole read's first page, and the
    values of the few-valued columns the filter looks in."""

    total: int
    demo: int
    known: dict[str, frozenset[Any]]
    source: RowSource


@dataclass
class WindowCounted(Message):
    """How many rows the window read for ``query`` has in all."""

    count: int
    query: HomeQuery
