"""Fixtures for the hand-over suite: PostgreSQL on loopback, databases on both backends."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sync.pgcluster import Cluster, find_bindir, start_cluster

REQUIRE_PG = os.environ.get("QA_TUI_REQUIRE_PG") == "1"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the whole session (skipped if none is installed)."""
    bindir = find_bindir()
    if bindir is None:
        reason = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under "
            "/usr/lib/postgresql/*/bin"
        )
        if REQUIRE_PG:
            pytest.fail(f"{reason} and QA_TUI_REQUIRE_PG=1")
        pytest.skip(reason)
    cluster = start_cluster(bindir)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_server: Cluster) -> str:
    """A fresh, empty PostgreSQL database on the session's cluster."""
    return pg_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def migrated_pg_template(pg_server: Cluster) -> str:
    """One migrated, empty PostgreSQL database, copied for each new one (8× faster than
    creating and migrating each)."""
    from qa_tui.store.migrate import open_store

    name = f"template_{uuid.uuid4().hex[:12]}"
    open_store(pg_server.create_database(name)).dispose()  # no connection left open
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def make_db(
    request: pytest.FixtureRequest, tmp_path: Path, empty_sqlite: Path
) -> Callable[[], str]:
    """A factory of fresh, migrated database URLs on the parametrised backend."""
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        template = request.getfixturevalue("migrated_pg_template")
        return lambda: server.create_database(f"t_{uuid.uuid4().hex[:12]}", template)

    def new_sqlite() -> str:
        path = tmp_path / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(empty_sqlite, path)
        path.chmod(0o600)
        return f"sqlite:///{path}"

    return new_sqlite


@pytest.fixture
def sqlite_db(tmp_path: Path, empty_sqlite: Path) -> Callable[[], str]:
    """A factory of fresh SQLite database URLs."""

    def new_sqlite() -> str:
        path = tmp_path / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(empty_sqlite, path)
        return f"sqlite:///{path}"

    return new_sqlite
