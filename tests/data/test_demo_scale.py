"""Demo data at scale: progress as it goes, and indexes deferred into an empty database and
always built again — after a run, and after a run cut short."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qa_tui.store import models
from qa_tui.store.bulk import DEFERRED_KEY, indexes_deferred, restore_indexes


def _indexes(ws: Any) -> set[str]:
    with ws.store.reader() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        return {str(r[0]) for r in rows}


def test_progress_counts_every_evaluation_and_indexes_come_back(workspace: Any) -> None:
    from qa_tui.demo import generate

    before = _indexes(workspace)
    assert len(before) > 10
    told: list[int] = []
    generate(workspace, 7, 3, told.append)
    assert sum(told) == 7
    assert _indexes(workspace) == before
    with workspace.store.reader() as session:
        assert session.get(models.Meta, DEFERRED_KEY) is None
        assert len(session.scalars(select(models.Evaluation.id)).all()) == 7
    generate(workspace, 3, 4, told.append)  # not empty now: nothing deferred
    assert sum(told) == 10 and _indexes(workspace) == before


def test_a_run_cut_short_gets_its_indexes_back(workspace: Any) -> None:
    before = _indexes(workspace)
    with pytest.raises(KeyboardInterrupt), indexes_deferred(workspace.store):
        assert _indexes(workspace) == set()
        raise KeyboardInterrupt
    assert _indexes(workspace) == before
    # A process killed outright never reaches the finally: the next run mends it.
    with workspace.store.session() as session:
        statements = sorted(before)
        session.merge(models.Meta(key=DEFERRED_KEY, value=__import__("json").dumps(statements)))
        for sql in statements:
            session.connection().exec_driver_sql(f"DROP INDEX {sql.split(' ON ')[0].split()[-1]}")
    assert _indexes(workspace) == set()
    with workspace.store.session() as session:
        assert restore_indexes(session) == len(before)
    assert _indexes(workspace) == before


def test_demo_command_shows_no_bar_when_piped(tmp_path: Path) -> None:
    from qa_tui.cli import main

    url = f"sqlite:///{(tmp_path / 'd.db').as_posix()}"
    done = CliRunner().invoke(main, ["demo", "--db", url, "--evaluations", "3"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().splitlines() == [
        f"Added 3 demo evaluations to {url} "
        "(marked as demo; 'qa-tui demo --remove' takes them away)"
    ]


# A change's writer by its author and device, the writers by theirs: the numbers the writers
# were given follow the order they went in (migration 0020).
_READ = {
    "changes": "SELECT c.*, w.author, w.device_id FROM changes c "
    "JOIN writers w ON w.id = c.writer_id",
    "writers": "SELECT author, device_id FROM writers",
}


def _rows(path: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted (the order they went in is not content)."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        names = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        out = {}
        for n in names:
            rows = connection.execute(_READ.get(n, f'SELECT * FROM "{n}"'))
            if n == "changes":  # without the writer's number
                at = [d[0] for d in rows.description].index("writer_id")
                rows = (r[:at] + r[at + 1 :] for r in rows)
            out[n] = sorted(rows, key=repr)
        return out
    finally:
        connection.close()


def test_batches_committed_while_the_next_is_made_hold_the_same_rows(
    settings: Any, empty_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written in batches of 3 (each committed in a thread while the next is made) or all
    at once, the same seed gives the same database, row for row; progress comes per batch."""
    import shutil

    import qa_tui.demo as demo
    from qa_tui.workspace import open_workspace

    made = {}
    for batch in (3, 500):
        path = tmp_path / f"batch{batch}.db"
        shutil.copyfile(empty_sqlite, path)
        monkeypatch.setattr(demo, "BATCH", batch)
        ws = open_workspace(settings, f"sqlite:///{path.as_posix()}")
        told: list[int] = []
        try:
            demo.generate(ws, 8, 5, told.append)
        finally:
            ws.close()
        assert told == ([3, 3, 2] if batch == 3 else [8])
        made[batch] = _rows(str(path))
    assert made[3]["evaluations"] and made[3]["changes"]
    assert made[3] == made[500]
