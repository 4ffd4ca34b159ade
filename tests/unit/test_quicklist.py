"""The start-up fast path reads exactly what the SQLAlchemy query reads, at the schema Alembic
would bring the database to."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from qa_tui.store.migrate import alembic_config
from qa_tui.store.quicklist import quick_runner, sqlite_file
from qa_tui.store.revisions import head_revision, known_revisions


def test_revisions_read_from_the_scripts_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}


def test_quick_list_declines_what_it_cannot_answer(tmp_path: Path) -> None:
    assert quick_runner(tmp_path / "absent.db") is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 10)
    assert quick_runner(junk) is None
    assert junk.read_bytes() == b"not a database at all" * 10
    assert sqlite_file("postgresql+psycopg://h/db") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("sqlite:////tmp/x.db") == Path("/tmp/x.db")
