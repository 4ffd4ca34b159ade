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
from collections.abc import Callable
from pathlib import Path

from qa_tui.store.home_window import Runner, psycopg_runner, sqlite_runner
from qa_tui.store.revisions import head_revision


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
