"""The board's programme in the core and on the command line: meetings with their reporting
deadlines, the thematic programme, systemic actions with progress updates and evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from qa_tui.cli import main
from qa_tui.domain import board
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.services.board import BoardService
from qa_tui.services.planning import PlanningService
from qa_tui.store.history import check_consistency


def test_meetings_actions_and_updates(workspace: Any) -> None:
    service = BoardService(workspace)  # today is 20 November 2026
    first = service.add_meeting("2026-12-10")
    service.add_meeting("2026-10-08", "October board", "2026-09-30")
    service.add_meeting("2027-01-14")
    thematic = PlanningService(workspace).create("thematic", "Neglect", "2026-09-01")
    late = service.add_action("Plans reviewed before conference", "Head of CP", "2026-11-01")
    later = service.add_action(
        "Supervision records the child's voice", "PSW", "2027-02-01", thematic
    )
    service.update_action(late, "in_progress", "Template agreed")
    service.update_action(later, "done", "Audit in January", evidence="18 of 20 now do")
    found = service.programme()
    assert [(m.held_on.isoformat(), m.report_deadline.isoformat()) for m in found.meetings] == [
        ("2026-10-08", "2026-09-30"),
        ("2026-12-10", "2026-11-26"),  # two weeks before, unless said
    ]
    assert found.meetings[1].id == first
    assert found.meetings[1].title == "Quality, Performance and Impact Board, 10 December 2026"
    assert [p.title for p in found.thematic] == ["Neglect"]
    assert [(a.id, a.status, a.overdue, a.last_update) for a in found.actions] == [
        (late, "in_progress", True, "Template agreed"),
        (later, "done", False, "Audit in January"),
    ]
    assert found.actions[1].evidence == "18 of 20 now do" and found.actions[1].plan_id
    with workspace.store.reader() as s:
        assert check_consistency(s) == []


def test_bad_input_is_refused(workspace: Any) -> None:
    service = BoardService(workspace)
    with pytest.raises(ValidationError, match="after the meeting"):
        service.add_meeting("2026-12-10", "", "2026-12-11")
    with pytest.raises(ValidationError, match="not a date"):
        service.add_meeting("next Tuesday")
    with pytest.raises(ValidationError, match="Owner"):
        service.add_action("Something", " ", None)
    with pytest.raises(NotFoundError):
        service.add_action("Something", "Someone", None, "no-such-plan")
    action = service.add_action("Something", "Someone", None)
    with pytest.raises(ValidationError, match="Status"):
        service.update_action(action, "finished", "Done")
    with pytest.raises(ValidationError, match="say what has happened"):
        service.update_action(action, "done", "  ")
    with workspace.store.reader() as s:
        assert board.board_actions(s, BoardService(workspace).today())[0].updates == 0


def test_the_board_from_the_command_line(workspace: Any, db_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(main, [*args, "--db", db_url])
        assert done.exit_code == 0, done.output
        return done.output

    run("board", "meeting", "--date", "2026-12-10")
    action = run(
        "board",
        "action",
        "--description",
        "Plans reviewed",
        "--owner",
        "Head of CP",
        "--due",
        "2026-11-01",
    ).strip()
    run("board", "update", action, "--status", "in_progress", "--note", "Template agreed")
    shown = run("board")
    assert "2026-12-10  (reports 2026-11-26)" in shown
    assert f"{action}  2026-11-01 OVERDUE  in_progress" in shown
    data = json.loads(runner.invoke(main, ["board", "--db", db_url, "--format", "json"]).output)
    assert data["actions"][0]["last_update"] == "Template agreed"
    refused = runner.invoke(
        main, ["board", "update", action, "--status", "done", "--note", "", "--db", db_url]
    )
    assert refused.exit_code == 1 and "say what has happened" in refused.output
