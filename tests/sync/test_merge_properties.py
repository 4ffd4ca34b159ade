"""Property tests of the merge algebra on generated histories from several devices."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from qa_tui.domain import evaluation as ev
from qa_tui.domain import moderation as mod
from qa_tui.errors import QaError
from qa_tui.store import models
from qa_tui.store.db import Store
from qa_tui.store.migrate import open_store
from tests.sync.helpers import (
    TEMPLATE,
    Laptop,
    aggregates,
    conflicts,
    consistent,
    copy_into,
    state,
)
from tests.sync.test_retention_and_sync import _complete

DEVICES = 3
words = st.sampled_from(["North", "South", "East", "West", ""])
grades = st.sampled_from(["good", "inadequate", "outstanding"])
device = st.integers(0, DEVICES - 1)
op = st.one_of(
    st.tuples(st.just("set"), device, st.sampled_from(["team", "practitioner", "theme"]), words),
    st.tuples(st.just("grade"), device, grades),
    st.tuples(st.just("add"), device, words),
    st.tuples(st.just("edit"), device, st.integers(0, 5), words),
    st.tuples(st.just("remove"), device, st.integers(0, 5)),
    st.tuples(st.just("sync"), device, device),
    st.tuples(st.just("complete"), device),
    st.tuples(st.just("moderate"), device, grades),
)


def _entries(laptop: Laptop, evaluation_id: str) -> list[str]:
    with laptop.store.reader() as s:
        rows = s.query(models.Entry.id).filter_by(evaluation_id=evaluation_id, deleted=False)
        return sorted(r[0] for r in rows)


def _apply(laptops: list[Laptop], evaluation_id: str, step: tuple) -> None:
    kind, who, *rest = step
    laptop = laptops[who]
    try:
        if kind == "set":
            laptop.do(ev.update_details, evaluation_id, {rest[0]: rest[1]}, ".*")
        elif kind == "grade":
            laptop.do(ev.set_response, TEMPLATE, evaluation_id, "standards_met", grade=rest[0])
        elif kind == "add":
            laptop.do(ev.add_entry, TEMPLATE, evaluation_id, "working_well", rest[0] or "note")
        elif kind in ("edit", "remove"):
            entries = _entries(laptop, evaluation_id)
            if entries:
                target = entries[rest[0] % len(entries)]
                if kind == "edit":
                    laptop.do(ev.edit_entry, target, rest[1])
                else:
                    laptop.do(ev.remove_entry, target)
        elif kind == "sync" and who != rest[0]:
            copy_into(laptops[rest[0]].store, laptop.store)
        elif kind == "complete":
            _complete(laptop, evaluation_id)
        elif kind == "moderate":  # judge on this laptop's first moderation, or start one
            with laptop.store.reader() as s:
                mine = s.query(models.Moderation.id).filter_by(
                    evaluation_id=evaluation_id, deleted=False
                )
                found = sorted(r[0] for r in mine)
            mid = found[0] if found else laptop.do(mod.start_moderation, evaluation_id, f"M{who}")
            laptop.do(mod.judge, TEMPLATE, mid, "standards_met", rest[0], f"Seen by {who}")
            event("a moderation judged")  # how often: --hypothesis-show-statistics
    except QaError:
        pass  # an operation the domain refuses (e.g. on a removed entry) records nothing


def _no_loss(central, laptops: list[Laptop]) -> None:
    """Every change is in the central history; every field's heads are its state or conflict."""
    held = {row[0] for row in state(central)["changes"]}
    for laptop in laptops:
        assert {row[0] for row in state(laptop.store)["changes"]} <= held
    listed = {c.id: c for c in conflicts(central)}
    with central.reader() as s:
        for fs in s.query(models.FieldState):
            heads = json.loads(fs.heads)
            key = {"evaluation_id": fs.evaluation_id, "entity_id": fs.entity_id, "field": fs.field}
            values = {s.get(models.Change, {**key, "id": h}).value for h in heads}
            # A conflict is heads that disagree; heads that agree lose nothing.
            assert fs.conflict == (len(values) > 1)
            if len(values) > 1:
                assert {x.change_id for x in listed[f"{fs.entity_id}:{fs.field}"].sides} == set(
                    heads
                )


Central = Callable[[], Store]


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Path, sqlite_db, make_db):
    """A context per example (Hypothesis runs them all in one test call): three laptops and a
    factory of central databases, all closed and deleted when the example ends, so hundreds of
    examples hold neither hundreds of connections nor hundreds of databases.

    On PostgreSQL a central database is a copy of one migrated here (as ``make_db`` copies a
    migrated SQLite file): creating and migrating one costs eight times as much.
    """
    admin: Any = None
    new_url: Callable[[], str] = make_db
    template = f"tpl_{uuid.uuid4().hex[:12]}"
    if request.node.callspec.params.get("make_db") == "postgresql":
        import psycopg

        server = request.getfixturevalue("pg_server")
        admin = psycopg.connect(
            f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True
        )
        open_store(server.create_database(template)).dispose()

        def copy_template() -> str:
            name = f"t_{uuid.uuid4().hex[:12]}"
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return server.url(name)

        new_url = copy_template

    def remove(store: Store) -> None:
        store.dispose()
        if store.sqlite_path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{store.sqlite_path}{suffix}").unlink(missing_ok=True)
        elif admin is not None:  # FORCE: cleaning up must not hide the example's own failure
            name = make_url(store.url).database
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def example() -> Iterator[tuple[list[Laptop], Central]]:
        opened: list[Store] = []

        def central() -> Store:
            opened.append(open_store(new_url()))
            return opened[-1]

        try:
            laptops = []
            for i in range(DEVICES):
                laptops.append(Laptop(sqlite_db(), tmp_path, f"Auditor {i}"))
                opened.append(laptops[-1].store)
            yield laptops, central
        finally:
            for store in opened:
                remove(store)

    yield example
    if admin is not None:
        admin.execute(f'DROP DATABASE "{template}"')
        admin.close()


# How many examples: the Hypothesis profile (tests/conftest.py, QA_TUI_HYPOTHESIS).
@settings(
    deadline=None,  # each example builds several databases
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(op, min_size=1, max_size=14), order=st.permutations(range(DEVICES)))
def test_merge_algebra(world, steps, order) -> None:
    with world() as (laptops, make_central):
        _check_merge_algebra(laptops, make_central, steps, order)


def _check_merge_algebra(
    laptops: list[Laptop], make_central: Central, steps: list[tuple], order: list[int]
) -> None:
    evaluation_id = laptops[0].new_evaluation("ABC-12345")
    for other in laptops[1:]:
        copy_into(other.store, laptops[0].store)
    for step in steps:
        _apply(laptops, evaluation_id, step)
    bundles = [aggregates(x.store) for x in laptops]

    direct = make_central()
    for b in bundles:
        copy_into(direct, b)
    shuffled = make_central()
    for i in order:
        copy_into(shuffled, bundles[i])
        copy_into(shuffled, bundles[order[0]])  # idempotence: merging again changes nothing
    relay = make_central()
    copy_into(relay, shuffled)  # through a third database

    want = state(direct)
    assert state(shuffled) == want
    assert state(relay) == want
    assert conflicts(shuffled) == conflicts(direct) == conflicts(relay)
    assert consistent(direct) == consistent(shuffled) == consistent(relay) == []
    _no_loss(direct, laptops)

    before = state(direct)  # identity: nothing, or the database's own history, changes nothing
    copy_into(direct, [])
    copy_into(direct, direct)
    assert state(direct) == before
