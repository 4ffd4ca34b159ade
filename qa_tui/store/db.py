"""Opening a database: engine, durability settings, file permissions, sessions.

SQLite (the laptop, and the default central database) runs in WAL mode with
``synchronous=FULL`` and foreign keys on, in a file readable by its owner alone. PostgreSQL is
chosen by a ``postgresql+psycopg://`` URL; the same schema and code serve both.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from qa_tui.errors import NoDatabaseError, StoreBusyError, StoreError
from qa_tui.fsutil import OWNER_ONLY_FILE, make_private_dir, restrict, special_kind

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

SQLITE_HEADER = b"SQLite format 3\x00"
# How long a SQLite connection waits for another's write lock (a merge holds it for its whole
# transaction) before giving up with "database is locked".
BUSY_TIMEOUT_MS = 10_000


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another database (or in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{url!r} is not a database URL (e.g. sqlite:///path/to/qa.db)") from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _prepare_sqlite_file(path: Path, create: bool) -> None:
    try:
        kind = special_kind(path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if kind is not None:  # never opened: reading a FIFO would wait for ever
        raise StoreError(
            f"{path}: is {kind}, not a SQLite database; it was left untouched — choose another --db"
        )
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise StoreError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        if header and header != SQLITE_HEADER:
            raise StoreError(
                f"{path}: is not a SQLite database (corrupt or another kind of file); "
                "it was left untouched — restore it from a backup or choose another --db"
            )
        return
    if not create:
        raise NoDatabaseError(
            f"no database at {path}; nothing was created (qa-tui makes its own database the "
            "first time it runs; 'qa-tui demo --db URL' or 'qa-tui central init --db URL' "
            "makes one elsewhere)"
        )
    try:
        make_private_dir(path.parent)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE)
        os.close(fd)
    except OSError as exc:
        raise StoreError(
            f"{path.parent}: cannot create the database there ({exc.strerror or exc}); "
            "check the folder exists and is writable, or choose another --db"
        ) from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # journal_mode=WAL is persistent and rewrites the file header, so it is switched on by
    # enable_wal() only once the file is known to be ours (a refused file stays byte-identical).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``; a SQLite file is checked (never overwritten) and made private."""
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path, create)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"{url!r}: cannot open this kind of database ({exc})") from None
    except ImportError as exc:
        raise StoreError(
            f"{url!r}: the database driver is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'qa-tui[postgres]'"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def enable_wal(engine: Engine) -> None:
    """Put a SQLite database in WAL mode (a lasting property of the file; no-op elsewhere)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def private_sqlite_files(path: Path | None) -> None:
    """Keep the database and its WAL/SHM side files readable by the owner alone."""
    if path is None:
        return
    for suffix in ("", "-wal", "-shm"):
        restrict(Path(f"{path}{suffix}"))


def describe_db_error(url: str, exc: BaseException) -> str:
    """A one-line message for a database error, naming the database."""
    where = sqlite_path(url) or make_url(url).render_as_string(hide_password=True)
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
    if isinstance(original, sqlite3.DatabaseError) and "not a database" in text:
        return f"{where}: is not a SQLite database (corrupt?); it was left untouched"
    if is_busy(exc):
        return f"{where}: the database is busy (another merge or program is writing); try again"
    return f"{where}: {text}"


def is_busy(exc: BaseException) -> bool:
    """True when a write waited too long for another's lock (SQLite busy, PostgreSQL 55P03)."""
    original = getattr(exc, "orig", None) or exc
    if isinstance(original, sqlite3.OperationalError):
        return str(original).strip() == "database is locked"
    return getattr(original, "sqlstate", None) == "55P03"  # lock_not_available


def _store_error(url: str, exc: BaseException) -> StoreError:
    kind = StoreBusyError if is_busy(exc) else StoreError
    return kind(describe_db_error(url, exc))


class Store:
    """An open database: the engine and a factory of short transactional sessions."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.sqlite_path = sqlite_path(url)
        self._factory: sessionmaker[Session] | None = None

    def _sessions(self) -> Session:
        """A new session. The ORM is imported with the first one: a command that only reads
        through :meth:`reading` never imports it (a twentieth of a second)."""
        if self._factory is None:
            from sqlalchemy.orm import sessionmaker

            self._factory = sessionmaker(self.engine, expire_on_commit=False)
        return self._factory()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except DBAPIError as exc:
            raise _store_error(self.url, exc) from exc
        finally:
            session.close()

    @contextmanager
    def session_on(self, connection: Connection) -> Iterator[Session]:
        """Like :meth:`session`, on a connection the caller keeps across transactions (whose
        connection settings must hold for all of them)."""
        from sqlalchemy.orm import Session

        session = Session(bind=connection, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        except DBAPIError as exc:
            raise _store_error(self.url, exc) from exc
        finally:
            session.close()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading only (nothing is committed).

        Closing it ends the transaction (rolled back) without expiring what was read, so the
        records it returns stay readable after the ``with`` block (``rollback()`` would expire
        them and make every attribute access fail on the detached objects).
        """
        session = self._sessions()
        try:
            yield session
        except DBAPIError as exc:
            raise _store_error(self.url, exc) from exc
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection for reading only, without the ORM (:meth:`reader`'s sessions
        import it): whatever it began is rolled back when it closes."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except DBAPIError as exc:
            raise _store_error(self.url, exc) from exc

    def dispose(self) -> None:
        self.engine.dispose()
