"""The store: every record type round trip, the change history, durability settings, bad files."""

from __future__ import annotations

import contextlib
import json
import os
import random
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.domain.lifecycle import complete, reopen
from qa_tui.domain.moderation import judge, start_moderation
from qa_tui.domain.views import load_view
from qa_tui.errors import QaError, StoreError
from qa_tui.store import models
from qa_tui.store.entities import ENTITY_TYPES
from qa_tui.store.history import check_consistency, read_clock
from qa_tui.store.migrate import open_store
from tests.unit.test_domain import PATTERN, fill, new_eval

POSIX = os.name == "posix"
AS_ROOT = POSIX and os.geteuid() == 0


@pytest.fixture
def tpl(workspace: Any) -> Any:
    from qa_tui.framework.loader import load_template_text
    from tests.unit.test_domain import SMALL

    template = load_template_text(SMALL, "small.toml")
    workspace.templates.add(template)
    return template


def changes(ws: Any) -> list[models.Change]:
    with ws.store.reader() as session:
        return list(session.scalars(select(models.Change).order_by(models.Change.counter)))


def test_every_record_type_round_trips(workspace: Any, tpl: Any) -> None:
    eid = new_eval(workspace)
    fill(workspace, tpl, eid, concern=True)
    workspace.write(complete, tpl, eid)
    moderation = workspace.write(start_moderation, eid, "Sam Moderator")
    workspace.write(judge, tpl, moderation, "planning", "inadequate", "No dates.")
    # A moderation session, its moderator and a blind grade (records of another aggregate).
    from qa_tui.domain import sessions

    sid = workspace.write(sessions.create_session, "2026-11-30", "", [("Sam Moderator", "")])
    workspace.write(sessions.add_evaluation, sid, eid)
    who = sessions.moderator_id(sid, "Sam Moderator")
    workspace.write(sessions.set_blind_grade, tpl, sid, who, eid, "planning", "good")
    workspace.write(reopen, eid, "More evidence")
    with workspace.store.reader() as session:
        view = load_view(session, eid)
        counts = {
            name: len(session.scalars(select(e.model)).all()) for name, e in ENTITY_TYPES.items()
        }
    assert all(counts.values()), counts
    assert view.evaluation.team == "CIN Team"
    assert view.responses["plan_smart"].answer is False
    assert [e.text for e in view.entries["worries"]] == [
        "Danger statement: Dad's drinking.",
        "Small network.",
    ]
    assert {s.score for s in view.scales["safety_scale"]} == {6}
    assert view.feedback["child_voice"][0].given_by == "the child"
    assert view.actions[0].due_date.isoformat() == "2026-12-31"
    assert len(view.shares) == 4
    assert [e.kind for e in view.events] == ["completed", "reopened"]


def test_each_change_is_in_the_history(workspace: Any, settings: Any, tpl: Any) -> None:
    eid = new_eval(workspace)
    for words in ("Seen alone.", "Seen alone twice.", "Seen alone twice; words and pictures."):
        workspace.write(ev.set_response, tpl, eid, "assessment", evidence=words)
    workspace.write(ev.set_response, tpl, eid, "assessment", evidence=words)  # no change
    history = [c for c in changes(workspace) if c.field == "evidence"]
    assert [json.loads(c.value) for c in history] == [
        "Seen alone.",
        "Seen alone twice.",
        "Seen alone twice; words and pictures.",
    ]
    assert [c.old_value and json.loads(c.old_value) for c in history] == [
        None,
        "Seen alone.",
        "Seen alone twice.",
    ]
    assert [json.loads(c.supersedes) for c in history] == [[], [history[0].id], [history[1].id]]
    for change in history:
        assert (change.author, change.device_id) == ("Alex Auditor", settings.device_id)
        assert change.wall_time == "2026-11-20T10:30:00.000+00:00"
    with workspace.store.reader() as session:
        links = set(
            session.execute(
                select(models.ChangeLink.change_id, models.ChangeLink.supersedes_id)
            ).all()
        )
    assert (history[2].id, history[1].id) in links


