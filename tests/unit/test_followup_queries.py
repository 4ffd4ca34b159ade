"""The follow-through lists: paging continues where a page ended, and a superseded query
stops at once (a filter keystroke replaced it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qa_tui.demo import generate
from qa_tui.store import followup_queries
from qa_tui.store.followup_concerns import list_open_concerns, list_unshared_summaries
from qa_tui.store.followup_queries import (
    ActionFilter,
    Superseded,
    count_actions,
    list_actions,
)

TODAY = dt.date(2026, 11, 20)


def test_pages_follow_on_and_filters_hold(workspace: Any) -> None:
    generate(workspace, 60, 3)
    flt = ActionFilter(today=TODAY)
    every = workspace.read(list_actions, flt, None, None)
    first = workspace.read(list_actions, flt, None, 10)
    second = workspace.read(list_actions, flt, first[-1].sort_key, 10)
    assert [a.id for a in first + second] == [a.id for a in every[:20]]
    assert [a.sort_key for a in every] == sorted(a.sort_key for a in every)
    assert workspace.read(count_actions, flt) == len(every)
    overdue = workspace.read(list_actions, ActionFilter(overdue=True, today=TODAY), None, None)
    assert overdue and all(a.overdue and a.due_date < TODAY for a in overdue)
    team = every[0].team
    by_team = workspace.read(list_actions, ActionFilter(words=(team.lower(),), today=TODAY))
    assert by_team and all(team in (a.team + a.owner + a.description) for a in by_team)
    concerns = workspace.read(list_open_concerns, 0, None)
    fully = [c.fully_shared for c in concerns]
    assert fully == sorted(fully)  # those not yet shared with all four come first
    unshared = workspace.read(list_unshared_summaries, 0, None)
    assert all(u.completed_at for u in unshared)
    # A filter word is matched in the database: the last of the list is found on a page of one.
    last = unshared[-1]
    found = workspace.read(list_unshared_summaries, 0, 1, (last.case_reference.upper(),))
    assert [u.evaluation_id for u in found] == [last.evaluation_id]
    both = workspace.read(list_unshared_summaries, 0, None, (last.team.lower(), "zzz-nothing"))
    assert both == []


def test_a_superseded_query_stops(workspace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(workspace, 60, 3)
    monkeypatch.setattr(followup_queries, "STOP_EVERY", 2_000)  # asked often, for a small db
    # A common word (each action's evaluation looked up) and one nothing matches: a query
    # long enough for the progress handler to be asked (every 2,000 SQLite steps).
    flt = ActionFilter(words=("e", "zzz-nothing"), today=TODAY)
    with pytest.raises(Superseded):
        workspace.read(list_actions, flt, None, 100, lambda: True)
    assert workspace.read(list_actions, flt, None, 100, lambda: False) == []


def test_words_match_as_python_does_ignoring_case(workspace: Any) -> None:
    """Each word is found in the owner, the action or its evaluation, whatever the case
    (SQLite's own LIKE, as the filter now says it), and %, _ and \\ are plain characters."""
    generate(workspace, 60, 3)
    every = workspace.read(list_actions, ActionFilter(today=TODAY), None, None)

    def text(a: Any) -> str:
        return "\n".join((a.owner, a.description, a.team, a.service_area, a.case_reference))

    for word in ("north", "NORTH", "Lcs-", "review", "%", "_", "\\", "a_b"):
        found = workspace.read(list_actions, ActionFilter(words=(word,), today=TODAY), None, None)
        assert [a.id for a in found] == [a.id for a in every if word.lower() in text(a).lower()]
    assert workspace.read(list_actions, ActionFilter(words=("north",), today=TODAY), None, None)
