"""The home list read straight from a SQLite file with the standard library (or from
PostgreSQL with psycopg alone).

Start-up fast path: importing SQLAlchemy and Alembic costs about half a second, so the app
first shows the evaluations with read-only queries (:mod:`qa_tui.store.home_window`, the same
the list runs once the workspace is open) and opens the full workspace after. It answers only
for a SQLite file already at the schema the migration scripts lead to
(:func:`qa_tui.store.revisions.head_revision`); otherwise it returns None and the app waits for
the workspace.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa_tui.store.home_window import (
    HomeQuery,
    Runner,
    counted_up_to,
    page,
    psycopg_runner,
    sqlite_runner,
    totals,
)
from qa_tui.store.revisions import head_revision
from qa_tui.store.rows import EvaluationRow
from qa_tui.vocab import CENTRAL_ROLE, DEFAULT_GRADE_LABELS


def sqlite_file(url: str | None) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL (None for anything else)."""
    prefix = "sqlite:///"
    if not url or not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix) :]
    return Path(path) if path and path != ":memory:" else None


def quick_source(url: str | None) -> Path | str | None:
    """What the fast path can read for ``url``: a SQLite file, a PostgreSQL URL (read with
    psycopg alone), or None."""
    path = sqlite_file(url)
    if path is not None:
        return path
    if url and url.startswith(("postgresql+psycopg://", "postgresql://")):
        return url
    return None


def quick_runner(source: Path | str) -> tuple[Runner, Callable[[], None]] | None:
    """A read-only runner on the SQLite file (a path) or the PostgreSQL database (a URL)
    ``source`` and how to close it, or None if the fast path cannot answer (no such file,
    not a database, no server, not at the head revision).

    This never creates, upgrades or locks anything.
    """
    if isinstance(source, str):
        return _checked(psycopg_runner(source))
    if not source.is_file():
        return None
    try:
        return _checked(sqlite_runner(source))
    except sqlite3.Error:
        return None


def _checked(
    opened: tuple[Runner, Callable[[], None]] | None,
) -> tuple[Runner, Callable[[], None]] | None:
    """``opened`` if its database is at the head revision (else closed, None)."""
    if opened is None:
        return None
    run, close = opened
    try:
        version = run("SELECT version_num FROM alembic_version", {})
    except Exception:  # any driver's error: the workspace will say what it is
        close()
        return None
    if list(map(tuple, version)) != [(head_revision(),)]:
        close()
        return None
    return run, close


def first_query(source: Path | str) -> HomeQuery:
    """The list as it first shows, before the templates load: newest first, no filter, the
    default scale's words (a URL ``source`` is PostgreSQL, a path a SQLite file)."""
    dialect = "postgresql" if isinstance(source, str) else "sqlite"
    return HomeQuery(dialect=dialect, grade_labels=dict(DEFAULT_GRADE_LABELS))


@dataclass
class FirstRows:
    """The home list's first read: every row of a short list, or a long one's first page."""

    rows: list[EvaluationRow]
    whole: bool  # every row (few enough to keep in memory), else the first page
    counted: tuple[int, int]  # every evaluation, and demo ones ((0, 0) uncounted: a long list)
    central: bool = False  # the QA team's central database (``store.role``), not a laptop's


class FirstRead:
    """The home list's first read, on a thread of its own from the moment the app starts.

    Start-up does little else but wait for Textual to load and draw its first frame; the
    database is read meanwhile, so the list is there for that first frame (the screen takes
    it from :meth:`result`, or waits for it in a worker). A long list's counts are left to
    the screen (a scan of every row, after the first page is drawn).
    """

    def __init__(self, source: Path | str, in_memory_up_to: int, page_size: int) -> None:
        self.source = source
        self._result: FirstRows | None = None
        self._done = threading.Event()
        thread = threading.Thread(
            target=self._read, args=(in_memory_up_to, page_size), name="qa-first-read"
        )
        thread.daemon = True  # an app closed at once does not wait for it
        thread.start()

    def _read(self, in_memory_up_to: int, page_size: int) -> None:
        try:
            opened = quick_runner(self.source)
            if opened is None:
                return
            run, close = opened
            try:
                query = first_query(self.source)
                role = run("SELECT value FROM meta WHERE key = :p0", {"p0": "role"})
                central = list(map(tuple, role)) == [(CENTRAL_ROLE,)]
                if counted_up_to(run, in_memory_up_to + 1) > in_memory_up_to:
                    rows = page(run, query, 0, page_size)
                    self._result = FirstRows(rows, False, (0, 0), central)
                else:
                    counted = totals(run)
                    rows = page(run, query, 0, counted[0] + 1)
                    self._result = FirstRows(rows, True, counted, central)
            finally:
                close()
        except Exception:  # any driver's error: the screen reads again, and says what it is
            self._result = None
        finally:
            self._done.set()

    def done(self) -> bool:
        """Whether the read has finished (:meth:`result` will not wait)."""
        return self._done.is_set()

    def result(self) -> FirstRows | None:
        """The rows read (waiting for them), or None if the database could not answer."""
        self._done.wait()
        return self._result
