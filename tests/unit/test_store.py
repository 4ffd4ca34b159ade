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
from qa_tui.domain.followup import (
    acknowledge_concern,
    close_concern,
    record_action_update,
    record_summary_shares,
)
from qa_tui.domain.lifecycle import complete, reopen
from qa_tui.domain.moderation import judge, start_moderation
from qa_tui.errors import QaError, StoreError
from qa_tui.store import models
from qa_tui.store.entities import ENTITY_TYPES
from qa_tui.store.handed_over import handing_over
from qa_tui.store.history import check_consistency, read_clock
from qa_tui.store.migrate import open_store
from qa_tui.store.views import load_view
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


def load_view_ws_actions(ws: Any, eid: str) -> list[str]:
    with ws.store.reader() as session:
        return [a.id for a in load_view(session, eid).actions]


def test_every_record_type_round_trips(workspace: Any, tpl: Any) -> None:
    evaluation_id = new_eval(workspace)
    fill(workspace, tpl, evaluation_id, concern=True)
    workspace.write(complete, tpl, evaluation_id)
    action = load_view_ws_actions(workspace, evaluation_id)[0]
    workspace.write(record_action_update, action, "done", "Plan rewritten.", "2026-11-25")
    workspace.write(acknowledge_concern, evaluation_id, "team_manager", "Kim Lloyd", "2026-11-22")
    workspace.write(
        close_concern, evaluation_id, "Strategy meeting held; plan updated.", "2026-11-26"
    )
    workspace.write(record_summary_shares, evaluation_id, [("child_record", "")], None, "attached")
    moderation = workspace.write(start_moderation, evaluation_id, "Sam Moderator")
    workspace.write(judge, tpl, moderation, "planning", "inadequate", "No dates.")
    # A moderation session, its moderator and a blind grade (records of another aggregate).
    from qa_tui.domain import sessions

    session_id = workspace.write(sessions.create_session, "2026-11-30", "", [("Sam Moderator", "")])
    workspace.write(sessions.add_evaluation, session_id, evaluation_id)
    who = sessions.moderator_id(session_id, "Sam Moderator")
    workspace.write(
        sessions.set_blind_grade, tpl, session_id, who, evaluation_id, "planning", "good"
    )
    workspace.write(reopen, evaluation_id, "More evidence")
    # A plan, a manager of its review group and an allocation (a third kind of aggregate).
    from qa_tui.domain import plans

    plan_id = workspace.write(plans.create_plan, "practice_day", "Practice day", "2026-12-03")
    workspace.write(plans.put_member, plan_id, plans.MemberInput("Sam Moderator"))
    workspace.write(plans.add_cases, plan_id, [plans.PlannedCase("LCS-204817")], PATTERN)
    # The board's meeting, a systemic action and its progress (two more kinds of aggregate).
    from qa_tui.domain import board

    workspace.write(board.add_meeting, "2026-12-10")
    board_action = workspace.write(board.add_action, "Plans reviewed", "Head of CP", None)
    workspace.write(board.record_update, board_action, "in_progress", "Template agreed")
    with workspace.store.reader() as session:
        view = load_view(session, evaluation_id)
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
    assert (view.actions[0].current_status, str(view.actions[0].status_on)) == (
        "done",
        "2026-11-25",
    )
    assert [e.kind for e in view.concern_events] == ["acknowledged", "closed"]
    assert [s.recipient_role for s in view.summary_shares] == ["child_record"]
    with workspace.store.reader() as session:
        assert check_consistency(session) == []


def test_each_change_is_in_the_history(workspace: Any, settings: Any, tpl: Any) -> None:
    evaluation_id = new_eval(workspace)
    for words in ("Seen alone.", "Seen alone twice.", "Seen alone twice; words and pictures."):
        workspace.write(ev.set_response, tpl, evaluation_id, "assessment", evidence=words)
        with handing_over(workspace.store.engine):  # sent: the next save is a change of its own
            pass
    workspace.write(ev.set_response, tpl, evaluation_id, "assessment", evidence=words)  # no change
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
        link = models.ChangeLink
        links = set(
            session.execute(select(link.evaluation_id, link.change_id, link.supersedes_id)).all()
        )
    assert (evaluation_id, history[2].id, history[1].id) in links  # keyed by its aggregate


def test_counters_strictly_increase(workspace: Any, tpl: Any) -> None:
    evaluation_id = new_eval(workspace)
    fill(workspace, tpl, evaluation_id)
    counters = [c.counter for c in changes(workspace)]
    assert counters == sorted(set(counters))
    with workspace.store.reader() as session:
        assert read_clock(session) == counters[-1]


def _random_step(ws: Any, t: Any, evaluation_id: str, rng: random.Random) -> None:
    with ws.store.reader() as session:
        view = load_view(session, evaluation_id)
    entries = [e for es in view.entries.values() for e in es]
    words = rng.choice(["a", "b", "Mum", "[b]x[/b]", "\x1b[1m", ""]) * rng.randint(1, 3)
    steps = [
        lambda: ws.write(
            ev.add_entry, t, evaluation_id, rng.choice(["worries", "working_well"]), words
        ),
        lambda: ws.write(
            ev.set_response,
            t,
            evaluation_id,
            "assessment",
            grade=rng.choice(["good", "inadequate", ""]),
            evidence=words,
        ),
        lambda: ws.write(outcomes.add_action, evaluation_id, words or "x", "Jo", "2026-12-01"),
        lambda: ws.write(ev.add_participant, evaluation_id, words or "Dad", "Parent"),
        lambda: ws.write(
            outcomes.set_concern, evaluation_id, rng.choice([True, False, None]), words
        ),
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
                ev.set_scale, t, evaluation_id, "safety_scale", person, rng.randint(0, 10), words
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


def test_a_screen_asks_whether_anything_was_written_since_it_read(
    workspace: Any, tpl: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = workspace.read(read_clock)
    assert not workspace.written_since(before)
    new_eval(workspace)
    assert workspace.written_since(before)
    now = workspace.read(read_clock)
    assert not workspace.written_since(now)

    def unreadable(*_args: Any, **_kwargs: Any) -> None:
        raise StoreError("the database is locked")

    monkeypatch.setattr(workspace, "read", unreadable)  # cannot tell: read again, never stale
    assert workspace.written_since(now)


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
    evaluation_id = new_eval(workspace)
    with pytest.raises(QaError, match="not a case detail"):
        workspace.write(ev.update_details, evaluation_id, {"colour": "red"}, PATTERN)


def test_saves_before_a_hand_over_amend_one_change(workspace: Any, tpl: Any) -> None:
    """Free text saved as it is typed, nothing handed over between: one change holding the last
    words (its old value the one before typing began); a grade keeps one change a save."""
    evaluation_id = new_eval(workspace)
    for words in ("Seen alone.", "Seen alone twice.", "Seen alone twice; words and pictures."):
        workspace.write(ev.set_response, tpl, evaluation_id, "assessment", evidence=words)
    for grade in ("good", "inadequate"):
        workspace.write(ev.set_response, tpl, evaluation_id, "assessment", grade=grade)
    evidence = [c for c in changes(workspace) if c.field == "evidence"]
    assert [(json.loads(c.value), c.old_value) for c in evidence] == [
        ("Seen alone twice; words and pictures.", None)
    ]
    assert [json.loads(c.value) for c in changes(workspace) if c.field == "grade"] == [
        "good",
        "inadequate",
    ]
    with workspace.store.reader() as session:
        assert check_consistency(session) == []