def test_counters_strictly_increase(workspace: Any, tpl: Any) -> None:
    eid = new_eval(workspace)
    fill(workspace, tpl, eid)
    counters = [c.counter for c in changes(workspace)]
    assert counters == sorted(set(counters))
    with workspace.store.reader() as session:
        assert read_clock(session) == counters[-1]


def _random_step(ws: Any, t: Any, eid: str, rng: random.Random) -> None:
    with ws.store.reader() as session:
        view = load_view(session, eid)
    entries = [e for es in view.entries.values() for e in es]
    words = rng.choice(["a", "b", "Mum", "[b]x[/b]", "\x1b[1m", ""]) * rng.randint(1, 3)
    steps = [
        lambda: ws.write(ev.add_entry, t, eid, rng.choice(["worries", "working_well"]), words),
        lambda: ws.write(
            ev.set_response,
            t,
            eid,
            "assessment",
            grade=rng.choice(["good", "inadequate", ""]),
            evidence=words,
        ),
        lambda: ws.write(outcomes.add_action, eid, words or "x", "Jo", "2026-12-01"),
        lambda: ws.write(ev.add_participant, eid, words or "Dad", "Parent"),
        lambda: ws.write(outcomes.set_concern, eid, rng.choice([True, False, None]), words),
    ]
    if entries:
        entry = rng.choice(entries).id
        steps += [
            lambda: ws.write(ev.edit_entry, entry, words),
            lambda: ws.write(ev.move_entry, entry, rng.choice([-1, 1])),
            lambda: ws.write(ev.remove_entry, entry),
        ]
    if view.participants:
        person = rng.choice(view.participants).id
        steps.append(
            lambda: ws.write(
                ev.set_scale, t, eid, "safety_scale", person, rng.randint(0, 10), words
            )
        )
    if view.actions:
        action = rng.choice(view.actions).id
        steps.append(
            lambda: ws.write(
                outcomes.update_action, action, status=rng.choice(["open", "in_progress", "done"])
            )
        )
    rng.choice(steps)()


def test_state_rebuilt_from_history_equals_stored_state(workspace: Any, tpl: Any) -> None:
    rng = random.Random(20261120)
    evals = [new_eval(workspace) for _ in range(3)]
    for _ in range(300):
        # Refused input changes nothing; the consistency check below proves it.
        with contextlib.suppress(QaError):
            _random_step(workspace, tpl, rng.choice(evals), rng)
    fill(workspace, tpl, evals[0])
    workspace.write(complete, tpl, evals[0])
    workspace.write(reopen, evals[0], "again")
    with workspace.store.reader() as session:
        assert check_consistency(session) == []
        assert len(session.scalars(select(models.Change)).all()) > 300


def test_durability_pragmas_are_on(workspace: Any) -> None:
    with workspace.store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_database_file_is_private(workspace: Any, tpl: Any) -> None:
    new_eval(workspace)
    path = workspace.store.sqlite_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for side in ("-wal", "-shm"):
        extra = Path(f"{path}{side}")
        if extra.exists():
            assert stat.S_IMODE(extra.stat().st_mode) == 0o600


@pytest.mark.parametrize("header", [b"", b"SQLite format 3\x00"], ids=["random", "bad-body"])
def test_corrupt_database_is_refused_and_left_untouched(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "qa.db"
    path.write_bytes(header + random.Random(1).randbytes(8192))
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{path}")
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qa.db"]


def test_unwritable_data_directory_is_a_store_error(tmp_path: Path) -> None:
    if AS_ROOT:  # root writes anywhere: use a file where the folder should be
        (tmp_path / "blocker").write_text("x")
        folder = tmp_path / "blocker" / "data"
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    with pytest.raises(StoreError, match="cannot create the database there"):
        open_store(f"sqlite:///{folder / 'qa.db'}")


def test_not_a_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        open_store("nonsense://")
    with pytest.raises(StoreError):
        open_store("not a url at all")


def test_update_details_unknown_field_is_refused(workspace: Any, tpl: Any) -> None:
    eid = new_eval(workspace)
    with pytest.raises(QaError, match="not a case detail"):
        workspace.write(ev.update_details, eid, {"colour": "red"}, PATTERN)
