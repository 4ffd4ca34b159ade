"""Direct sync acknowledges what the central database holds; only that is ever purged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qa_tui.config import Settings
from qa_tui.domain import outcomes
from qa_tui.store import models
from qa_tui.store.history import record_change
from qa_tui.store.sync_models import SyncAck
from qa_tui.sync.acks import unacknowledged
from qa_tui.sync.direct import sync_now
from qa_tui.sync.errors import SyncError
from qa_tui.sync.retention import purge_expired
from tests.sync.helpers import Laptop, make_central, state


def laptop_settings(laptop: Laptop, settings: Settings) -> Settings:
    """The test's settings, naming the laptop's device and auditor."""
    return settings.with_changes(device_id=laptop.device_id, auditor_name=laptop.actor.author)


def _complete(laptop: Laptop, evaluation_id: str) -> None:
    def done(s, actor):
        record_change(s, actor, "evaluation", evaluation_id, evaluation_id, "status", "completed")
        record_change(
            s,
            actor,
            "evaluation",
            evaluation_id,
            evaluation_id,
            "completed_at",
            "2026-01-01T00:00:00.000+00:00",
        )

    laptop.do(done)


def test_sync_acknowledges_and_purge_keeps_the_unacknowledged(
    make_db, tmp_path: Path, settings
) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    synced, edited, never = (laptop.new_evaluation(f"ABC-{n}0000") for n in (1, 2, 3))
    for evaluation_id in (synced, edited, never):
        _complete(laptop, evaluation_id)
    own = laptop_settings(laptop, settings)
    with laptop.store.reader() as s:
        assert len(unacknowledged(s)) == 3
    report = sync_now(laptop.store, own, central.url)
    assert report.pushed_evaluations == 3 and report.acknowledged == 3
    with laptop.store.reader() as s:
        assert unacknowledged(s) == []
    assert sync_now(laptop.store, own, central.url).pushed_changes == 0  # nothing new: nothing sent
    laptop.do(lambda s, a: record_change(s, a, "evaluation", edited, edited, "theme", "late"))
    with laptop.store.session() as s:
        s.delete(s.get(SyncAck, never))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with laptop.store.session() as s:
        assert purge_expired(s, 90, dt.datetime.now(dt.UTC)).purged == []  # too recent
        report = purge_expired(s, 90, later)
    assert report.purged == [synced] and report.kept_unacknowledged == 2
    with laptop.store.reader() as s:
        assert s.get(models.Evaluation, synced) is None
        assert s.get(models.Evaluation, edited) is not None
    with central.reader() as s:
        assert s.get(models.Evaluation, synced) is not None
    # A later sync does not bring the purged evaluation back.
    sync_now(laptop.store, own, central.url)
    with laptop.store.reader() as s:
        assert s.get(models.Evaluation, synced) is None
    with central.session() as s, pytest.raises(SyncError):
        purge_expired(s, 90, later)
    central.dispose()
    laptop.store.dispose()


def test_sync_pulls_changes_made_centrally(make_db, tmp_path: Path, settings) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    evaluation_id = laptop.new_evaluation("ABC-12345")
    own = laptop_settings(laptop, settings)
    sync_now(laptop.store, own, central.url)
    qa = Laptop.__new__(Laptop)
    qa.store, qa.actor = central, laptop.actor.__class__("QA Officer", laptop.device_id)
    qa.do(outcomes.add_action, evaluation_id, "Review the plan", "Alex Auditor", "2026-12-01")
    report = sync_now(laptop.store, own, central.url)
    assert report.pulled_changes > 0
    assert state(laptop.store) == state(central)
    central.dispose()
    laptop.store.dispose()


def test_a_long_sync_tells_how_far_it_is(
    make_db, tmp_path: Path, settings: Settings, monkeypatch
) -> None:
    """The Sync screen's progress: the push counts evaluations as its batches commit, then the
    pull is announced; the counts only grow and end at the total."""
    from qa_tui.sync import batching

    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    for n in range(12):
        laptop.new_evaluation(f"ABC-{40000 + n}")
    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 1)  # one evaluation, then more
    told: list[str] = []
    report = sync_now(laptop.store, laptop_settings(laptop, settings), central.url, told.append)
    assert report.pushed_evaluations == 12
    sent = [int(t.split(": ")[1].split(" of ")[0]) for t in told if t.startswith("Sending")]
    assert sent[0] == 0 and sent[-1] == 12 and sent == sorted(sent) and len(sent) > 2, told
    assert all(t.endswith(" of 12") for t in told[:-1]), told
    assert told[-1] == "Bringing back what this laptop needs"
    central.dispose()
    laptop.store.dispose()


def test_a_change_made_while_a_sync_runs_is_not_taken_for_delivered(
    make_db, tmp_path: Path, settings: Settings, monkeypatch
) -> None:
    """A change saved on the laptop after the push read the history, before the pull: the
    central database does not hold it, so its evaluation stays unacknowledged (never purged
    for it) and the next sync delivers it."""
    from qa_tui.domain import evaluation as ev
    from qa_tui.sync import direct

    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    evaluation_id = laptop.new_evaluation("ABC-50000")
    pull = direct._pull

    def typed_meanwhile(*args, **kwargs) -> None:
        laptop.do(ev.update_details, evaluation_id, {"team": "Locality East"}, ".*")
        pull(*args, **kwargs)

    monkeypatch.setattr(direct, "_pull", typed_meanwhile)
    sync_now(laptop.store, laptop_settings(laptop, settings), central.url)
    monkeypatch.setattr(direct, "_pull", pull)
    with laptop.store.reader() as s:
        assert unacknowledged(s) == [evaluation_id]
    again = sync_now(laptop.store, laptop_settings(laptop, settings), central.url)
    assert again.pushed_changes == 1
    with laptop.store.reader() as s:
        assert unacknowledged(s) == []
    with central.reader() as s:
        assert s.get(models.Evaluation, evaluation_id).team == "Locality East"
    central.dispose()
    laptop.store.dispose()
