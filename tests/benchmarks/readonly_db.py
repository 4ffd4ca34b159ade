"""Benchmarks on a shared database that must not change: every database opened read-only.

A benchmark pointed at an existing database (the QA desk's 100,000 evaluations, SQLite or
PostgreSQL) must neither migrate nor write it. :func:`install` makes every engine qa-tui
makes in this process read-only — a SQLite file opened with ``mode=ro``, a PostgreSQL session
with ``default_transaction_read_only`` — so a write anywhere fails loudly instead of changing
the shared data; :func:`check_head` refuses a database not at the schema of this checkout
(its code would otherwise try to upgrade it). The hook waits for ``qa_tui.store.db`` to be
imported, so a process that never needs SQLAlchemy (the home list's start-up fast path, which
reads the file with ``sqlite3`` read-only already) pays nothing for it.

    python tests/benchmarks/readonly_db.py ARGS...   # ``python -m qa_tui ARGS...``, read-only

A benchmark helper, not part of the product.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import runpy
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

TARGET = "qa_tui.store.db"


def _read_only_engine(original: Any) -> Any:
    def make_engine(url: str, *, create: bool = True) -> Any:
        from sqlalchemy import create_engine, event

        from qa_tui.store import db

        path = db.sqlite_path(url)
        if path is not None:
            engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
            event.listen(engine, "connect", db._sqlite_pragmas)
            return engine
        if url.startswith("postgresql"):
            options = {"options": "-c default_transaction_read_only=on"}
            return create_engine(url, connect_args=options)
        return original(url, create=create)

    return make_engine


def _patch(module: ModuleType) -> None:
    module.make_engine = _read_only_engine(module.make_engine)  # type: ignore[attr-defined]  # module typed as ModuleType


class _Finder(importlib.abc.MetaPathFinder):
    """Patches ``qa_tui.store.db`` as it is imported (before anyone imports its names)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def patched(module: ModuleType) -> None:
            exec_module(module)
            _patch(module)

        loader.exec_module = patched  # type: ignore[method-assign]  # read-only engines
        return spec


def install() -> None:
    """Every database qa-tui opens from now on, in this process, is opened read-only."""
    if TARGET in sys.modules:
        _patch(sys.modules[TARGET])
        for name in ("qa_tui.store.migrate",):  # took the name before the patch
            if name in sys.modules:
                sys.modules[name].make_engine = sys.modules[TARGET].make_engine
        return
    sys.meta_path.insert(0, _Finder())


def check_head(url: str) -> None:
    """Refuse (exit) a database not at this checkout's head revision: opening it would try
    to upgrade it."""
    from sqlalchemy import text

    from qa_tui.store.revisions import head_revision

    install()
    from qa_tui.store.db import make_engine

    engine = make_engine(url, create=False)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    if found != head_revision():
        sys.exit(f"{url}: at schema {found}, this checkout's is {head_revision()}: not opened")


if __name__ == "__main__":
    install()
    sys.argv = ["qa-tui", *sys.argv[1:]]
    runpy.run_module("qa_tui", run_name="__main__", alter_sys=True)
