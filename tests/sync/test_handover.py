"""Bundles end to end on both backends: export, verify, merge, replay, conflicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_tui.domain import evaluation as ev
from qa_tui.store import models
from qa_tui.store.queries import list_evaluations
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import (
    TEMPLATE,
    Laptop,
    conflicts,
    consistent,
    copy_into,
    full_dump,
    make_central,
    state,
)


@pytest.fixture
def two_laptops(make_db, tmp_path: Path):
    a = Laptop(make_db(), tmp_path, "Alex Auditor")
    b = Laptop(make_db(), tmp_path, "Sam Senior")
    cen = make_central(make_db(), tmp_path / "qa.key", a, b)
    yield a, b, cen
    for store in (a.store, b.store, cen):
        store.dispose()


def test_bundle_merges_and_replay_changes_nothing(two_laptops, tmp_path: Path) -> None:
    a, _b, cen = two_laptops
    evaluation_id = a.new_evaluation("ABC-12345")
    a.do(ev.set_response, TEMPLATE, evaluation_id, "standards_met", grade="good", evidence="seen")
    bundle = a.export(tmp_path / "qa.key.pub", tmp_path / "a.qab")
    report = merge_bundle_file(cen, bundle, tmp_path / "qa.key")
    assert report.new_changes > 0 and not report.already_merged
    assert state(cen) == state(a.store)
    assert consistent(cen) == []
    before = full_dump(cen)
    again = merge_bundle_file(cen, bundle, tmp_path / "qa.key")
    assert again.already_merged
    assert full_dump(cen) == before


def test_concurrent_edits_merge_per_field_and_conflict(two_laptops, tmp_path: Path) -> None:
    a, b, cen = two_laptops
    evaluation_id = a.new_evaluation("ABC-12345")
    copy_into(b.store, a.store)  # b has a's evaluation (as after a sync)
    a.do(ev.update_details, evaluation_id, {"team": "Locality South"}, ".*")
    b.do(ev.update_details, evaluation_id, {"practitioner": "Jo Worker"}, ".*")
    a.do(ev.set_response, TEMPLATE, evaluation_id, "standards_met", grade="good")
    b.do(ev.set_response, TEMPLATE, evaluation_id, "standards_met", grade="inadequate")
    pub, key = tmp_path / "qa.key.pub", tmp_path / "qa.key"
    merge_bundle_file(cen, a.export(pub, tmp_path / "a.qab"), key)
    merge_bundle_file(cen, b.export(pub, tmp_path / "b.qab"), key)
    assert consistent(cen) == []
    found = conflicts(cen)
    assert [(c.kind, c.field) for c in found] == [("edit", "grade")]
    assert {s.value for s in found[0].sides} == {"good", "inadequate"}
    assert found[0].ancestor is None or found[0].ancestor.value in ("", None)
    other = make_central_like(two_laptops, tmp_path)
    merge_bundle_file(other, tmp_path / "b.qab", key)
    merge_bundle_file(other, tmp_path / "a.qab", key)
    assert state(other) == state(cen)
    assert conflicts(other) == found


def make_central_like(two_laptops, tmp_path: Path):
    """A second central database with the same QA key and devices."""
    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import enrol_device, init_central

    a, b, cen = two_laptops
    url = cen.url.replace(".db", "-2.db") if cen.url.startswith("sqlite") else None
    if url is None:
        from sqlalchemy.engine import make_url

        from tests.sync.pgcluster import Cluster

        parsed = make_url(cen.url)
        cluster = Cluster(Path("/"), Path("/"), parsed.port or 5432, None)
        url = cluster.create_database(f"{parsed.database}_2")
    store = open_store(url)
    init_central(store, tmp_path / "unused", existing_key=tmp_path / "qa.key")
    with store.session() as s:
        for laptop in (a, b):
            enrol_device(s, laptop.device_id, laptop.key.public_text, "x")
    return store


def test_delete_against_edit_is_a_conflict(two_laptops, tmp_path: Path) -> None:
    a, b, cen = two_laptops
    evaluation_id = a.new_evaluation("ABC-12345")
    entry = a.do(ev.add_entry, TEMPLATE, evaluation_id, "working_well", "Good rapport with family")
    copy_into(b.store, a.store)
    a.do(ev.remove_entry, entry)
    b.do(ev.edit_entry, entry, "Good rapport with the whole family")
    copy_into(cen, a.store)
    copy_into(cen, b.store)
    found = conflicts(cen)
    assert [(c.kind, c.field) for c in found] == [("delete", "text")]
    assert found[0].ancestor.value == "Good rapport with family"
    from qa_tui.store import models

    with cen.reader() as s:
        row = s.get(models.Entry, entry)
        assert row.deleted is True  # never silently resurrected
        assert row.text == "Good rapport with the whole family"  # and the edit is not lost
    from qa_tui.sync.conflicts import resolve_conflict

    b.do(lambda s, actor: None)
    restore = found[0].sides[1].change_id
    with cen.session() as s:
        resolve_conflict(s, a.actor, found[0].id, pick=restore)
    assert conflicts(cen) == []
    with cen.reader() as s:
        assert s.get(models.Entry, entry).deleted is False
    assert consistent(cen) == []


def test_resolution_syncs_back(two_laptops, tmp_path: Path) -> None:
    a, b, cen = two_laptops
    evaluation_id = a.new_evaluation("ABC-12345")
    copy_into(b.store, a.store)
    a.do(ev.update_details, evaluation_id, {"team": "North"}, ".*")
    b.do(ev.update_details, evaluation_id, {"team": "South"}, ".*")
    copy_into(cen, a.store)
    copy_into(cen, b.store)
    (conflict,) = conflicts(cen)
    from qa_tui.sync.conflicts import resolve_conflict

    with cen.session() as s:
        resolve_conflict(s, a.actor, conflict.id, value="North and South")
    copy_into(a.store, cen)
    copy_into(b.store, cen)
    assert conflicts(a.store) == conflicts(b.store) == []
    assert state(a.store) == state(b.store) == state(cen)


def test_independent_edits_that_agree_are_not_a_conflict(two_laptops) -> None:
    a, b, cen = two_laptops
    evaluation_id = a.new_evaluation("ABC-12346")
    copy_into(b.store, a.store)
    pattern = r"^[A-Z]{2,4}-?\d{4,10}$"
    a.do(ev.update_details, evaluation_id, {"team": "Locality South"}, pattern)
    b.do(ev.update_details, evaluation_id, {"team": "Locality South"}, pattern)
    copy_into(cen, a.store)
    copy_into(cen, b.store)
    assert conflicts(cen) == []
    with cen.reader() as session:
        rows = list_evaluations(session)
        team = session.get(models.FieldState, (evaluation_id, "team"))
        assert team is not None
        assert len(json.loads(team.heads)) == 2  # both changes are kept
        assert not team.conflict  # but they agree: nothing to resolve
    assert [r.conflicts for r in rows] == [0]
    assert consistent(cen) == []
