"""The home list read straight from a SQLite file with the standard library.

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

from qa_tui.store.home_window import Runner, sqlite_runner
from qa_tui.store.revisions import head_revision


def sqlite_file(url: str | None) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL (None for anything else)."""
    prefix = "sqlite:///"
    if not url or not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix) :]
    return Path(path) if path and path != ":memory:" else None


def quick_runner(path: Path) -> tuple[Runner, Callable[[], None]] | None:
    """A read-only runner on the SQLite file at ``path`` and how to close it, or None if the
    fast path cannot answer (no such file, not a database, not at the head revision).

    Opened read-only: this never creates, upgrades or locks anything.
    """
    if not path.is_file():
        return None
    try:
        run, close = sqlite_runner(path)
    except sqlite3.Error:
        return None
    try:
        version = run("SELECT version_num FROM alembic_version", {})
    except sqlite3.Error:
        close()
        return None
    if list(map(tuple, version)) != [(head_revision(),)]:
        close()
        return None
    return run, close
