"""The start-up fast path reads exactly what the SQLAlchemy query reads."""

from __future__ import annotations

from pathlib import Path

from qa_tui.store.migrate import head_revision
from qa_tui.store.queries import list_evaluations
from qa_tui.store.quicklist import HEAD_REVISION, quick_list, sqlite_file


def test_head_revision_constant_matches_alembic() -> None:
    assert head_revision() == HEAD_REVISION


def test_quick_list_equals_list_evaluations(workspace, tmp_path: Path) -> None:
    from qa_tui.demo import generate

    generate(workspace, 25, seed=5)
    expected = workspace.read(list_evaluations)
    path = sqlite_file(workspace.store.url)
    assert path is not None
    assert quick_list(path) == expected
    assert len(expected) == 25


def test_quick_list_declines_what_it_cannot_answer(tmp_path: Path) -> None:
    assert quick_list(tmp_path / "absent.db") is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 10)
    assert quick_list(junk) is None
    assert junk.read_bytes() == b"not a database at all" * 10
    assert sqlite_file("postgresql+psycopg://h/db") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("sqlite:////tmp/x.db") == Path("/tmp/x.db")
