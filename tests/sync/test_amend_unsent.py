"""A local change not yet handed over is amended by the next save of the same field by the same
author (qa_tui.store.handed_over): a text autosaved at every pause leaves one change; once read
for an export or a sync, a change never changes again (both backends)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select

from qa_tui.config import Settings
from qa_tui.domain import evaluation as ev
from qa_tui.store import models
from qa_tui.sync.acks import unacknowledged
from qa_tui.sync.central import merge_bundle_file
from qa_tui.sync.direct import sync_now
from qa_tui.sync.handover import export_bundle
from tests.sync.helpers import TEMPLATE, Laptop, consistent, make_central

ITEM = next(i.id for i in TEMPLATE.items() if i.kind.value == "list")
TEXT = "".join(f"Evidence line {n:03d} seen at the visit, in the record. " for n in range(60))[
    :3000
]


def _field_changes(laptop: Laptop, entity_id: str, fld: str) -> list[models.Change]:
    with laptop.store.reader() as s:
        query = select(models.Change).where(
            models.Change.entity_id == entity_id, models.Change.field == fld
        )
        return sorted(s.scalars(query), key=lambda c: c.counter)


def _typed(laptop: Laptop, evaluation_id: str, upto: int) -> str:
    """An entry typed with a pause (an autosave) every 50 characters; its id."""
    entry = laptop.do(ev.add_entry, TEMPLATE, evaluation_id, ITEM, TEXT[:50])
    for end in range(100, upto + 1, 50):
        laptop.do(ev.edit_entry, entry, TEXT[:end])
    return entry


def test_sixty_autosaves_leave_one_change(make_db, tmp_path: Path) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    evaluation_id = laptop.new_evaluation("ABC-60000")
    entry = _typed(laptop, evaluation_id, 3000)
    (text,) = _field_changes(laptop, entry, "text")
    assert json.loads(text.value) == TEXT and len(TEXT) == 3000
    with laptop.store.reader() as s:
        assert s.get(models.Entry, entry).text == TEXT
    assert consistent(laptop.store) == []
    laptop.store.dispose()


def test_after_an_export_the_next_save_is_a_new_change(
    make_db, tmp_path: Path, settings: Settings
) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    evaluation_id = laptop.new_evaluation("ABC-60001")
    entry = _typed(laptop, evaluation_id, 1000)
    (sent,) = _field_changes(laptop, entry, "text")
    bundle = tmp_path / "one.qab"
    export_bundle(laptop.store, laptop.key, "Alex Auditor", tmp_path / "qa.key.pub", bundle)
    _typed_on(laptop, entry, 1050, 2000)
    first, second = _field_changes(laptop, entry, "text")
    assert (first.id, first.value, first.counter) == (sent.id, sent.value, sent.counter)
    assert json.loads(second.value) == TEXT[:2000]
    assert json.loads(second.supersedes) == [sent.id]  # one change for what followed the export
    merge_bundle_file(central, bundle, tmp_path / "qa.key")
    bundle2 = tmp_path / "two.qab"
    export_bundle(laptop.store, laptop.key, "Alex Auditor", tmp_path / "qa.key.pub", bundle2)
    merge_bundle_file(central, bundle2, tmp_path / "qa.key")  # no collision: nothing sent changed
    with central.reader() as s:
        assert s.get(models.Entry, entry).text == TEXT[:2000]
    assert consistent(central) == [] and consistent(laptop.store) == []
    central.dispose()
    laptop.store.dispose()


def _typed_on(laptop: Laptop, entry: str, start: int, upto: int) -> None:
    for end in range(start, upto + 1, 50):
        laptop.do(ev.edit_entry, entry, TEXT[:end])


def test_a_save_while_a_sync_sends_is_not_amended_into_what_it_sent(
    make_db, tmp_path: Path, settings: Settings, monkeypatch
) -> None:
    """Saves made while the push reads and sends the history (told at each batch, one
    evaluation a batch at first): nothing the central database received changes on the
    laptop afterwards; what was saved meanwhile stays unacknowledged and goes next time."""
    from qa_tui.sync import batching

    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 1)
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    ids = [laptop.new_evaluation(f"ABC-6000{n}") for n in range(3)]
    entries = [_typed(laptop, evaluation_id, 500) for evaluation_id in ids]
    ends = iter(range(550, 3001, 50))

    def typing_meanwhile(_text: str) -> None:
        end = next(ends)
        for entry in entries:
            laptop.do(ev.edit_entry, entry, TEXT[:end])

    mine = settings.with_changes(device_id=laptop.device_id, auditor_name="Alex Auditor")
    sync_now(laptop.store, mine, central.url, tell=typing_meanwhile)
    wire = ("value", "counter", "wall_time", "supersedes", "author")
    received = 0
    with central.reader() as remote, laptop.store.reader() as local:
        for change in remote.scalars(select(models.Change)):
            key = ("evaluation_id", "entity_id", "field", "id")  # the change log's key
            here = local.get(models.Change, {k: getattr(change, k) for k in key})
            assert [getattr(here, k) for k in wire] == [getattr(change, k) for k in wire]
            received += 1
        held = set(remote.scalars(select(models.Change.id)))
        kept_back = [
            c for e in entries for c in _field_changes(laptop, e, "text") if c.id not in held
        ]
        assert kept_back  # saves during the push made changes of their own, not sent yet
        assert unacknowledged(local) != []
        typed = {e: local.get(models.Entry, e).text for e in entries}
    assert received > 3
    sync_now(laptop.store, mine, central.url)
    with laptop.store.reader() as s:
        assert unacknowledged(s) == []
    with central.reader() as s:
        assert {e: s.get(models.Entry, e).text for e in entries} == typed
    assert consistent(central) == [] and consistent(laptop.store) == []
    central.dispose()
    laptop.store.dispose()


def test_another_author_or_a_received_change_is_never_amended(make_db, tmp_path: Path) -> None:
    """Only this author's own change on this device: someone else's save makes a change."""
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    evaluation_id = laptop.new_evaluation("ABC-60003")
    entry = _typed(laptop, evaluation_id, 200)
    other = Laptop(make_db(), tmp_path, "Sam Senior")
    other.store.dispose()
    other.store = laptop.store  # the same database, another author on another device
    other.do(ev.edit_entry, entry, TEXT[:250])
    other.do(ev.edit_entry, entry, TEXT[:300])  # that author's own: amended
    first, second = _field_changes(laptop, entry, "text")
    assert (first.author, second.author) == ("Alex Auditor", "Sam Senior")
    assert json.loads(second.value) == TEXT[:300]
    assert consistent(laptop.store) == []
    laptop.store.dispose()


def test_a_hand_over_killed_mid_way_freezes_what_it_could_have_read(
    make_db, tmp_path: Path
) -> None:
    """A hand-over whose process died (its entry left behind, older than STALE) may have sent
    what it read: once it counts as ended, the change typed before it is never amended — the
    next save is a change of its own, and after that amending resumes."""
    from qa_tui.clock import stamp, utc_now
    from qa_tui.store import handed_over

    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    evaluation_id = laptop.new_evaluation("ABC-60009")
    entry = _typed(laptop, evaluation_id, 500)
    (before,) = _field_changes(laptop, entry, "text")
    killed = stamp(utc_now() - handed_over.STALE - dt.timedelta(minutes=1))
    with laptop.store.session() as s:
        row = s.get(models.Meta, handed_over.KEY)
        assert row is not None
        state = json.loads(row.value)
        row.value = json.dumps({**state, "running": [killed]})
    _typed_on(laptop, entry, 550, 1000)
    first, second = _field_changes(laptop, entry, "text")
    assert (first.id, first.value) == (before.id, before.value)  # what it read stays as it was
    assert json.loads(second.value) == TEXT[:1000]  # later saves amended one new change
    with laptop.store.reader() as s:
        row = s.get(models.Meta, handed_over.KEY)
        assert row is not None and json.loads(row.value)["running"] == []
    assert consistent(laptop.store) == []
    laptop.store.dispose()
