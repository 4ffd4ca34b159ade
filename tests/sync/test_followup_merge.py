"""Follow-through merges like everything else: two devices' action updates both survive, and
the QA desk's updates and acknowledgements on an auditor's evaluation reach the laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qa_tui.domain import outcomes
from qa_tui.domain.followup import (
    acknowledge_concern,
    record_action_update,
    record_concern_shares,
)
from qa_tui.store.history import Actor, record_change
from qa_tui.store.migrate import open_store
from qa_tui.store.views import load_view
from qa_tui.sync.direct import sync_now
from tests.sync.helpers import Laptop, consistent, copy_into, make_central, state
from tests.sync.test_retention_and_sync import laptop_settings

ROLES = ("practitioner", "team_manager", "service_manager", "director_social_care")


def _view(store: Any, evaluation_id: str) -> Any:
    with store.reader() as s:
        return load_view(s, evaluation_id)


def _complete(laptop: Laptop, evaluation_id: str) -> None:
    def done(s: Any, actor: Actor) -> None:
        record_change(s, actor, "evaluation", evaluation_id, evaluation_id, "status", "completed")

    laptop.do(done)


def test_concurrent_action_updates_both_survive_a_merge(make_db: Any, tmp_path: Path) -> None:
    owner = Laptop(make_db(), tmp_path, "Jo Reilly")
    desk = Laptop(make_db(), tmp_path, "QA Officer")
    evaluation_id = owner.new_evaluation("LCS-100200")
    action_id = owner.do(
        outcomes.add_action, evaluation_id, "Update the plan", "Jo Reilly", "2026-12-01"
    )
    _complete(owner, evaluation_id)
    copy_into(desk.store, owner.store)
    # Independently: the owner finishes it on the laptop, the QA team notes progress.
    owner.do(
        record_action_update, action_id, "done", "Plan rewritten with the family.", "2026-11-28"
    )
    desk.do(
        record_action_update, action_id, "in_progress", "Chased at the QA meeting.", "2026-11-27"
    )
    copy_into(desk.store, owner.store)
    copy_into(owner.store, desk.store)
    for store in (owner.store, desk.store):
        view = _view(store, evaluation_id)
        notes = sorted(u.note for u in view.updates[action_id])
        assert notes == ["Chased at the QA meeting.", "Plan rewritten with the family."]
        action = view.actions[0]
        assert (action.current_status, str(action.status_on)) == ("done", "2026-11-28")
        assert consistent(store) == []
    assert state(owner.store) == state(desk.store)
    # The same day on both: the later Lamport counter wins, on both databases alike.
    owner.do(
        record_action_update, action_id, "in_progress", "Reopened: one task left.", "2026-11-29"
    )
    desk.do(record_action_update, action_id, "done", "Confirmed in supervision.", "2026-11-29")
    copy_into(desk.store, owner.store)
    copy_into(owner.store, desk.store)
    assert state(owner.store) == state(desk.store)
    assert consistent(owner.store) == [] and consistent(desk.store) == []
    for store in (owner.store, desk.store):
        assert len(_view(store, evaluation_id).updates[action_id]) == 4
    owner.store.dispose()
    desk.store.dispose()


def test_the_qa_desk_updates_reach_the_laptop(make_db: Any, tmp_path: Path, settings: Any) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    evaluation_id = laptop.new_evaluation("LCS-300400")
    action_id = laptop.do(
        outcomes.add_action, evaluation_id, "Book the network meeting", "Sam Lee", "2026-11-01"
    )
    laptop.do(outcomes.set_concern, evaluation_id, True, "Disclosure at the visit.")
    laptop.do(record_concern_shares, evaluation_id, [(r, "") for r in ROLES], "2026-11-20", "email")
    _complete(laptop, evaluation_id)
    own = laptop_settings(laptop, settings)
    sync_now(laptop.store, own, central.url)
    qa = Laptop.__new__(Laptop)
    qa.store, qa.actor = central, Actor("QA Officer", "0e0e0e0e-0000-4000-8000-000000000000")
    qa.do(acknowledge_concern, evaluation_id, "team_manager", "Kim Lloyd", "2026-11-21")
    qa.do(record_action_update, action_id, "done", "Meeting held.", "2026-11-22")
    report = sync_now(laptop.store, own, central.url)
    assert report.pulled_changes > 0
    view = _view(laptop.store, evaluation_id)
    assert [e.person_name for e in view.concern_events] == ["Kim Lloyd"]
    assert view.actions[0].current_status == "done"
    assert state(laptop.store) == state(central)
    assert consistent(laptop.store) == []
    central.dispose()
    laptop.store.dispose()


def test_an_update_naming_another_evaluations_action_changes_nothing(
    make_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evaluation B carries an action update whose action is evaluation A's (its creation
    rewritten). A bundle with it is refused now (``test_attacks.py``); a database that took
    one before (the refusal switched off here) must still not count it: merged with A in one
    batch, it is not A's update — A's action keeps the status it has merged alone, every
    database agrees, and A's view does not show it (nor B's, under B's own action). (Updates
    were matched to actions by the action's id alone within the evaluations derived
    together, so A's status followed B's update only when the two were merged in the same
    batch: the state depended on the batching.)"""
    import json

    from qa_tui.sync import aggregates as checks
    from tests.sync.helpers import aggregates

    monkeypatch.setattr(checks, "_naming_a_stranger", lambda *_: None)

    laptop = Laptop(make_db(), tmp_path, "Jo Reilly")
    first = laptop.new_evaluation("LCS-100300")
    theirs = laptop.do(outcomes.add_action, first, "Update the plan", "Jo Reilly", "2026-12-01")
    _complete(laptop, first)
    second = laptop.new_evaluation("LCS-100301")
    ours = laptop.do(outcomes.add_action, second, "Visit the school", "Jo Reilly", "2026-12-01")
    _complete(laptop, second)
    laptop.do(record_action_update, ours, "done", "Finished.", "2026-11-28")
    aggs = {a.evaluation_id: a for a in aggregates(laptop.store)}
    for change in aggs[second].changes:
        if change["entity_type"] == "action_update" and change["field"] == "_create":
            value = json.loads(change["value"])
            change["value"] = json.dumps({**value, "action_id": theirs}, separators=(",", ":"))
    alone, together = open_store(make_db()), open_store(make_db())
    try:
        copy_into(alone, [aggs[first]])
        copy_into(alone, [aggs[second]])
        copy_into(together, [aggs[first], aggs[second]])  # one batch
        for store in (alone, together):
            view = _view(store, first)
            assert view.actions[0].current_status != "done"
            assert not view.updates[theirs]
            assert not _view(store, second).updates[ours]  # the update named A's action
            assert consistent(store) == []
        assert state(together) == state(alone)
    finally:
        alone.dispose()
        together.dispose()
