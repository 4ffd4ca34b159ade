"""Migration 0006 (moderation sessions) on a database made before it (0003): the data and
its moderations are kept, read as before, and can join a moderation session afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, select

from qa_tui.domain import moderation as mod
from qa_tui.domain import sessions as ses
from qa_tui.domain.lifecycle import complete
from qa_tui.store import models
from qa_tui.store.db import make_engine
from qa_tui.store.history import check_consistency
from qa_tui.store.migrate import alembic_config, current_revision, head_revision, open_store
from qa_tui.workspace import open_workspace
from tests.conftest import frozen_clock
from tests.sync.helpers import copy_as_old, field_states_before_0017
from tests.unit.test_domain import fill, new_eval, tpl  # noqa: F401  (tpl is a fixture)


def _copy_at_0003(source: Path, target: Path) -> None:
    """``target``: a database at schema 0003 holding ``source``'s rows (the columns 0003 has),
    as the previous qa-tui would have written it."""
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    engine.dispose()
    made = open_store(f"sqlite:///{source}", migrate=False)
    states = field_states_before_0017(made)  # one row per field before 0017
    made.dispose()
    old = create_engine(f"sqlite:///{target}")
    new = create_engine(f"sqlite:///{source}")
    with old.begin() as into, new.connect() as out:
        # before 0010 every field state lists its heads
        listed = [{**r, "heads": r["heads"] or f'["{r["winner_id"]}"]'} for r in states]
        copy_as_old(out, into, {"field_states": listed})
    old.dispose()
    new.dispose()


def test_a_0003_database_with_moderations_upgrades_and_joins_a_session(
    workspace: Any,
    tpl: Any,  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    eid = new_eval(workspace)
    fill(workspace, tpl, eid)
    workspace.write(complete, tpl, eid)
    mid = workspace.write(mod.start_moderation, eid, "Sam Moderator", "Head of Service")
    workspace.write(mod.judge, tpl, mid, "planning", "inadequate", "No plan dates.")
    source = Path(str(workspace.store.sqlite_path))
    workspace.close()
    old = tmp_path / "made-by-0003.db"
    _copy_at_0003(source, old)

    store = open_store(f"sqlite:///{old}")  # upgrades, after a backup
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    store.dispose()
    assert list(tmp_path.glob("made-by-0003.db.before-upgrade-0003-*"))

    ws = open_workspace(settings, f"sqlite:///{old}", clock=frozen_clock)
    ws.templates.add(tpl)
    try:
        with ws.store.reader() as s:
            (view,) = mod.moderation_views(s, tpl, eid)
            row = s.get(models.Moderation, mid)
            assert check_consistency(s) == []
        assert (row.session_id, row.revealed, row.feedback_gaps) == ("", False, "")
        assert [(j.item_id, j.moderated_grade) for j in view.judgements] == [
            ("planning", "inadequate")
        ]
        sid = ws.write(ses.create_session, "2026-11-30", "After the upgrade", [("Ann", "")])
        ws.write(ses.add_evaluation, sid, eid)
        with ws.store.reader() as s:
            held = s.scalars(
                select(models.Moderation).where(models.Moderation.evaluation_id == eid)
            )
            assert sorted(m.session_id for m in held) == sorted(["", sid])
            assert check_consistency(s) == []
    finally:
        ws.close()
