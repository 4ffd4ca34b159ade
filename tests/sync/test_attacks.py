"""Bad bundles and attacks: each refused with a one-line reason, the database unchanged."""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_tui.domain import evaluation as ev
from qa_tui.store import models
from qa_tui.store.entities import CREATE
from qa_tui.store.history import dumps
from qa_tui.store.migrate import open_store
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.bundle_write import _write_stream
from qa_tui.sync.central import merge_bundle_file, revoke_device
from qa_tui.sync.errors import BundleError
from qa_tui.sync.keys import create_qa_key, load_device_key, load_qa_public
from tests.sync.helpers import TEMPLATE, Laptop, aggregates, full_dump, make_central


@pytest.fixture(autouse=True, params=["one process", "two processes"])
def checked_in(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every attack twice: the bundle's lines checked in the merge's process, and (every
    bundle taken as big, on SQLite) half of them in the process preparing its rows, in short
    stretches (qa_tui.sync.checking): refused the same way."""
    if request.param == "two processes":
        from qa_tui.sync import central, checking

        monkeypatch.setattr(central, "WORTH_IT", 0)
        monkeypatch.setattr(checking, "STRETCH", 512)
    return str(request.param)


@pytest.fixture
def setup(make_db, tmp_path: Path):
    a = Laptop(make_db(), tmp_path, "Alex Auditor")
    cen = make_central(make_db(), tmp_path / "qa.key", a)
    evaluation_id = a.new_evaluation("ABC-12345")
    a.do(ev.set_response, TEMPLATE, evaluation_id, "standards_met", grade="good", evidence="seen")
    for n in range(30):
        a.do(
            ev.add_entry,
            TEMPLATE,
            evaluation_id,
            "working_well",
            f"entry {n} " + os.urandom(400).hex(),
        )
    good = a.export(tmp_path / "qa.key.pub", tmp_path / "good.qab")
    # something already in the central database, so "unchanged" means something
    other = a.new_evaluation("XYZ-99999")
    first = tmp_path / "first.qab"
    with a.store.reader() as s:
        from qa_tui.sync.export import iter_aggregates

        aggs = list(iter_aggregates(s, [other]))
    _write(first, aggs, a, tmp_path / "qa.key.pub")
    merge_bundle_file(cen, first, tmp_path / "qa.key")
    yield a, cen, good, tmp_path
    a.store.dispose()
    cen.dispose()


def _write(path: Path, aggs: list[Aggregate], laptop: Laptop, pub: Path, **kw) -> Path:
    with path.open("wb") as handle:
        _write_stream(
            handle,
            aggs,
            load_qa_public(pub),
            kw.get("key", laptop.key),
            "Alex",
            "2026-11-20T10:00:00.000+00:00",
            kw.get("bundle_id", str(uuid.uuid4())),
            kw.get("fmt", 2),
        )
    return path


def _refused(cen, path: Path, key: Path, *words: str) -> None:
    before = full_dump(cen)
    sqlite_file = cen.sqlite_path
    raw = sqlite_file.read_bytes() if sqlite_file else None
    with pytest.raises(BundleError) as caught:
        merge_bundle_file(cen, path, key)
    message = str(caught.value)
    assert "\n" not in message
    assert any(w in message for w in words), message
    assert full_dump(cen) == before
    if sqlite_file:
        assert sqlite_file.read_bytes() == raw


def test_truncated(setup) -> None:
    _a, cen, good, tmp = setup
    data = good.read_bytes()
    for cut in (10, 100, len(data) // 2, len(data) - 1):
        bad = tmp / f"cut{cut}.qab"
        bad.write_bytes(data[:cut])
        _refused(cen, bad, tmp / "qa.key", "truncated", "corrupt", "not a qa-tui bundle")


def test_bit_flipped(setup) -> None:
    _a, cen, good, tmp = setup
    data = bytearray(good.read_bytes())
    for where in (20, 60, len(data) // 2, len(data) - 5):
        flipped = bytearray(data)
        flipped[where] ^= 0x04
        bad = tmp / f"flip{where}.qab"
        bad.write_bytes(bytes(flipped))
        _refused(
            cen,
            bad,
            tmp / "qa.key",
            "tampered",
            "corrupt",
            "truncated",
            "different key",
            "not a qa-tui bundle",
        )


def test_reordered_chunks(setup, monkeypatch) -> None:
    from qa_tui.sync import crypto

    monkeypatch.setattr(crypto, "CHUNK", 1024)  # many chunks, then swap two
    a, cen, good, tmp = setup
    with pytest.raises(BundleError):  # a bundle made with another chunk size is refused too
        merge_bundle_file(cen, good, tmp / "qa.key")
    small = a.export(tmp / "qa.key.pub", tmp / "small.qab")
    data = small.read_bytes()
    header_len = 14 + int.from_bytes(data[10:14], "big")
    size = 1024 + 16
    body = data[header_len:]
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert len(chunks) > 3
    chunks[1], chunks[2] = chunks[2], chunks[1]
    bad = tmp / "reordered.qab"
    bad.write_bytes(data[:header_len] + b"".join(chunks))
    _refused(cen, bad, tmp / "qa.key", "tampered", "corrupt")


def test_replayed_is_a_no_op(setup) -> None:
    _a, cen, good, tmp = setup
    merge_bundle_file(cen, good, tmp / "qa.key")
    before = full_dump(cen)
    report = merge_bundle_file(cen, good, tmp / "qa.key")
    assert report.already_merged and "already merged" in report.summary()
    assert full_dump(cen) == before


def test_encrypted_to_another_key(setup) -> None:
    a, cen, _good, tmp = setup
    create_qa_key(tmp / "other.key")
    bad = a.export(tmp / "other.key.pub", tmp / "other.qab")
    _refused(cen, bad, tmp / "qa.key", "different key")


def test_unknown_and_revoked_device(setup) -> None:
    a, cen, good, tmp = setup
    stranger = load_device_key(str(uuid.uuid4()), tmp / "stranger.pem")
    bad = _write(tmp / "stranger.qab", aggregates(a.store), a, tmp / "qa.key.pub", key=stranger)
    _refused(cen, bad, tmp / "qa.key", "not enrolled")
    with cen.session() as s:
        revoke_device(s, a.device_id, "laptop lost")
    _refused(cen, good, tmp / "qa.key", "revoked")


def test_forged_device_id_with_own_key(setup) -> None:
    a, cen, _good, tmp = setup
    forger = load_device_key(a.device_id, tmp / "forger.pem")  # claims a's id, other key
    bad = _write(tmp / "forged.qab", aggregates(a.store), a, tmp / "qa.key.pub", key=forger)
    _refused(cen, bad, tmp / "qa.key", "bad signature")


def test_valid_signature_over_altered_content(setup) -> None:
    """Re-encrypt a genuine manifest and signature with altered records (the QA key is public)."""
    a, cen, good, tmp = setup
    from qa_tui.sync.bundle import read_bundle
    from qa_tui.sync.keys import load_qa_private

    items = list(read_bundle(good, load_qa_private(tmp / "qa.key")))
    manifest, signature, _hash = items[-1]
    aggs = [i for i in items if isinstance(i, Aggregate)]
    next(c for g in aggs for c in g.changes if c["field"] == "text")["value"] = dumps("altered")

    class Replay:
        device_id = a.device_id
        public_text = a.key.public_text

        @staticmethod
        def sign(_data: bytes) -> bytes:
            return base64.b64decode(signature)

    bad = _write(
        tmp / "altered.qab",
        aggs,
        a,
        tmp / "qa.key.pub",
        key=Replay,
        bundle_id=manifest["bundle_id"],
    )
    _refused(cen, bad, tmp / "qa.key", "bad signature", "tampered")


def test_newer_format_refused(setup) -> None:
    a, cen, _good, tmp = setup
    bad = _write(tmp / "newer.qab", aggregates(a.store), a, tmp / "qa.key.pub", fmt=3)
    _refused(cen, bad, tmp / "qa.key", "made by a newer qa-tui")
    with pytest.raises(BundleError, match="upgrade qa-tui"):
        merge_bundle_file(cen, bad, tmp / "qa.key")


@pytest.mark.parametrize("value", [3, 0x100, 0xFFFF, 0])
def test_corrupt_format_number_is_damage_not_a_newer_qa_tui(setup, value: int) -> None:
    """Only an authenticated format number is called "newer": a flipped format byte in a
    good bundle is reported as damage, never as a reason to upgrade."""
    _a, cen, good, tmp = setup
    data = bytearray(good.read_bytes())
    data[8:10] = value.to_bytes(2, "big")  # MAGIC (8 bytes), then the format number
    bad = tmp / f"format{value}.qab"
    bad.write_bytes(bytes(data))
    _refused(cen, bad, tmp / "qa.key", "not a qa-tui bundle, or damaged")
    with pytest.raises(BundleError) as caught:
        merge_bundle_file(cen, bad, tmp / "qa.key")
    assert "newer" not in str(caught.value) and "upgrade" not in str(caught.value)


def test_newer_format_with_an_unknown_header_is_damage(setup) -> None:
    from qa_tui.sync.crypto import MAGIC

    _a, cen, _good, tmp = setup
    header = json.dumps({"hello": "world"}).encode()
    bad = tmp / "odd.qab"
    bad.write_bytes(MAGIC + (3).to_bytes(2, "big") + len(header).to_bytes(4, "big") + header)
    _refused(cen, bad, tmp / "qa.key", "not a qa-tui bundle, or damaged")


def test_older_format_is_upgraded(setup) -> None:
    a, cen, _good, tmp = setup
    old = a.export(tmp / "qa.key.pub", tmp / "old.qab", fmt=1)
    report = merge_bundle_file(cen, old, tmp / "qa.key")
    assert report.new_changes > 0
    from tests.sync.helpers import state

    assert state(cen) == state(a.store)


def test_colliding_ids_with_different_content(setup) -> None:
    a, cen, good, tmp = setup
    merge_bundle_file(cen, good, tmp / "qa.key")
    aggs = aggregates(a.store)
    target = next(c for g in aggs for c in g.changes if c["field"] == "text")
    target["value"] = dumps("same id, different words")
    bad = _write(tmp / "collide.qab", aggs, a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "collide")


def test_an_evaluation_twice_is_refused(setup) -> None:
    """A validly signed bundle that carries one evaluation twice (a line repeated, after
    others) is refused in one line, whichever process checked each line."""
    a, cen, _good, tmp = setup
    aggs = aggregates(a.store)
    for n in range(3):
        a.new_evaluation(f"DUP-{n:05d}")
    more = aggregates(a.store)
    repeated = [*more, next(g for g in more if g.evaluation_id == aggs[0].evaluation_id)]
    bad = _write(tmp / "twice.qab", repeated, a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "an evaluation appears twice")


def test_entity_id_reused_in_another_evaluation(setup) -> None:
    a, cen, _good, tmp = setup
    with cen.reader() as s:
        held = s.query(models.Evaluation.id).scalar()
    aggs = aggregates(a.store)
    fresh = next(g for g in aggs if g.evaluation_id != held)
    for change in fresh.changes:  # point a new participant at an id the database holds
        if change["entity_type"] == "participant":
            change["entity_id"] = held
    bad = _write(tmp / "reuse.qab", [fresh], a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "collide", "invalid record", "another evaluation")


def test_a_held_evaluation_gaining_a_record_with_another_records_id(setup) -> None:
    """An evaluation the database holds comes back with a new record (an entry) whose id is
    a record of another type in another evaluation (that evaluation's own id): refused, the
    database unchanged. (It merged, and the other evaluation's creation state named the
    entry's change as its winner: the database no longer agreed with its history.)"""
    a, cen, good, tmp = setup
    merge_bundle_file(cen, good, tmp / "qa.key")
    with cen.reader() as s:
        held = set(s.scalars(select(models.Evaluation.id)))
    aggs = aggregates(a.store)
    own = next(g for g in aggs if any(c["entity_type"] == "entry" for c in g.changes))
    other = next(i for i in held if i != own.evaluation_id)
    entry = next(c for c in own.changes if c["entity_type"] == "entry" and c["field"] == CREATE)
    top = max(c["counter"] for c in own.changes)
    twin = {**entry, "id": str(uuid.uuid4()), "entity_id": other, "counter": top + 1}
    own.changes.append(twin)
    bad = _write(tmp / "twin.qab", [own], a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "already used by another record")


@pytest.mark.parametrize("whose", ["the other evaluation's own", "a participant's"])
def test_two_evaluations_of_a_bundle_sharing_a_record_id(setup, whose: str) -> None:
    """Two evaluations new to the database, each valid alone, in one bundle: one's
    participant has the other's id (the evaluation's, or its participant's). Refused in one
    line, the database unchanged. (A record of another type raised KeyError, a traceback,
    while the rows were derived.)"""
    a, cen, _good, tmp = setup
    for n in range(2):
        a.new_evaluation(f"NEW-{n:05d}")
    with cen.reader() as s:
        held = set(s.scalars(select(models.Evaluation.id)))
    first, second = [g for g in aggregates(a.store) if g.evaluation_id not in held][:2]

    def participant(aggregate: Aggregate) -> str:
        return next(c["entity_id"] for c in aggregate.changes if c["entity_type"] == "participant")

    taken = first.evaluation_id if whose.startswith("the other") else participant(first)
    renamed = participant(second)
    for change in second.changes:
        if change["entity_id"] == renamed:
            change["entity_id"] = taken
    bad = _write(tmp / "shared.qab", [first, second], a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "used by two records", "collide")


def test_an_evaluation_reusing_another_evaluations_change_ids(setup, make_db) -> None:
    """A new evaluation whose edited field's two changes (the later superseding the earlier)
    take the ids of two changes another evaluation holds: it merges (a change is its
    aggregate's; nothing finds one by its id alone), and the other evaluation's history is
    untouched — its export, its state — and the database exported whole merges again, here
    and into a new database, as the same state. (Links were keyed by change ids alone: the
    other evaluation's export carried the newcomer's link, which none of its changes'
    supersedes lists names, so any receiver refused it, and its re-derivation read it.)"""
    from qa_tui.sync.export import iter_aggregates
    from tests.sync.helpers import consistent, copy_into, state

    a, cen, good, tmp = setup
    merge_bundle_file(cen, good, tmp / "qa.key")
    with cen.reader() as s:
        held = list(s.scalars(select(models.Evaluation.id)))
        before = [g.to_wire() for g in iter_aggregates(s, held)]
    target = max(before, key=lambda g: len(g["c"]))
    taken = [row[0] for row in target["c"][:2]]  # two of its changes' ids (wire: id first)
    new_id = a.new_evaluation("NEW-00001")
    a.do(ev.set_response, TEMPLATE, new_id, "standards_met", grade="good", evidence="seen")
    a.export(tmp / "qa.key.pub", tmp / "between.qab")  # handed over: the next save is a change
    a.do(ev.set_response, TEMPLATE, new_id, "standards_met", grade="good", evidence="seen, twice")
    (newcomer,) = [g for g in aggregates(a.store) if g.evaluation_id == new_id]
    later, earlier = newcomer.links[0]
    rename = {later: taken[0], earlier: taken[1]}
    for change in newcomer.changes:
        change["id"] = rename.get(change["id"], change["id"])
        listed = [rename.get(i, i) for i in json.loads(change["supersedes"])]
        change["supersedes"] = dumps(listed)
    newcomer.links = [(rename.get(x, x), rename.get(y, y)) for x, y in newcomer.links]
    reused = _write(tmp / "reused.qab", [newcomer], a, tmp / "qa.key.pub")
    assert merge_bundle_file(cen, reused, tmp / "qa.key").new_changes == len(newcomer.changes)
    with cen.reader() as s:
        after = [g.to_wire() for g in iter_aggregates(s, held)]
        whole = list(iter_aggregates(s, [*held, new_id]))
    assert after == before
    assert consistent(cen) == []
    # The whole database again, under another bundle id: every evaluation held, in one batch.
    again = _write(tmp / "again.qab", whole, a, tmp / "qa.key.pub")
    assert merge_bundle_file(cen, again, tmp / "qa.key").new_changes == 0
    elsewhere = open_store(make_db())
    try:
        copy_into(elsewhere, whole)
        assert state(elsewhere) == state(cen) and consistent(elsewhere) == []
    finally:
        elsewhere.dispose()


def test_an_update_naming_another_evaluations_action(setup) -> None:
    """An evaluation whose action update names an action of another evaluation of the bundle
    (its creation rewritten; signed by an enrolled device): refused in one line, the database
    unchanged. (It merged, and the other action's status followed the update whenever the two
    evaluations were derived together.)"""
    from qa_tui.domain import outcomes
    from qa_tui.domain.followup import record_action_update
    from qa_tui.store.history import record_change

    a, cen, _good, tmp = setup

    def completed(evaluation_id: str) -> None:
        a.do(
            lambda s, actor: record_change(
                s, actor, "evaluation", evaluation_id, evaluation_id, "status", "completed"
            )
        )

    first = a.new_evaluation("ACT-00001")
    theirs = a.do(outcomes.add_action, first, "Update the plan", "Alex Auditor", "2026-12-01")
    completed(first)
    second = a.new_evaluation("ACT-00002")
    ours = a.do(outcomes.add_action, second, "Visit the school", "Alex Auditor", "2026-12-01")
    completed(second)
    a.do(record_action_update, ours, "done", "Finished.", "2026-11-28")
    aggs = {g.evaluation_id: g for g in aggregates(a.store)}
    for change in aggs[second].changes:
        if change["entity_type"] == "action_update" and change["field"] == CREATE:
            change["value"] = dumps({**json.loads(change["value"]), "action_id": theirs})
    bad = _write(tmp / "stranger.qab", [aggs[first], aggs[second]], a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "names an action that is not its evaluation's")


def test_a_blind_grade_naming_another_sessions_moderator(setup) -> None:
    """A moderation session whose blind grade names a moderator of another session (its
    creation rewritten; signed by an enrolled device): refused in one line, the database
    unchanged. (The app refuses such a grade; merged, it counted among this session's
    graders under a name the session does not hold.)"""
    from qa_tui.domain import sessions
    from qa_tui.store.history import record_change

    a, cen, _good, tmp = setup
    evaluation_id = a.new_evaluation("MOD-00001")
    a.do(
        lambda s, actor: record_change(
            s, actor, "evaluation", evaluation_id, evaluation_id, "status", "completed"
        )
    )
    theirs = a.do(sessions.create_session, "2026-11-30", "", [("Sam Moderator", "")])
    ours = a.do(sessions.create_session, "2026-12-01", "", [("Kim Moderator", "")])
    for session_id in (theirs, ours):
        a.do(sessions.add_evaluation, session_id, evaluation_id)
    kim = sessions.moderator_id(ours, "Kim Moderator")
    a.do(sessions.set_blind_grade, TEMPLATE, ours, kim, evaluation_id, "standards_met", "good")
    aggs = {g.evaluation_id: g for g in aggregates(a.store)}
    for change in aggs[ours].changes:
        if change["entity_type"] == "blind_grade" and change["field"] == CREATE:
            sam = sessions.moderator_id(theirs, "Sam Moderator")
            change["value"] = dumps({**json.loads(change["value"]), "moderator_id": sam})
    bundle = [aggs[evaluation_id], aggs[theirs], aggs[ours]]
    bad = _write(tmp / "stranger.qab", bundle, a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "names a session moderator that is not its")


def test_invalid_record_refused(setup) -> None:
    a, cen, _good, tmp = setup
    aggs = aggregates(a.store)
    aggs[0].changes[0]["counter"] = -5
    bad = _write(tmp / "invalid.qab", aggs, a, tmp / "qa.key.pub")
    _refused(cen, bad, tmp / "qa.key", "invalid record")


def test_100_mb_of_junk(setup) -> None:
    _a, cen, _good, tmp = setup
    junk = tmp / "junk.qab"
    with junk.open("wb") as handle:
        for _ in range(100):
            handle.write(os.urandom(1 << 20))
    _refused(cen, junk, tmp / "qa.key", "not a qa-tui bundle")
    fake = tmp / "fake.qab"
    header = json.dumps({"bundle_id": str(uuid.uuid4())}).encode()
    with fake.open("wb") as handle:
        handle.write(b"QATUIBDL" + (2).to_bytes(2, "big") + len(header).to_bytes(4, "big"))
        handle.write(header)
        handle.write(os.urandom(20 << 20))
    _refused(cen, fake, tmp / "qa.key", "different key", "corrupt")


def test_bundle_swapped_after_verification(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge commits batch by batch, so it reads only what it verified: a file replaced by
    another validly signed bundle once verification is over stops the merge, nothing of either
    written."""
    from qa_tui.sync import central

    a, cen, good, tmp = setup
    aggs = aggregates(a.store)
    target = next(c for g in aggs for c in g.changes if c["field"] == "text")
    target["value"] = dumps("words nobody verified")
    other = _write(tmp / "other.qab", aggs, a, tmp / "qa.key.pub")
    verify = central.verify_into_spool  # in one process, or two

    def verify_then_swap(path: Path, *args, **kwargs):
        manifest = verify(path, *args, **kwargs)
        path.write_bytes(other.read_bytes())
        return manifest

    monkeypatch.setattr(central, "verify_into_spool", verify_then_swap)
    before = full_dump(cen)
    with pytest.raises(BundleError, match="changed while it was being merged"):
        merge_bundle_file(cen, good, tmp / "qa.key")
    assert full_dump(cen) == before


def test_collision_found_in_a_later_batch(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collision only the database can show (a change id it holds with other content) may be
    found after earlier batches committed: the bundle is refused in one line saying how many
    evaluations stay, whole and valid; it is not in the ledger and the state is consistent."""
    from click.testing import CliRunner
    from sqlalchemy import select

    from qa_tui.cli import main
    from qa_tui.sync import batching
    from tests.sync.helpers import consistent

    a, cen, _good, tmp = setup
    aggs = aggregates(a.store)
    with cen.reader() as s:
        held = s.scalar(select(models.Evaluation.id))
    known = next(g for g in aggs if g.evaluation_id == held)
    fresh = next(g for g in aggs if g.evaluation_id != held)
    change = next(c for c in known.changes if isinstance(json.loads(c["value"]), str))
    change["value"] = dumps(json.loads(change["value"]) + " altered")
    bad = _write(tmp / "late.qab", [fresh, known], a, tmp / "qa.key.pub")
    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 1)  # one evaluation, then the rest
    result = CliRunner().invoke(
        main, ["merge", "--into", cen.url, "--key", str(tmp / "qa.key"), str(bad)]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert "refused" in lines[0] and "collides" in lines[0], lines[0]
    assert "the 1 evaluation merged before it stopped stays, whole" in lines[0], lines[0]
    with cen.reader() as s:
        merged = set(s.scalars(select(models.Evaluation.id)))
    assert merged == {held, fresh.evaluation_id}
    assert len(ledger_rows(cen)) == 1  # the first bundle of the setup only
    assert consistent(cen) == []


def ledger_rows(store) -> list[str]:
    from sqlalchemy import select

    from qa_tui.store.sync_models import MergedBundle

    with store.reader() as s:
        return list(s.scalars(select(MergedBundle.bundle_id)))
