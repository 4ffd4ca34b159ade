"""Schema migrations (Alembic), run by the app itself.

Opening a database brings it to the current schema: a new one is created, an older one is
upgraded after a backup copy is taken, and one written by a newer qa-tui is refused untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from qa_tui.errors import StoreError
from qa_tui.fsutil import OWNER_ONLY_FILE, restrict
from qa_tui.store.db import (
    Store,
    describe_db_error,
    enable_wal,
    make_engine,
    private_sqlite_files,
)
from qa_tui.store.revisions import head_revision, known_revisions

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision (None for a database without one)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy a SQLite database (consistently, with the backup API) before it is upgraded."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}")
    # Made owner-only before a byte of the data is copied into it.
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE))
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    restrict(target)
    return target


def upgrade(store: Store, revision: str = "head") -> Path | None:
    """Bring the database to ``revision``; returns the backup path if one was taken."""
    with store.engine.connect() as connection:
        current = current_revision(connection)
        if current == head_revision() and revision == "head":
            return None  # the common case, answered without importing Alembic
        tables = set(inspect(connection).get_table_names())
    if current is not None and current not in known_revisions():
        raise StoreError(
            f"{store.url}: written by a newer version of qa-tui (schema {current}); "
            "upgrade qa-tui to open it — the database was left untouched"
        )
    if current is None and tables - {"alembic_version"}:
        raise StoreError(
            f"{store.url}: holds tables but is not a qa-tui database; it was left untouched"
        )
    backup = None
    path = store.sqlite_path
    if current is not None and path is not None:
        backup = backup_sqlite(path, current)
    from alembic import command

    with store.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    if path is not None:
        target = head_revision() if revision == "head" else revision
        shrunk = current is not None and any(current < r <= target for r in _SHRINKING)
        _give_space_back(store, shrunk=shrunk)
    return backup


# Migrations that make rows smaller in place (0021: columns dropped, each row rewritten
# shorter on its page): the pages are fuller of nothing, not free, so the file is given its
# space back after them whatever its free pages.
_SHRINKING = ("0021",)


def _give_space_back(store: Store, *, shrunk: bool = False) -> None:
    """SQLite, after an upgrade: when a migration rewrote tables (0016: the change log in 16-byte
    ids), the old tables' pages are free but still in the file, which then holds both; VACUUM
    gives them back (once, when they are a quarter of the file or more, or when a migration
    ``shrunk`` rows in place)."""
    with store.engine.connect() as connection:
        free = int(connection.exec_driver_sql("PRAGMA freelist_count").scalar() or 0)
        total = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)
    if total and (shrunk or free * 4 >= total):
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")


def open_store(url: str, *, create: bool = True, migrate: bool = True) -> Store:
    """Open (and create or upgrade) the database at ``url``, ready for use.

    With ``create=False`` a SQLite file that does not exist is a
    :class:`~qa_tui.errors.NoDatabaseError` and nothing is made. (A PostgreSQL database is
    never created by qa-tui: the server refuses to connect to one that does not exist.)
    """
    engine = make_engine(url, create=create)
    store = Store(engine, url)
    try:
        if migrate:
            upgrade(store)
            enable_wal(engine)  # only now: a refused database is left byte-identical
        private_sqlite_files(store.sqlite_path)
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(describe_db_error(url, exc)) from None
    except StoreError:
        engine.dispose()
        raise
    return store
